-- name: olas
SELECT DISTINCT ola FROM encuesta_respuestas ORDER BY ola DESC;

-- name: columnas_encuesta
-- Las columnas de indicadores se descubren del esquema: una importación puede traer otras.
SELECT column_name AS columna, data_type AS tipo
FROM duckdb_columns()
WHERE table_name = 'encuesta_respuestas' AND database_name =
{{base_de_datos}}
    AND column_name <> 'version_desde'  -- de las versiones de los datos, no un indicador
ORDER BY column_index;

-- name: respuestas_encuesta
SELECT r.*, b.sector_id
FROM encuesta_respuestas r
LEFT JOIN barrios b USING (barrio_id)
WHERE r.ola = ANY($olas);

-- name: estratos_un_conglomerado
SELECT ola, estrato
FROM encuesta_respuestas
WHERE ola = ANY($olas)
GROUP BY ola, estrato
HAVING count(DISTINCT conglomerado) = 1
ORDER BY ola, estrato;

-- name: inicio_olas
SELECT ola, min(fecha) AS inicio FROM encuesta_respuestas WHERE ola = ANY($olas) GROUP BY ola;

-- name: indicadores_encuesta
-- columnas_encuesta con el nombre visible de cada indicador (tabla indicadores), en una sola consulta.
-- pragma_table_info lee solo esta tabla (la vista de la versión fijada, si la hay), sin recorrer el
-- catálogo entero como duckdb_columns().
SELECT c.name AS columna, c.type AS tipo, i.nombre
FROM pragma_table_info('encuesta_respuestas') c
LEFT JOIN indicadores i ON i.indicador = c.name
WHERE c.name <> 'version_desde'  -- de las versiones de los datos, no un indicador
ORDER BY c.cid;

-- name: unidades_encuesta
-- Los sectores y los barrios de las consultas sectores y barrios, en su orden, en una consulta.
SELECT nivel, unidad_id, unidad, sector_id
FROM (
    SELECT 0 AS orden, 'sector' AS nivel, sector_id AS unidad_id, nombre AS unidad, sector_id
    FROM sectores
    UNION ALL
    SELECT 1, 'barrio', b.barrio_id, b.nombre, b.sector_id
    FROM barrios b JOIN sectores s USING (sector_id)
)
ORDER BY orden, unidad;

-- name: casos_y_hogares_de_la_ola
-- Lo que la cifra negra compara con la encuesta, en una consulta: hogares y casos policiales DMCS
-- (la categoría que más se acerca a la victimización de la encuesta) de cada grupo de barrios por
-- sector_id, con el nombre del sector si está en `sectores` (y cada sector, aunque no tenga barrios),
-- en los 12 meses antes del primer día de respuestas de la ola $ola (`hasta`, NULL si no tiene), y el
-- primer día con incidentes. Los 12 meses empiezan y terminan a las 00:00: se cuentan sobre el
-- agregado diario. Sin barrios ni sectores, una fila con la ventana.
WITH ventana AS (
    SELECT (min(fecha) - INTERVAL 1 YEAR)::DATE AS desde, min(fecha) AS hasta
    FROM encuesta_respuestas
    WHERE ola = $ola
),
casos AS (
    SELECT b.sector_id, sum(i.casos)::BIGINT AS casos
    FROM incidentes_diarios i
    JOIN delitos d USING (delito)
    JOIN barrios b USING (barrio_id)
    WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
        AND i.dia >= (SELECT desde FROM ventana) AND i.dia < (SELECT hasta FROM ventana)
    GROUP BY b.sector_id
),
grupos AS (
    SELECT sector_id, h.hogares, c.casos, s.nombre AS unidad, s.sector_id IS NOT NULL AS es_sector
    FROM (SELECT sector_id, sum(hogares)::BIGINT AS hogares FROM barrios GROUP BY sector_id) h
    LEFT JOIN casos c USING (sector_id)
    FULL JOIN sectores s USING (sector_id)
)
SELECT g.*, v.desde, v.hasta, (SELECT min(fecha_hora)::DATE FROM incidentes) AS primera
FROM ventana v
LEFT JOIN grupos g ON true
ORDER BY g.unidad, g.sector_id;

-- name: celdas_encuesta
-- Las respuestas de las olas $olas sumadas por celda: conglomerado (UPM) y barrio de una ola.
WITH elegidas AS (SELECT * FROM encuesta_respuestas WHERE list_contains($olas, ola))
{{sumas_por_celda}};

-- name: celdas_ola_vigente
-- Lo mismo que celdas_encuesta para la última ola iniciada hasta $hasta (ola_vigente).
WITH elegidas AS (
    SELECT *
    FROM encuesta_respuestas
    WHERE ola = (
        {{ola_vigente}}
    )
)
{{sumas_por_celda}};

-- name: sumas_por_celda
-- Lo único que la estimación y su error estándar necesitan de las respuestas `elegidas`
-- (consultas/encuestas.py): por celda (ola, conglomerado, barrio) y por cada indicador de
-- $columnas, en el orden de la tabla, cuatro grupos de columnas: la suma de los factores de quienes
-- respondieron, la suma de factor × valor, cuántos respondieron y si todos sus valores son 0 o 1.
-- Las celdas van ordenadas por ola, estrato, conglomerado y barrio: cada conglomerado en filas
-- seguidas (así se numeran, sin funciones de ventana) y un orden fijo para las sumas.
, celdas AS (
    SELECT
        ola,
        estrato,
        conglomerado,
        barrio_id,
        sum(factor * (COLUMNS($columnas) IS NOT NULL)::INTEGER),
        coalesce(sum(factor * COLUMNS($columnas)), 0),
        count(COLUMNS($columnas)),
        coalesce(bool_and(COLUMNS($columnas) IN (0, 1)), true)
    FROM elegidas
    GROUP BY ola, estrato, conglomerado, barrio_id
)
SELECT c.estrato, c.conglomerado, b.sector_id, c.* EXCLUDE (estrato, conglomerado)
FROM celdas c
LEFT JOIN barrios b USING (barrio_id)
ORDER BY c.ola, c.estrato, c.conglomerado, c.barrio_id
