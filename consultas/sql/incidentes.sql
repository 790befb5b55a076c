-- name: filtro_incidentes
-- Filtro compartido: una lista vacía significa "todos".
i.fuente = $fuente
AND (len($barrios) = 0 OR list_contains($barrios, i.barrio_id))
AND (len($sectores) = 0 OR list_contains(
    (SELECT list(barrio_id) FROM barrios WHERE list_contains($sectores, sector_id)), i.barrio_id))
AND (len($familias) = 0 OR list_contains($familias, i.familia))
AND (len($delitos) = 0 OR list_contains($delitos, i.delito))

-- name: poblacion
-- Población de los barrios elegidos (o de la comuna si no hay filtro territorial).
SELECT coalesce(sum(poblacion), 0) AS poblacion
FROM barrios
WHERE (len($barrios) = 0 OR list_contains($barrios, barrio_id))
  AND (len($sectores) = 0 OR list_contains($sectores, sector_id));

-- name: casos_por_ventana_y_familia
-- Casos por ventana de tiempo y familia; $ventanas, $desdes y $hastas son listas paralelas.
-- Se cuenta primero por día (una sola pasada sobre el rango total, que salta los grupos de filas
-- fuera de él) y luego se suman los días de cada ventana: así cada caso se lee una vez aunque caiga
-- en varias ventanas. Los límites son días enteros (00:00): se lee el agregado diario.
WITH ventanas AS (
    SELECT unnest($ventanas) AS ventana, unnest($desdes)::DATE AS desde,
           unnest($hastas)::DATE AS hasta
),
diarios AS (
    SELECT i.dia, i.familia, sum(i.casos) AS casos
    FROM incidentes_diarios i
    WHERE i.dia >= $inicio::DATE AND i.dia < $fin::DATE
      AND {{filtro_incidentes}}
    GROUP BY ALL
)
SELECT v.ventana, f.nombre AS familia, f.orden, sum(d.casos)::BIGINT AS casos
FROM diarios d
JOIN ventanas v ON d.dia >= v.desde AND d.dia < v.hasta
JOIN familias f ON f.familia = d.familia
GROUP BY ALL;

-- name: casos_por_barrio
-- Casos por barrio en la ventana actual y la anterior, con todos los barrios (también los sin casos).
-- Ventanas de días enteros: sobre el agregado diario.
WITH conteos AS (
    SELECT i.barrio_id,
           sum(i.casos) FILTER (WHERE i.dia >= $desde::DATE) AS actual,
           sum(i.casos) FILTER (WHERE i.dia < $desde::DATE) AS anterior
    FROM incidentes_diarios i
    WHERE i.dia >= $desde_anterior::DATE AND i.dia < $hasta::DATE
      AND {{filtro_incidentes}}
    GROUP BY i.barrio_id
)
SELECT b.barrio_id, b.nombre, s.nombre AS sector, b.poblacion,
       coalesce(c.actual, 0)::BIGINT AS actual, coalesce(c.anterior, 0)::BIGINT AS anterior
FROM barrios b
JOIN sectores s USING (sector_id)
LEFT JOIN conteos c USING (barrio_id)
WHERE (len($barrios) = 0 OR list_contains($barrios, b.barrio_id))
  AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id))
ORDER BY b.nombre;

-- name: casos_por_familia
-- Casos por familia en una sola ventana [$desde, $hasta).
SELECT f.nombre AS familia, f.orden, sum(i.casos)::BIGINT AS casos
FROM incidentes_diarios i
JOIN familias f ON f.familia = i.familia
WHERE i.dia >= $desde::DATE AND i.dia < $hasta::DATE
  AND {{filtro_incidentes}}
GROUP BY ALL;
