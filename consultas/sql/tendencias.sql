-- name: primer_dia_fuente
-- Primer día con datos de una fuente: antes de él un día sin casos es un día sin datos, no un cero.
SELECT min(dia) AS primer_dia FROM incidentes_diarios WHERE fuente = $fuente;

-- name: casos_diarios
-- Casos por día de toda la historia, en total, por familia o por tipo ($desglose). Se agrupa por
-- día y la clave del desglose (en total, solo por día: muchos menos grupos) y los nombres se unen
-- sobre ese resultado pequeño.
WITH diarios AS (
    SELECT i.dia,
           CASE $desglose WHEN 'familia' THEN i.familia WHEN 'delito' THEN i.delito END AS clave,
           sum(i.casos) AS casos
    FROM incidentes_diarios i
    WHERE {{filtro_incidentes}}
    GROUP BY ALL
)
SELECT d.dia, coalesce(n.nombre, 'Total') AS grupo, sum(d.casos)::BIGINT AS casos
FROM diarios d
LEFT JOIN (
    SELECT 'delito' AS desglose, delito AS clave, nombre FROM delitos
    UNION ALL
    SELECT 'familia', familia, nombre FROM familias
) n ON n.desglose = $desglose AND n.clave = d.clave
GROUP BY ALL
ORDER BY d.dia;

-- name: casos_por_hora_y_dia
-- Casos por día de la semana (1 = lunes) y hora, en [$desde, $hasta).
SELECT isodow(i.fecha_hora) AS dia_semana, hour(i.fecha_hora) AS hora, count(*) AS casos
FROM incidentes i
WHERE i.fecha_hora >= $desde AND i.fecha_hora < $hasta
  AND {{filtro_incidentes}}
GROUP BY ALL;

-- name: casos_por_barrio_en_ventanas
-- Casos de cada barrio de la comuna en la ventana actual, la anterior y la del año anterior, en una
-- pasada sobre [$inicio, $hasta). Los filtros territoriales se aplican después, en Python: la tasa
-- comunal del embudo necesita todos los barrios. Las ventanas son de días enteros (límites a las
-- 00:00): se cuentan sobre el agregado diario.
WITH conteos AS (
    SELECT i.barrio_id,
           sum(i.casos) FILTER (WHERE i.dia >= $desde::DATE) AS actual,
           sum(i.casos) FILTER (WHERE i.dia >= $desde_anterior::DATE AND i.dia < $desde::DATE)
               AS anterior,
           sum(i.casos) FILTER (WHERE i.dia >= $desde_anio::DATE AND i.dia < $hasta_anio::DATE)
               AS anio_anterior
    FROM incidentes_diarios i
    WHERE i.dia >= $inicio::DATE AND i.dia < $hasta::DATE
      AND {{filtro_incidentes}}
    GROUP BY i.barrio_id
)
SELECT b.barrio_id, b.nombre, b.sector_id, s.nombre AS sector, b.poblacion,
       coalesce(c.actual, 0)::BIGINT AS actual,
       coalesce(c.anterior, 0)::BIGINT AS anterior,
       coalesce(c.anio_anterior, 0)::BIGINT AS anio_anterior
FROM barrios b
JOIN sectores s USING (sector_id)
LEFT JOIN conteos c USING (barrio_id)
ORDER BY b.nombre;

-- name: filtro_actividades
-- Territorio de las actividades (a, con su barrio b): una lista vacía significa "todos".
(len($barrios) = 0 OR list_contains($barrios, a.barrio_id))
AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id))

-- name: actividades_del_periodo
-- Actividades del programa en el territorio elegido, entre $desde y $hasta (fechas inclusivas).
SELECT a.fecha, a.linea, l.nombre AS nombre_linea, a.actividad, a.participantes, a.hogares,
       b.nombre AS barrio
FROM actividades a
JOIN barrios b USING (barrio_id)
JOIN lineas l USING (linea)
WHERE a.fecha >= $desde AND a.fecha <= $hasta
  AND {{filtro_actividades}}
ORDER BY a.fecha, b.nombre;
