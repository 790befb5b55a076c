-- name: metadatos
SELECT clave, valor FROM metadatos;

-- name: sectores
SELECT sector_id, nombre FROM sectores ORDER BY nombre;

-- name: barrios
SELECT b.barrio_id, b.nombre, b.sector_id, s.nombre AS sector, b.poblacion, b.hogares
FROM barrios b JOIN sectores s USING (sector_id)
ORDER BY b.nombre;

-- name: familias
SELECT familia, nombre FROM familias ORDER BY orden;

-- name: delitos
SELECT delito, nombre, familia, grupo_dmcs, sensible FROM delitos ORDER BY nombre;

-- name: fuentes
SELECT fuente, nombre FROM fuentes ORDER BY fuente = 'policial' DESC, nombre;

-- name: rango_fechas
SELECT min(fecha_hora)::DATE AS primera, max(fecha_hora)::DATE AS ultima FROM incidentes;

-- name: geometrias_barrios
SELECT barrio_id, nombre, geometria FROM barrios ORDER BY barrio_id;

-- name: existe_tabla
SELECT count(*) > 0 AS existe
FROM duckdb_tables()
WHERE table_name = $tabla AND database_name =
{{base_de_datos}};

-- name: geometria_comuna
SELECT nombre, geometria FROM comuna;
