-- Escrituras de la importación. Se ejecutan sobre una copia de la base, que luego reemplaza a la
-- original de una vez. `entrantes` es la tabla de filas aceptadas que registra el importador,
-- `cambiadas` las claves de las que son nuevas o cambian algo (lo que da comparar_*) y `nueva`
-- una fila con la versión que crea la importación. Una fila reemplazada no se borra: pasa a
-- `<tabla>_historia` con su `version_hasta` (ver versiones.sql).

-- name: catalogo_barrios
SELECT barrio_id, nombre, geometria FROM barrios ORDER BY barrio_id;

-- name: crear_importaciones
CREATE TABLE IF NOT EXISTS importaciones (
    importacion_id INTEGER,
    fecha TIMESTAMP,
    tipo VARCHAR,
    archivo VARCHAR,
    sha256 VARCHAR,
    filas INTEGER,
    aceptadas INTEGER,
    rechazadas INTEGER,
    nuevas INTEGER,
    actualizadas INTEGER,
    sin_cambios INTEGER,
    version INTEGER
);

-- name: registrar_importacion
INSERT INTO importaciones BY NAME
SELECT coalesce(max(importacion_id), 0) + 1 AS importacion_id, $fecha AS fecha, $tipo AS tipo,
       $archivo AS archivo, $sha256 AS sha256, $filas AS filas, $aceptadas AS aceptadas,
       $rechazadas AS rechazadas, $nuevas AS nuevas, $actualizadas AS actualizadas,
       $sin_cambios AS sin_cambios, $version AS version
FROM importaciones;

-- name: historial_importaciones
SELECT * FROM importaciones ORDER BY importacion_id DESC;

-- name: fijar_metadatos
-- `valores` (clave, valor): las claves que cambian de valor pasan a la versión nueva.
CREATE TEMP TABLE cambiados AS
SELECT n.clave, n.valor FROM valores n LEFT JOIN metadatos m USING (clave)
WHERE m.valor IS DISTINCT FROM n.valor;
INSERT INTO metadatos_historia BY NAME
SELECT m.*, (SELECT version FROM nueva) AS version_hasta
FROM metadatos m WHERE clave IN (SELECT clave FROM cambiados);
DELETE FROM metadatos WHERE clave IN (SELECT clave FROM cambiados);
INSERT INTO metadatos BY NAME
SELECT clave, valor, (SELECT version FROM nueva) AS version_desde FROM cambiados;
DROP TABLE cambiados;

-- name: cortes
-- Última fecha de cada fuente de datos, para "datos al" y la frescura por fuente.
SELECT 'fecha_corte_' || fuente AS clave, max(fecha_hora)::DATE::VARCHAR AS valor
FROM incidentes GROUP BY fuente
UNION ALL SELECT 'fecha_corte', max(fecha_hora)::DATE::VARCHAR FROM incidentes
UNION ALL SELECT 'fecha_corte_encuestas', max(fecha)::VARCHAR FROM encuesta_respuestas
UNION ALL SELECT 'fecha_corte_actividades', max(fecha)::VARCHAR FROM actividades;

-- name: comparar_incidentes
-- Las filas entrantes nuevas o que cambian algo; las iguales a las de la base no se tocan.
SELECT n.fuente, n.incidente_id, v.incidente_id IS NULL AS nueva
FROM entrantes n
LEFT JOIN incidentes v ON v.fuente = n.fuente AND v.incidente_id = n.incidente_id
WHERE v.incidente_id IS NULL
    OR (n.fecha_hora, n.delito, n.lat, n.lon, n.barrio_id)
        IS DISTINCT FROM (v.fecha_hora, v.delito, v.lat, v.lon, v.barrio_id);

-- name: fusionar_incidentes
-- Se reescribe la tabla ordenada por fecha para que los filtros de fecha sigan saltando grupos.
INSERT INTO incidentes_historia BY NAME
SELECT v.*, (SELECT version FROM nueva) AS version_hasta
FROM incidentes v
WHERE EXISTS (
    SELECT 1 FROM cambiadas c WHERE c.fuente = v.fuente AND c.incidente_id = v.incidente_id);
CREATE TEMP TABLE combinada AS
SELECT * FROM incidentes v
WHERE NOT EXISTS (
    SELECT 1 FROM cambiadas c WHERE c.fuente = v.fuente AND c.incidente_id = v.incidente_id)
UNION ALL BY NAME
SELECT n.*, (SELECT version FROM nueva) AS version_desde
FROM entrantes n
WHERE EXISTS (
    SELECT 1 FROM cambiadas c WHERE c.fuente = n.fuente AND c.incidente_id = n.incidente_id);
DELETE FROM incidentes;
INSERT INTO incidentes BY NAME SELECT * FROM combinada ORDER BY fecha_hora;
DROP TABLE combinada;

-- name: comparar_encuestas
-- Por fila: los indicadores nuevos que trae un archivo se comparan aparte (importacion.py).
SELECT
    n.respuesta_id,
    v.respuesta_id IS NULL AS nueva,
    v.respuesta_id IS NOT NULL AND (
        n.ola, n.fecha, n.barrio_id, n.estrato, n.conglomerado, n.factor, n.inseguro_barrio,
        n.victima_hogar_12m, n.denuncio, n.percibe_aumento_barrio, n.conoce_programa
    ) IS DISTINCT FROM (
        v.ola, v.fecha, v.barrio_id, v.estrato, v.conglomerado, v.factor, v.inseguro_barrio,
        v.victima_hogar_12m, v.denuncio, v.percibe_aumento_barrio, v.conoce_programa
    ) AS cambia
FROM entrantes n
LEFT JOIN encuesta_respuestas v USING (respuesta_id);

-- name: encuestas_por_id
SELECT * FROM encuesta_respuestas WHERE respuesta_id = ANY($ids);

-- name: fusionar_encuestas
INSERT INTO encuesta_respuestas_historia BY NAME
SELECT v.*, (SELECT version FROM nueva) AS version_hasta
FROM encuesta_respuestas v WHERE respuesta_id IN (SELECT respuesta_id FROM cambiadas);
DELETE FROM encuesta_respuestas WHERE respuesta_id IN (SELECT respuesta_id FROM cambiadas);
INSERT INTO encuesta_respuestas BY NAME
SELECT n.*, (SELECT version FROM nueva) AS version_desde
FROM entrantes n WHERE respuesta_id IN (SELECT respuesta_id FROM cambiadas);

-- name: comparar_actividades
SELECT n.actividad_id, v.actividad_id IS NULL AS nueva
FROM entrantes n
LEFT JOIN actividades v USING (actividad_id)
WHERE v.actividad_id IS NULL
    OR (n.fecha, n.barrio_id, n.linea, n.actividad, n.participantes, n.hogares)
        IS DISTINCT FROM (v.fecha, v.barrio_id, v.linea, v.actividad, v.participantes, v.hogares);

-- name: fusionar_actividades
INSERT INTO actividades_historia BY NAME
SELECT v.*, (SELECT version FROM nueva) AS version_hasta
FROM actividades v WHERE actividad_id IN (SELECT actividad_id FROM cambiadas);
DELETE FROM actividades WHERE actividad_id IN (SELECT actividad_id FROM cambiadas);
INSERT INTO actividades BY NAME
SELECT n.*, (SELECT version FROM nueva) AS version_desde
FROM entrantes n WHERE actividad_id IN (SELECT actividad_id FROM cambiadas);

-- name: comparar_barrios
SELECT n.barrio_id, v.barrio_id IS NULL AS nueva
FROM entrantes n
LEFT JOIN barrios v USING (barrio_id)
WHERE v.barrio_id IS NULL
    OR (n.nombre, n.sector_id, n.poblacion, n.hogares, n.geometria)
        IS DISTINCT FROM (v.nombre, v.sector_id, v.poblacion, v.hogares, v.geometria);

-- name: fusionar_barrios
-- Los sectores nuevos o con otro nombre, y los barrios nuevos o cambiados, entran en la versión.
CREATE TEMP TABLE sectores_entrantes AS
SELECT n.sector_id, n.nombre FROM (
    SELECT sector_id, first(sector ORDER BY sector) AS nombre FROM entrantes GROUP BY sector_id
) n LEFT JOIN sectores s USING (sector_id)
WHERE s.nombre IS DISTINCT FROM n.nombre;
INSERT INTO sectores_historia BY NAME
SELECT s.*, (SELECT version FROM nueva) AS version_hasta
FROM sectores s WHERE sector_id IN (SELECT sector_id FROM sectores_entrantes);
DELETE FROM sectores WHERE sector_id IN (SELECT sector_id FROM sectores_entrantes);
INSERT INTO sectores BY NAME
SELECT *, (SELECT version FROM nueva) AS version_desde FROM sectores_entrantes;
DROP TABLE sectores_entrantes;
INSERT INTO barrios_historia BY NAME
SELECT v.*, (SELECT version FROM nueva) AS version_hasta
FROM barrios v WHERE barrio_id IN (SELECT barrio_id FROM cambiadas);
DELETE FROM barrios WHERE barrio_id IN (SELECT barrio_id FROM cambiadas);
INSERT INTO barrios BY NAME
SELECT * EXCLUDE (sector), false AS sintetico, (SELECT version FROM nueva) AS version_desde
FROM entrantes WHERE barrio_id IN (SELECT barrio_id FROM cambiadas);

-- name: reasignar_barrios
-- Tras cambiar polígonos, cada incidente vuelve a quedar en el barrio que contiene su punto; los
-- que cambian de barrio pasan a la versión nueva (el de antes queda en la historia).
CREATE TEMP TABLE movidos AS
SELECT r.fuente, r.incidente_id, r.barrio_id
FROM reasignados r JOIN incidentes i USING (fuente, incidente_id)
WHERE i.barrio_id IS DISTINCT FROM r.barrio_id;
INSERT INTO incidentes_historia BY NAME
SELECT i.*, (SELECT version FROM nueva) AS version_hasta
FROM incidentes i
WHERE EXISTS (
    SELECT 1 FROM movidos m WHERE m.fuente = i.fuente AND m.incidente_id = i.incidente_id);
UPDATE incidentes SET barrio_id = m.barrio_id, version_desde = (SELECT version FROM nueva)
FROM movidos m
WHERE incidentes.fuente = m.fuente AND incidentes.incidente_id = m.incidente_id;
DROP TABLE movidos;
