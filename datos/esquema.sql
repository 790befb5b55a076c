-- Esquema de la base del observatorio (contrato de datos, DISENO.md §3).
-- Las tablas de catálogo se llenan desde datos/catalogo.py; incidentes se guarda ORDER BY fecha_hora
-- e incidentes_diarios ORDER BY dia.

CREATE TABLE metadatos (clave VARCHAR PRIMARY KEY, valor VARCHAR NOT NULL);

CREATE TABLE comuna (nombre VARCHAR NOT NULL, geometria VARCHAR NOT NULL, fuente VARCHAR NOT NULL);

CREATE TABLE sectores (sector_id VARCHAR PRIMARY KEY, nombre VARCHAR NOT NULL);

CREATE TABLE barrios (
    barrio_id VARCHAR PRIMARY KEY,
    nombre VARCHAR NOT NULL,
    sector_id VARCHAR NOT NULL,
    poblacion INTEGER NOT NULL,
    hogares INTEGER NOT NULL,
    geometria VARCHAR NOT NULL,  -- GeoJSON (Polygon o MultiPolygon), WGS84
    sintetico BOOLEAN NOT NULL
);

CREATE TABLE familias (familia VARCHAR PRIMARY KEY, nombre VARCHAR NOT NULL, orden INTEGER NOT NULL);

CREATE TABLE delitos (
    delito VARCHAR PRIMARY KEY,
    nombre VARCHAR NOT NULL,
    familia VARCHAR NOT NULL,
    grupo_dmcs VARCHAR,
    sensible BOOLEAN NOT NULL
);

CREATE TABLE fuentes (fuente VARCHAR PRIMARY KEY, nombre VARCHAR NOT NULL);

CREATE TABLE incidentes (
    incidente_id VARCHAR NOT NULL,
    fecha_hora TIMESTAMP NOT NULL,
    familia VARCHAR NOT NULL,
    delito VARCHAR NOT NULL,
    fuente VARCHAR NOT NULL,
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    barrio_id VARCHAR NOT NULL,
    h3 UBIGINT NOT NULL,  -- celda H3 resolución 9
    h3_11 UBIGINT NOT NULL  -- celda H3 resolución 11; las de 7 a 10 salen por bits (consultas/celdas.py)
);

-- Casos por día, fuente, barrio y tipo: el agregado que leen las consultas de grano diario. Lo
-- reconstruye todo camino que escribe incidentes (consultas/sql/diarios.sql) con CREATE OR REPLACE
-- TABLE ... AS, que no guarda restricciones: por eso aquí tampoco las lleva.
CREATE TABLE incidentes_diarios (
    dia DATE,
    fuente VARCHAR,
    barrio_id VARCHAR,
    familia VARCHAR,
    delito VARCHAR,
    casos BIGINT
);

CREATE TABLE indicadores (indicador VARCHAR PRIMARY KEY, nombre VARCHAR NOT NULL);

CREATE TABLE encuesta_respuestas (
    respuesta_id VARCHAR NOT NULL,
    ola VARCHAR NOT NULL,  -- 'aaaa-1' (primer semestre) o 'aaaa-2'
    fecha DATE NOT NULL,
    barrio_id VARCHAR NOT NULL,
    estrato VARCHAR NOT NULL,
    conglomerado VARCHAR NOT NULL,
    factor DOUBLE NOT NULL,
    inseguro_barrio TINYINT,
    victima_hogar_12m TINYINT,
    denuncio TINYINT,  -- NULL si el hogar no fue víctima
    percibe_aumento_barrio TINYINT,
    conoce_programa TINYINT
);

CREATE TABLE lineas (linea VARCHAR PRIMARY KEY, nombre VARCHAR NOT NULL);

CREATE TABLE actividades (
    actividad_id VARCHAR NOT NULL,
    fecha DATE NOT NULL,
    barrio_id VARCHAR NOT NULL,
    linea VARCHAR NOT NULL,
    actividad VARCHAR NOT NULL,
    participantes INTEGER NOT NULL,
    hogares INTEGER NOT NULL
);
