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

-- name: nombres_indicadores
SELECT indicador, nombre FROM indicadores;

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
