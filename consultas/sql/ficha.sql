-- name: casos_mensuales_barrio
-- Casos por mes del barrio y de la comuna en [$desde, $hasta) (días enteros), de la fuente elegida,
-- y en cada fila la población del barrio y de la comuna (barrios con sector, como el catálogo).
SELECT date_trunc('month', i.dia)::DATE AS mes,
       coalesce(sum(i.casos) FILTER (WHERE i.barrio_id = $barrio), 0)::BIGINT AS barrio,
       sum(i.casos)::BIGINT AS comuna,
       {{poblacion_barrio_y_comuna}}
FROM incidentes_diarios i
WHERE i.fuente = $fuente AND i.dia >= $desde::DATE AND i.dia < $hasta::DATE
GROUP BY ALL
ORDER BY mes;

-- name: delitos_del_barrio
-- Casos por tipo de delito o procedimiento del barrio en el período.
SELECT d.nombre AS delito, f.nombre AS familia, sum(i.casos)::BIGINT AS casos
FROM incidentes_diarios i
JOIN delitos d USING (delito)
JOIN familias f ON f.familia = i.familia
WHERE i.fuente = $fuente AND i.barrio_id = $barrio
  AND i.dia >= $desde::DATE AND i.dia < $hasta::DATE
GROUP BY ALL
ORDER BY casos DESC, delito
LIMIT $limite;

-- name: hora_dia_barrio
-- Casos del barrio por día de la semana (1 lunes … 7 domingo) y hora en el período.
SELECT isodow(i.fecha_hora) AS dia, hour(i.fecha_hora) AS hora, count(*) AS casos
FROM incidentes i
WHERE i.fuente = $fuente AND i.barrio_id = $barrio
  AND i.fecha_hora >= $desde AND i.fecha_hora < $hasta
GROUP BY ALL;

-- name: unidades_del_barrio
-- El barrio y su sector, con su posición (desde 0) entre los barrios y entre los sectores por
-- nombre, como en `encuestas.estimaciones`, y cuántos sectores hay.
WITH s AS (
    SELECT sector_id, nombre, row_number() OVER (ORDER BY nombre) - 1 AS posicion FROM sectores
),
b AS (
    SELECT b.barrio_id, b.nombre, b.sector_id,
           row_number() OVER (ORDER BY b.nombre) - 1 AS posicion
    FROM barrios b JOIN sectores USING (sector_id)
)
SELECT b.barrio_id, b.nombre, b.sector_id, s.nombre AS sector, b.posicion AS posicion_barrio,
       s.posicion AS posicion_sector, (SELECT count(*) FROM sectores) AS sectores
FROM b JOIN s USING (sector_id)
WHERE b.barrio_id = $barrio;

-- name: poblacion_barrio_y_comuna
(SELECT b.poblacion FROM barrios b JOIN sectores USING (sector_id) WHERE b.barrio_id = $barrio)
    AS poblacion_barrio,
(SELECT sum(b.poblacion) FROM barrios b JOIN sectores USING (sector_id)) AS poblacion_comuna

-- name: ultima_actividad_del_barrio
-- La fecha de la última actividad del programa del barrio hasta $ultimo (de cualquier línea), o
-- NULL; solo de un barrio del catálogo (con sector), como cobertura_por_barrio.
SELECT max(a.fecha) AS ultima
FROM actividades a
JOIN barrios b USING (barrio_id)
JOIN sectores s USING (sector_id)
WHERE a.barrio_id = $barrio AND a.fecha <= $ultimo;

-- name: casos_del_barrio
-- La fila de un barrio en `casos_por_barrio` (toda la comuna y todas las familias de la fuente),
-- su posición en esa tabla (por nombre) y los casos y la población de la comuna (todas sus filas),
-- en una consulta: la Ficha no necesita la tabla entera. Sin fila si el barrio no está en ella.
WITH conteos AS (
    SELECT i.barrio_id,
           sum(i.casos) FILTER (WHERE i.dia >= $desde::DATE) AS actual,
           sum(i.casos) FILTER (WHERE i.dia < $desde::DATE) AS anterior
    FROM incidentes_diarios i
    WHERE i.dia >= $desde_anterior::DATE AND i.dia < $hasta::DATE AND i.fuente = $fuente
    GROUP BY i.barrio_id
)
SELECT b.barrio_id, b.nombre, s.nombre AS sector, b.poblacion,
       coalesce(c.actual, 0)::BIGINT AS actual, coalesce(c.anterior, 0)::BIGINT AS anterior,
       row_number() OVER (ORDER BY b.nombre) - 1 AS posicion,
       sum(coalesce(c.actual, 0)) OVER ()::BIGINT AS actual_comuna,
       sum(b.poblacion) OVER ()::BIGINT AS poblacion_comuna
FROM barrios b
JOIN sectores s USING (sector_id)
LEFT JOIN conteos c USING (barrio_id)
QUALIFY b.barrio_id = $barrio;
