-- Versiones de los datos. Cada importación que cambia algo crea una versión (la base recién
-- generada o creada es la 1). Las tablas vigentes guardan en `version_desde` la versión en que
-- entró cada fila; cuando una importación la reemplaza, la fila anterior pasa a `<tabla>_historia`
-- con `version_hasta`, la versión que la reemplazó. Así la base crece con los cambios, no con una
-- copia por importación, y la lectura de lo vigente no cambia.

-- name: base_de_datos
-- La base que guarda las tablas (para incluir en consultas a duckdb_tables o duckdb_columns): en un
-- cursor fijado a una versión anterior, current_database() es la de las vistas, no la de los datos.
(SELECT database_name FROM duckdb_tables() WHERE table_name = 'metadatos' LIMIT 1)

-- name: base_versionada
SELECT count(*) > 0 AS versionada
FROM duckdb_tables()
WHERE table_name = 'incidentes_historia' AND database_name =
{{base_de_datos}};

-- name: version_actual
SELECT coalesce(max(version), 1) AS version FROM importaciones;

-- name: versiones
-- La versión 1 es la base tal como se generó o creó; las demás, una por importación.
SELECT 1 AS version, NULL::TIMESTAMP AS fecha, NULL AS tipo, NULL AS archivo,
       NULL::INTEGER AS nuevas, NULL::INTEGER AS actualizadas
UNION ALL
SELECT version, fecha, tipo, archivo, nuevas, actualizadas
FROM importaciones WHERE version IS NOT NULL
ORDER BY version;

-- name: vistas_fijadas
-- Vistas con los nombres de las tablas versionadas, que muestran las filas válidas en la versión
-- de la variable `version_fijada` de cada cursor. Viven en la base en memoria de la conexión
-- (memory.fijada) y un cursor fijado las pone antes que la base en su search_path: así cada
-- consulta de consultas/ lee la versión pedida sin cambiar una línea.
CREATE SCHEMA IF NOT EXISTS memory.fijada;
CREATE OR REPLACE VIEW memory.fijada.incidentes AS
SELECT * EXCLUDE (version_desde) FROM base.main.incidentes
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.incidentes_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');
CREATE OR REPLACE VIEW memory.fijada.incidentes_diarios AS
{{columnas_diarias}}
FROM memory.fijada.incidentes
GROUP BY ALL;
CREATE OR REPLACE VIEW memory.fijada.encuesta_respuestas AS
SELECT * EXCLUDE (version_desde) FROM base.main.encuesta_respuestas
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.encuesta_respuestas_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');
CREATE OR REPLACE VIEW memory.fijada.actividades AS
SELECT * EXCLUDE (version_desde) FROM base.main.actividades
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.actividades_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');
CREATE OR REPLACE VIEW memory.fijada.barrios AS
SELECT * EXCLUDE (version_desde) FROM base.main.barrios
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.barrios_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');
CREATE OR REPLACE VIEW memory.fijada.sectores AS
SELECT * EXCLUDE (version_desde) FROM base.main.sectores
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.sectores_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');
CREATE OR REPLACE VIEW memory.fijada.metadatos AS
SELECT * EXCLUDE (version_desde) FROM base.main.metadatos
WHERE version_desde <= getvariable('version_fijada')
UNION ALL BY NAME
SELECT * EXCLUDE (version_desde, version_hasta) FROM base.main.metadatos_historia
WHERE version_desde <= getvariable('version_fijada') AND version_hasta > getvariable('version_fijada');

-- name: ruta_fijada
-- Un cursor fijado busca primero las vistas de memory.fijada y luego las tablas de la base.
SET search_path = 'memory.fijada,base.main';

-- name: fijar_cursor
SET VARIABLE version_fijada = $version;

-- name: preparar_versiones
-- Antes de la primera importación que cambia algo (también en bases anteriores a las versiones):
-- todo lo que la base tiene es la versión 1.
ALTER TABLE incidentes ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
ALTER TABLE encuesta_respuestas ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
ALTER TABLE actividades ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
ALTER TABLE barrios ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
ALTER TABLE sectores ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
ALTER TABLE metadatos ADD COLUMN IF NOT EXISTS version_desde INTEGER DEFAULT 1;
CREATE TABLE IF NOT EXISTS incidentes_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM incidentes LIMIT 0;
CREATE TABLE IF NOT EXISTS encuesta_respuestas_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM encuesta_respuestas LIMIT 0;
CREATE TABLE IF NOT EXISTS actividades_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM actividades LIMIT 0;
CREATE TABLE IF NOT EXISTS barrios_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM barrios LIMIT 0;
CREATE TABLE IF NOT EXISTS sectores_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM sectores LIMIT 0;
CREATE TABLE IF NOT EXISTS metadatos_historia AS
SELECT *, 0::INTEGER AS version_hasta FROM metadatos LIMIT 0;
ALTER TABLE importaciones ADD COLUMN IF NOT EXISTS version INTEGER;
