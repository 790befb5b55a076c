-- name: casos_por_celda
-- Casos por celda H3 de la resolución pedida, en el período y en el anterior de igual largo. La
-- celda es el ancestro de h3_11, calculado por bits (consultas/celdas.py).
SELECT ((i.h3_11 | $digitos::UBIGINT) & $sin_resolucion::UBIGINT) | $resolucion_h3::UBIGINT
           AS celda,
       count(*) FILTER (WHERE i.fecha_hora >= $desde) AS actual,
       count(*) FILTER (WHERE i.fecha_hora < $desde) AS anterior
FROM incidentes i
WHERE i.fecha_hora >= $desde_anterior AND i.fecha_hora < $hasta
  AND {{filtro_incidentes}}
GROUP BY celda;

-- name: casos_por_celda_y_periodo
-- Casos por celda y período: $periodos períodos de $dias días que terminan el día $ultimo
-- (período 0 el más antiguo).
SELECT ((i.h3_11 | $digitos::UBIGINT) & $sin_resolucion::UBIGINT) | $resolucion_h3::UBIGINT
           AS celda,
       ($periodos - 1 - date_diff('day', i.fecha_hora::DATE, $ultimo::DATE) // $dias)::INTEGER
           AS periodo,
       count(*) AS casos
FROM incidentes i
WHERE i.fecha_hora >= $desde AND i.fecha_hora < $hasta
  AND {{filtro_incidentes}}
GROUP BY ALL;

-- name: puntos_incidentes
-- Casos individuales (solo para el rol analista y bajo un tope que la página declara).
SELECT i.lat, i.lon, i.fecha_hora, d.nombre AS delito, b.nombre AS barrio
FROM incidentes i
JOIN delitos d USING (delito)
JOIN barrios b USING (barrio_id)
WHERE i.fecha_hora >= $desde AND i.fecha_hora < $hasta
  AND {{filtro_incidentes}}
ORDER BY i.fecha_hora
LIMIT $limite;

-- name: actividades_por_barrio
-- Actividades del programa por barrio y línea en el período, dentro del territorio filtrado.
SELECT a.barrio_id, b.nombre AS barrio, a.linea, l.nombre AS nombre_linea,
       count(*) AS actividades, sum(a.participantes)::BIGINT AS participantes
FROM actividades a
JOIN barrios b USING (barrio_id)
JOIN lineas l USING (linea)
WHERE a.fecha >= $desde AND a.fecha <= $ultimo
  AND {{filtro_actividades}}
  AND (len($lineas) = 0 OR list_contains($lineas, a.linea))
GROUP BY ALL
ORDER BY barrio, linea;

-- name: lineas
SELECT linea, nombre FROM lineas ORDER BY linea;

-- name: geometrias_mapa
-- Lo que el mapa necesita de las geometrías, en una sola consulta: cada barrio (en el orden de la
-- tabla: la unión del territorio se arma en ese orden) con su polígono y si está en el territorio
-- elegido, y el contorno comunal en cada fila (una fila sin barrio si no hay barrios).
SELECT b.barrio_id, b.nombre, b.geometria,
       (len($barrios) = 0 OR list_contains($barrios, b.barrio_id))
       AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id)) AS elegido,
       c.geometria AS comuna
FROM (SELECT geometria FROM comuna LIMIT 1) c
LEFT JOIN barrios b ON TRUE;
