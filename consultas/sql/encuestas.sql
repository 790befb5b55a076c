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

-- name: casos_dmcs_por_sector
-- Casos policiales DMCS, la categoría que más se acerca a la victimización de la encuesta. Los
-- 12 meses empiezan y terminan a las 00:00: se cuentan sobre el agregado diario.
SELECT b.sector_id, sum(i.casos)::BIGINT AS casos
FROM incidentes_diarios i
JOIN delitos d USING (delito)
JOIN barrios b USING (barrio_id)
WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
    AND i.dia >= $desde::DATE AND i.dia < $hasta::DATE
GROUP BY b.sector_id;

-- name: hogares_por_sector
SELECT sector_id, sum(hogares)::BIGINT AS hogares FROM barrios GROUP BY sector_id;

-- name: indicadores_encuesta
-- columnas_encuesta con el nombre visible de cada indicador (tabla indicadores), en una sola consulta.
SELECT c.column_name AS columna, c.data_type AS tipo, i.nombre
FROM duckdb_columns() c
LEFT JOIN indicadores i ON i.indicador = c.column_name
WHERE c.table_name = 'encuesta_respuestas' AND c.database_name =
{{base_de_datos}}
    AND c.column_name <> 'version_desde'  -- de las versiones de los datos, no un indicador
ORDER BY c.column_index;

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

-- name: inicio_ola_y_primer_caso
-- Primer día de respuestas de la ola (NULL si no tiene) y primer día con incidentes.
SELECT
    (SELECT min(fecha) FROM encuesta_respuestas WHERE ola = $ola) AS inicio,
    (SELECT min(fecha_hora)::DATE FROM incidentes) AS primera;
