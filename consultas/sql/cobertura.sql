-- name: dmcs_diarios
-- Casos policiales DMCS por barrio y día en [$desde, $hasta): la medida de la evaluación y de la
-- necesidad (la agrupación clásica con la que se comparan los años en Chile). Límites a las 00:00:
-- sobre el agregado diario. Los barrios de $barrios_fila (en el orden de evaluacion.Conteos),
-- cada uno por su número de fila en esa lista: agrupar por un entero cuesta menos que por texto.
WITH b AS (
    SELECT unnest($barrios_fila) AS barrio_id, unnest($filas)::INTEGER AS fila
)
SELECT b.fila, i.dia, sum(i.casos)::BIGINT AS casos
FROM incidentes_diarios i
JOIN delitos d USING (delito)
JOIN b USING (barrio_id)
WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
  AND i.dia >= $desde::DATE AND i.dia < $hasta::DATE
GROUP BY ALL;

-- name: delitos_dmcs
SELECT delito FROM delitos WHERE grupo_dmcs IS NOT NULL ORDER BY delito;

-- name: actividades_de_la_evaluacion
-- Todas las actividades del programa, ordenadas por barrio, línea, fecha y actividad_id (el orden
-- en que evaluacion.intervenciones busca la primera tras la calma), con el nombre de su línea
-- (NULL si la línea no está registrada). En vez de una ventana lag() en SQL: sobre unas pocas
-- mil filas, la ventana costaba más que traerlas.
SELECT a.barrio_id, a.linea, l.nombre AS nombre_linea, a.actividad, a.fecha
FROM actividades a
LEFT JOIN lineas l USING (linea)
ORDER BY a.barrio_id, a.linea, a.fecha, a.actividad_id;

-- name: fechas_de_la_evaluacion
-- Primer y último día con casos (como rango_fechas) y las fechas de corte de los casos
-- policiales y de los datos (metadatos), en una fila.
SELECT min(fecha_hora)::DATE AS primera, max(fecha_hora)::DATE AS ultima,
       (SELECT valor FROM metadatos WHERE clave = 'fecha_corte_policial') AS corte_policial,
       (SELECT valor FROM metadatos WHERE clave = 'fecha_corte') AS corte
FROM incidentes;

-- name: barrios_de_la_evaluacion
-- Los barrios como la consulta barrios (con sector, por nombre) y, repetidas en cada fila, las
-- fechas de fechas_de_la_evaluacion: una sentencia en vez de dos.
SELECT b.barrio_id, b.nombre, b.sector_id, s.nombre AS sector, b.poblacion, b.hogares, f.*
FROM barrios b
JOIN sectores s USING (sector_id)
CROSS JOIN (
{{fechas_de_la_evaluacion}}
) f
ORDER BY b.nombre;

-- name: cobertura_por_barrio
-- Actividades del programa por barrio en el período [$desde, $ultimo] (líneas elegidas, o
-- todas), con todos los barrios del territorio (también los sin actividades), y la fecha de la
-- última actividad hasta $ultimo (de cualquier momento).
WITH periodo AS (
    SELECT barrio_id, count(*) AS actividades,
           sum(participantes)::BIGINT AS participantes,
           sum(hogares)::BIGINT AS hogares_alcanzados,
           count(*) FILTER (WHERE linea = '2.1') AS l21,
           count(*) FILTER (WHERE linea = '2.2') AS l22,
           count(*) FILTER (WHERE linea = '2.3') AS l23,
           count(*) FILTER (WHERE linea = '2.4') AS l24,
           count(*) FILTER (WHERE linea = '2.5') AS l25
    FROM actividades
    WHERE fecha >= $desde AND fecha <= $ultimo
      AND (len($lineas) = 0 OR list_contains($lineas, linea))
    GROUP BY barrio_id
),
ultima AS (
    SELECT barrio_id, max(fecha) AS ultima
    FROM actividades
    WHERE fecha <= $ultimo AND (len($lineas) = 0 OR list_contains($lineas, linea))
    GROUP BY barrio_id
)
SELECT b.barrio_id, b.nombre AS barrio, b.sector_id, s.nombre AS sector, b.poblacion, b.hogares,
       coalesce(p.actividades, 0) AS actividades,
       coalesce(p.participantes, 0) AS participantes,
       coalesce(p.hogares_alcanzados, 0) AS hogares_alcanzados,
       coalesce(p.l21, 0) AS "2.1", coalesce(p.l22, 0) AS "2.2", coalesce(p.l23, 0) AS "2.3",
       coalesce(p.l24, 0) AS "2.4", coalesce(p.l25, 0) AS "2.5",
       u.ultima
FROM barrios b
JOIN sectores s USING (sector_id)
LEFT JOIN periodo p USING (barrio_id)
LEFT JOIN ultima u USING (barrio_id)
WHERE (len($barrios) = 0 OR list_contains($barrios, b.barrio_id))
  AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id))
ORDER BY b.nombre;

-- name: actividades_por_tipo
-- Actividades por barrio, línea y tipo (sección 3 del programa) en el período.
SELECT b.nombre AS barrio, s.nombre AS sector, a.linea, l.nombre AS nombre_linea, a.actividad,
       count(*) AS actividades, sum(a.participantes)::BIGINT AS participantes,
       sum(a.hogares)::BIGINT AS hogares_alcanzados
FROM actividades a
JOIN barrios b USING (barrio_id)
JOIN sectores s USING (sector_id)
JOIN lineas l USING (linea)
WHERE a.fecha >= $desde AND a.fecha <= $ultimo
  AND (len($lineas) = 0 OR list_contains($lineas, a.linea))
  AND (len($barrios) = 0 OR list_contains($barrios, a.barrio_id))
  AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id))
GROUP BY ALL
ORDER BY barrio, a.linea, actividades DESC, a.actividad;

-- name: dmcs_diarios_en_franjas
-- Casos policiales DMCS por día en la franja de cada barrio: los de otros barrios cuya celda H3
-- (ancestro de h3_11 de la resolución de la franja) está en ella. $celdas, $barrios_franja y
-- $filas son listas paralelas (celda, barrio de cuya franja es parte y su número de fila en
-- evaluacion.Conteos): se agrupa por ese número, no por el texto del barrio (más rápido).
WITH franjas AS (
    SELECT unnest($celdas)::UBIGINT AS celda, unnest($barrios_franja) AS barrio_id,
           unnest($filas)::INTEGER AS fila
)
SELECT f.fila, i.fecha_hora::DATE AS dia, count(*) AS casos
FROM incidentes i
JOIN delitos d USING (delito)
JOIN franjas f
  ON f.celda = ((i.h3_11 | $digitos::UBIGINT) & $sin_resolucion::UBIGINT) | $resolucion_h3::UBIGINT
WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
  AND i.fecha_hora >= $desde AND i.fecha_hora < $hasta
  AND i.barrio_id <> f.barrio_id
GROUP BY ALL;

-- name: ola_vigente
-- La última ola de la encuesta iniciada (su primera respuesta) hasta $hasta, o NULL.
SELECT max(ola) AS ola
FROM (SELECT ola, min(fecha) AS inicio FROM encuesta_respuestas GROUP BY ola)
WHERE inicio <= $hasta;

-- name: dmcs_por_celda_y_barrio
-- Casos policiales DMCS por celda H3 (ancestro de h3_11, como casos_por_celda) y barrio en el
-- período [$desde, $hasta): la tasa y las celdas calientes de la necesidad en una lectura. Trae
-- también las celdas con casos solo en el período anterior de igual largo (con 0 casos): son
-- parte del universo del Gi* de mapa.puntos_calientes.
SELECT ((i.h3_11 | $digitos::UBIGINT) & $sin_resolucion::UBIGINT) | $resolucion_h3::UBIGINT
           AS celda,
       i.barrio_id,
       count(*) FILTER (WHERE i.fecha_hora >= $desde) AS casos
FROM incidentes i
JOIN delitos d USING (delito)
WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
  AND i.fecha_hora >= $desde_anterior AND i.fecha_hora < $hasta
GROUP BY ALL;
