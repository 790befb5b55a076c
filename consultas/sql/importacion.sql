-- Escrituras de la importación. Se ejecutan sobre una copia de la base, que luego reemplaza a la
-- original de una vez. `entrantes` es la tabla de filas aceptadas que registra el importador.

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
    sin_cambios INTEGER
);

-- name: registrar_importacion
INSERT INTO importaciones
SELECT coalesce(max(importacion_id), 0) + 1, $fecha, $tipo, $archivo, $sha256, $filas,
       $aceptadas, $rechazadas, $nuevas, $actualizadas, $sin_cambios
FROM importaciones;

-- name: historial_importaciones
SELECT * FROM importaciones ORDER BY importacion_id DESC;

-- name: fijar_metadato
INSERT OR REPLACE INTO metadatos VALUES ($clave, $valor);

-- name: cortes
-- Última fecha de cada fuente de datos, para "datos al" y la frescura por fuente.
SELECT 'fecha_corte_' || fuente AS clave, max(fecha_hora)::DATE::VARCHAR AS valor
FROM incidentes GROUP BY fuente
UNION ALL SELECT 'fecha_corte', max(fecha_hora)::DATE::VARCHAR FROM incidentes
UNION ALL SELECT 'fecha_corte_encuestas', max(fecha)::VARCHAR FROM encuesta_respuestas
UNION ALL SELECT 'fecha_corte_actividades', max(fecha)::VARCHAR FROM actividades;

-- name: comparar_incidentes
SELECT
    count(*) FILTER (WHERE v.incidente_id IS NULL) AS nuevas,
    count(*) FILTER (WHERE v.incidente_id IS NOT NULL AND (
        n.fecha_hora, n.delito, n.lat, n.lon, n.barrio_id
    ) IS DISTINCT FROM (v.fecha_hora, v.delito, v.lat, v.lon, v.barrio_id)) AS actualizadas
FROM entrantes n
LEFT JOIN incidentes v ON v.fuente = n.fuente AND v.incidente_id = n.incidente_id;

-- name: fusionar_incidentes
-- Se reescribe la tabla ordenada por fecha para que los filtros de fecha sigan saltando grupos.
CREATE TEMP TABLE combinada AS
SELECT * FROM incidentes v
WHERE NOT EXISTS (
    SELECT 1 FROM entrantes n WHERE n.fuente = v.fuente AND n.incidente_id = v.incidente_id)
UNION ALL BY NAME SELECT * FROM entrantes;
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
DELETE FROM encuesta_respuestas WHERE respuesta_id IN (SELECT respuesta_id FROM entrantes);
INSERT INTO encuesta_respuestas BY NAME SELECT * FROM entrantes;

-- name: comparar_actividades
SELECT
    count(*) FILTER (WHERE v.actividad_id IS NULL) AS nuevas,
    count(*) FILTER (WHERE v.actividad_id IS NOT NULL AND (
        n.fecha, n.barrio_id, n.linea, n.actividad, n.participantes, n.hogares
    ) IS DISTINCT FROM (
        v.fecha, v.barrio_id, v.linea, v.actividad, v.participantes, v.hogares
    )) AS actualizadas
FROM entrantes n
LEFT JOIN actividades v USING (actividad_id);

-- name: fusionar_actividades
DELETE FROM actividades WHERE actividad_id IN (SELECT actividad_id FROM entrantes);
INSERT INTO actividades BY NAME SELECT * FROM entrantes;

-- name: comparar_barrios
SELECT
    count(*) FILTER (WHERE v.barrio_id IS NULL) AS nuevas,
    count(*) FILTER (WHERE v.barrio_id IS NOT NULL AND (
        n.nombre, n.sector_id, n.poblacion, n.hogares, n.geometria
    ) IS DISTINCT FROM (v.nombre, v.sector_id, v.poblacion, v.hogares, v.geometria)) AS actualizadas
FROM entrantes n
LEFT JOIN barrios v USING (barrio_id);

-- name: fusionar_barrios
INSERT OR REPLACE INTO sectores SELECT DISTINCT sector_id, sector FROM entrantes;
DELETE FROM barrios WHERE barrio_id IN (SELECT barrio_id FROM entrantes);
INSERT INTO barrios BY NAME SELECT * EXCLUDE (sector), false AS sintetico FROM entrantes;

-- name: reasignar_barrios
-- Tras cambiar polígonos, cada incidente vuelve a quedar en el barrio que contiene su punto.
UPDATE incidentes SET barrio_id = r.barrio_id
FROM reasignados r
WHERE incidentes.fuente = r.fuente AND incidentes.incidente_id = r.incidente_id;
