-- El agregado diario de los incidentes: casos por día, fuente, barrio y tipo. Las consultas cuyo
-- grano es un día entero (ventanas de días completos, series diarias) lo leen en vez de recorrer
-- `incidentes`: a 10 millones de casos son unas 1,6 millones de filas. Lo escribe todo camino que
-- escribe incidentes (demo, importación, base vacía), dentro del archivo nuevo antes de ponerlo en
-- lugar del anterior: nunca queda viejo.

-- name: columnas_diarias
-- Una sola definición de la agregación, para la tabla y para las vistas (versión fijada, base
-- antigua): se completa con FROM y GROUP BY ALL.
SELECT fecha_hora::DATE AS dia, fuente, barrio_id, familia, delito, count(*)::BIGINT AS casos

-- name: construir_incidentes_diarios
-- Ordenada por día: un filtro de fechas salta los grupos de filas fuera del rango.
CREATE OR REPLACE TABLE incidentes_diarios AS
{{columnas_diarias}}
FROM incidentes
GROUP BY ALL
ORDER BY dia, fuente, barrio_id, delito;

-- name: vista_diarios_antigua
-- Un archivo escrito antes del agregado (y abierto en solo lectura) lo ve como una vista que
-- agrega `incidentes` al consultarla: las mismas filas, sin la ganancia de velocidad.
CREATE SCHEMA IF NOT EXISTS memory.antigua;
CREATE OR REPLACE VIEW memory.antigua.incidentes_diarios AS
{{columnas_diarias}}
FROM base.main.incidentes
GROUP BY ALL;

-- name: ruta_antigua
SET search_path = 'base.main,memory.antigua';
