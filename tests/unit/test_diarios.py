"""El agregado diario `incidentes_diarios`: igual a agrupar los casos, nunca viejo tras escribir
incidentes, exacto en una versión fijada y reemplazado por una vista en un archivo antiguo; y las
consultas que lo leen dan lo mismo que su versión anterior sobre `incidentes`."""

from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd
import pytest

import observatorio
from consultas import cobertura, encuestas, evaluacion, ficha, resumen, sql, tendencias
from consultas.filtros import Filtros
from consultas.versiones import Base
from datos import importacion
from tests import fixtures
from tests.unit.test_importacion import geojson, validar
from tests.versiones import cambios, importar

CLAVES = ["dia", "fuente", "barrio_id", "familia", "delito"]


def agrupar(incidentes: pd.DataFrame) -> pd.DataFrame:
    """El agregado calculado con pandas, ordenado por sus claves."""
    dias = incidentes.assign(dia=pd.to_datetime(incidentes["fecha_hora"]).dt.normalize())
    tabla = dias.groupby(CLAVES, as_index=False).size().rename(columns={"size": "casos"})
    return _normal(tabla)


def _normal(tabla: pd.DataFrame) -> pd.DataFrame:
    tabla = tabla.assign(
        dia=pd.to_datetime(tabla["dia"]).astype("datetime64[us]"),
        casos=tabla["casos"].astype("int64"),
        **{c: tabla[c].astype(str) for c in CLAVES[1:]},
    )
    return tabla[[*CLAVES, "casos"]].sort_values(CLAVES, ignore_index=True)


def leer_tabla(con, consulta: str) -> pd.DataFrame:
    with con.cursor() as cursor:
        return cursor.execute(consulta).df()


def diarios(con) -> pd.DataFrame:
    return _normal(leer_tabla(con, "SELECT * FROM incidentes_diarios"))


def incidentes(con) -> pd.DataFrame:
    return leer_tabla(con, "SELECT * FROM incidentes")


def abrir(ruta):
    return duckdb.connect(str(ruta), read_only=True)


# --- La tabla es el agrupamiento de los casos ------------------------------------------------


def test_el_agregado_del_fixture_es_el_groupby_de_sus_casos(base):
    con, casos = base
    assert diarios(con)["casos"].sum() == len(casos)
    pd.testing.assert_frame_equal(diarios(con), agrupar(casos))


def test_el_agregado_de_la_demo_es_el_groupby_y_esta_ordenado_por_dia(demo_pequena):
    con = abrir(demo_pequena)
    try:
        pd.testing.assert_frame_equal(diarios(con), agrupar(incidentes(con)))
        dias = leer_tabla(con, "SELECT dia FROM incidentes_diarios")["dia"]
        assert dias.is_monotonic_increasing
    finally:
        con.close()


def _columnas(con) -> list[tuple]:
    return leer_tabla(con, "DESCRIBE incidentes_diarios").iloc[:, :3].values.tolist()


def test_la_base_vacia_tiene_el_agregado_vacio_con_las_columnas_del_construido(
    tmp_path, demo_pequena
):
    ruta = tmp_path / "vacia.duckdb"
    importacion.crear_base(ruta)
    con, demo = abrir(ruta), abrir(demo_pequena)
    try:
        assert leer_tabla(con, "SELECT count(*) AS n FROM incidentes_diarios")["n"][0] == 0
        assert _columnas(con) == _columnas(demo)
    finally:
        con.close()
        demo.close()


# --- Nunca viejo: cada escritura de incidentes lo reconstruye ---------------------------------


def test_tras_importar_casos_nuevos_y_actualizados_sigue_igual_al_groupby(copia_demo):
    texto, _ = cambios(copia_demo, date(2026, 10, 31))
    v = importar(copia_demo, "incidentes", texto)
    assert v.nuevas == 3 and v.actualizadas == 1
    con = abrir(copia_demo)
    try:
        pd.testing.assert_frame_equal(diarios(con), agrupar(incidentes(con)))
    finally:
        con.close()


def test_tras_importar_barrios_que_mueven_casos_sigue_igual_al_groupby(tmp_path):
    ruta = tmp_path / "real.duckdb"
    importacion.crear_base(ruta)
    oeste_este = geojson(
        ("Poniente", "Centro Apoquindo", 9000, -70.60, -33.42, -70.58, -33.40),
        ("Oriente", "Centro Apoquindo", 5000, -70.58, -33.42, -70.56, -33.40),
    )
    importacion.aplicar(ruta, validar(ruta, "barrios", oeste_este, "barrios.geojson"))
    casos = "id;fecha_hora;delito;lat;lon\nC1;2026-01-01;Hurto;-33.41;-70.575\n"
    importacion.aplicar(ruta, validar(ruta, "incidentes", casos.encode()))
    corrido = geojson(
        ("Poniente", "Centro Apoquindo", 9000, -70.60, -33.42, -70.57, -33.40),
        ("Oriente", "Centro Apoquindo", 5000, -70.57, -33.42, -70.56, -33.40),
    )
    importacion.aplicar(ruta, validar(ruta, "barrios", corrido, "barrios.geojson"))
    con = abrir(ruta)
    try:
        assert diarios(con)["barrio_id"].tolist() == ["poniente"]
        pd.testing.assert_frame_equal(diarios(con), agrupar(incidentes(con)))
    finally:
        con.close()


def test_importar_en_un_archivo_antiguo_crea_el_agregado(tmp_path):
    ruta = tmp_path / "antigua.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture(300))
    _quitar_agregado(ruta)
    # Una importación que no toca incidentes igual deja el agregado que faltaba.
    v = importar(ruta, "actividades", _actividad_nueva())
    assert v.nuevas == 1
    con = abrir(ruta)
    try:
        pd.testing.assert_frame_equal(diarios(con), agrupar(incidentes(con)))
    finally:
        con.close()


def _actividad_nueva() -> str:
    return (
        "actividad_id;fecha;barrio_id;linea;actividad;participantes;hogares\n"
        "A-9;2025-06-01;norte;2.3;Campañas preventivas;10;5\n"
    )


# --- Una versión fijada ve su propio agregado -------------------------------------------------


def test_la_version_fijada_agrega_los_casos_de_esa_version(demo_pequena, copia_demo):
    texto, _ = cambios(copia_demo, date(2026, 10, 31))
    importar(copia_demo, "incidentes", texto)
    original = abrir(demo_pequena)
    try:
        esperado = agrupar(incidentes(original))
    finally:
        original.close()
    base = Base(copia_demo)
    try:
        assert base.version == 2
        fijada = diarios(base.en_version(1))
        pd.testing.assert_frame_equal(fijada, esperado)
        vigente = diarios(base)
        assert not vigente.equals(fijada)
        pd.testing.assert_frame_equal(vigente, agrupar(incidentes(base)))
    finally:
        base.close()


# --- Un archivo anterior al agregado se sigue abriendo ----------------------------------------


def _quitar_agregado(ruta) -> None:
    con = duckdb.connect(str(ruta))
    con.execute("DROP TABLE incidentes_diarios")
    con.close()


@pytest.fixture(scope="module")
def antigua(tmp_path_factory):
    """El fixture sin la tabla incidentes_diarios, como un archivo escrito antes de ella."""
    ruta = tmp_path_factory.mktemp("antigua") / "antigua.duckdb"
    casos = fixtures.incidentes_fixture()
    fixtures.construir(ruta, casos)
    _quitar_agregado(ruta)
    return ruta, casos


def test_un_archivo_sin_el_agregado_lo_ve_como_vista(antigua):
    ruta, casos = antigua
    base = Base(ruta)
    try:
        pd.testing.assert_frame_equal(diarios(base), agrupar(casos))
        filtros = Filtros(date(2025, 6, 3), date(2025, 6, 30))
        historia = tendencias.casos_diarios(base, tendencias.sin_periodo(filtros), "familia")
        assert historia["casos"].sum() == (casos["fuente"] == "policial").sum()
        assert tendencias.primer_dia(base, "policial") == casos["fecha_hora"].min().date()
    finally:
        base.close()


@pytest.mark.parametrize("tabla", ["resumen", "tendencias", "comparacion", "evaluacion"])
def test_exportar_de_un_archivo_sin_el_agregado_da_lo_mismo(antigua, tmp_path, capsys, tabla):
    ruta, casos = antigua
    nueva = tmp_path / "nueva.duckdb"
    fixtures.construir(nueva, casos)
    salidas = []
    for archivo in (nueva, ruta):
        argumentos = ["exportar", tabla, "--db", str(archivo), "--formato", "csv"]
        if tabla != "evaluacion":  # la evaluación no tiene período
            argumentos += ["--hasta", "2025-05-31"]
        assert observatorio.main(argumentos) == 0
        salidas.append(capsys.readouterr().out)
    assert salidas[0] == salidas[1]
    assert len(salidas[0].splitlines()) > 1


# --- Cada consulta portada da lo mismo que su SQL anterior sobre `incidentes` ------------------

# El SQL de antes de que estas consultas leyeran el agregado: la cuenta independiente.
ANTERIORES = {
    "primer_dia_fuente": """
        SELECT min(fecha_hora)::DATE AS primer_dia FROM incidentes WHERE fuente = $fuente""",
    "casos_diarios": """
        WITH diarios AS (
            SELECT i.fecha_hora::DATE AS dia, i.delito, count(*) AS casos
            FROM incidentes i
            WHERE {{filtro_incidentes}}
            GROUP BY ALL
        )
        SELECT d.dia,
               CASE $desglose WHEN 'familia' THEN f.nombre WHEN 'delito' THEN t.nombre
                   ELSE 'Total' END AS grupo,
               sum(d.casos)::BIGINT AS casos
        FROM diarios d
        JOIN delitos t USING (delito)
        JOIN familias f ON f.familia = t.familia
        GROUP BY ALL""",
    "casos_por_barrio_en_ventanas": """
        WITH conteos AS (
            SELECT i.barrio_id,
                   count(*) FILTER (WHERE i.fecha_hora >= $desde) AS actual,
                   count(*) FILTER (WHERE i.fecha_hora >= $desde_anterior
                                    AND i.fecha_hora < $desde) AS anterior,
                   count(*) FILTER (WHERE i.fecha_hora >= $desde_anio
                                    AND i.fecha_hora < $hasta_anio) AS anio_anterior
            FROM incidentes i
            WHERE i.fecha_hora >= $inicio AND i.fecha_hora < $hasta
              AND {{filtro_incidentes}}
            GROUP BY i.barrio_id
        )
        SELECT b.barrio_id, b.nombre, b.sector_id, s.nombre AS sector, b.poblacion,
               coalesce(c.actual, 0) AS actual,
               coalesce(c.anterior, 0) AS anterior,
               coalesce(c.anio_anterior, 0) AS anio_anterior
        FROM barrios b
        JOIN sectores s USING (sector_id)
        LEFT JOIN conteos c USING (barrio_id)""",
    "casos_por_ventana_y_familia": """
        WITH ventanas AS (
            SELECT unnest($ventanas) AS ventana, unnest($desdes) AS desde,
                   unnest($hastas) AS hasta
        ),
        diarios AS (
            SELECT date_trunc('day', i.fecha_hora) AS dia, i.familia, count(*) AS casos
            FROM incidentes i
            WHERE i.fecha_hora >= $inicio AND i.fecha_hora < $fin
              AND {{filtro_incidentes}}
            GROUP BY ALL
        )
        SELECT v.ventana, f.nombre AS familia, f.orden, sum(d.casos)::BIGINT AS casos
        FROM diarios d
        JOIN ventanas v ON d.dia >= v.desde AND d.dia < v.hasta
        JOIN familias f ON f.familia = d.familia
        GROUP BY ALL""",
    "casos_por_barrio": """
        WITH conteos AS (
            SELECT i.barrio_id,
                   count(*) FILTER (WHERE i.fecha_hora >= $desde) AS actual,
                   count(*) FILTER (WHERE i.fecha_hora < $desde) AS anterior
            FROM incidentes i
            WHERE i.fecha_hora >= $desde_anterior AND i.fecha_hora < $hasta
              AND {{filtro_incidentes}}
            GROUP BY i.barrio_id
        )
        SELECT b.barrio_id, b.nombre, s.nombre AS sector, b.poblacion,
               coalesce(c.actual, 0) AS actual, coalesce(c.anterior, 0) AS anterior
        FROM barrios b
        JOIN sectores s USING (sector_id)
        LEFT JOIN conteos c USING (barrio_id)
        WHERE (len($barrios) = 0 OR list_contains($barrios, b.barrio_id))
          AND (len($sectores) = 0 OR list_contains($sectores, b.sector_id))""",
    "casos_por_familia": """
        SELECT f.nombre AS familia, f.orden, count(*) AS casos
        FROM incidentes i
        JOIN familias f ON f.familia = i.familia
        WHERE i.fecha_hora >= $desde AND i.fecha_hora < $hasta
          AND {{filtro_incidentes}}
        GROUP BY ALL""",
    "casos_mensuales_barrio": """
        SELECT date_trunc('month', i.fecha_hora)::DATE AS mes,
               count(*) FILTER (WHERE i.barrio_id = $barrio) AS barrio,
               count(*) AS comuna,
               {{poblacion_barrio_y_comuna}}
        FROM incidentes i
        WHERE i.fuente = $fuente AND i.fecha_hora >= $desde AND i.fecha_hora < $hasta
        GROUP BY ALL""",
    "delitos_del_barrio": """
        SELECT d.nombre AS delito, f.nombre AS familia, count(*) AS casos
        FROM incidentes i
        JOIN delitos d USING (delito)
        JOIN familias f ON f.familia = i.familia
        WHERE i.fuente = $fuente AND i.barrio_id = $barrio
          AND i.fecha_hora >= $desde AND i.fecha_hora < $hasta
        GROUP BY ALL
        ORDER BY casos DESC, delito
        LIMIT $limite""",
    "dmcs_diarios": """
        SELECT list_position($barrios_fila, i.barrio_id)::INTEGER - 1 AS fila,
               i.fecha_hora::DATE AS dia, count(*) AS casos
        FROM incidentes i
        JOIN delitos d USING (delito)
        WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
          AND i.fecha_hora >= $desde AND i.fecha_hora < $hasta
          AND list_contains($barrios_fila, i.barrio_id)
        GROUP BY ALL""",
    "casos_y_hogares_de_la_ola": """
        WITH ventana AS (
            SELECT (min(fecha) - INTERVAL 1 YEAR)::DATE AS desde, min(fecha) AS hasta
            FROM encuesta_respuestas
            WHERE ola = $ola
        ),
        casos AS (
            SELECT b.sector_id, count(*) AS casos
            FROM incidentes i
            JOIN delitos d USING (delito)
            JOIN barrios b USING (barrio_id)
            WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
                AND i.fecha_hora >= (SELECT desde FROM ventana)
                AND i.fecha_hora < (SELECT hasta FROM ventana)
            GROUP BY b.sector_id
        ),
        grupos AS (
            SELECT sector_id, h.hogares, c.casos, s.nombre AS unidad,
                   s.sector_id IS NOT NULL AS es_sector
            FROM (
                SELECT sector_id, sum(hogares)::BIGINT AS hogares FROM barrios GROUP BY sector_id
            ) h
            LEFT JOIN casos c USING (sector_id)
            FULL JOIN sectores s USING (sector_id)
        )
        SELECT g.*, v.desde, v.hasta, (SELECT min(fecha_hora)::DATE FROM incidentes) AS primera
        FROM ventana v
        LEFT JOIN grupos g ON true
        ORDER BY g.unidad, g.sector_id""",
}


def _llamadas(con, uso) -> list[tuple[str, dict]]:
    """Las consultas portadas que `uso(con)` ejecuta, con sus parámetros de verdad."""
    vistas = []

    def observar(nombre, texto, valores, segundos):
        if nombre in ANTERIORES:
            vistas.append((nombre, valores))

    sql.observadores.append(observar)
    try:
        uso(con)
    finally:
        sql.observadores.remove(observar)
    return vistas


def _anterior(con, nombre: str, valores: dict) -> pd.DataFrame:
    texto = sql._INCLUSION.sub(lambda m: sql.consulta(m.group(1)), ANTERIORES[nombre])
    usados = set(sql._PARAMETRO.findall(texto))
    with con.cursor() as cursor:
        return cursor.execute(texto, {k: v for k, v in valores.items() if k in usados}).df()


def _igual(nuevo: pd.DataFrame, viejo: pd.DataFrame, ordenado: bool) -> None:
    assert list(nuevo.columns) == list(viejo.columns)
    if not ordenado:  # sin ORDER BY en el SQL: el orden de las filas no es parte del resultado
        nuevo = nuevo.sort_values(list(nuevo.columns), ignore_index=True)
        viejo = viejo.sort_values(list(viejo.columns), ignore_index=True)
    pd.testing.assert_frame_equal(nuevo, viejo)


FILTROS = [
    Filtros(date(2025, 6, 3), date(2025, 6, 30)),
    Filtros(date(2024, 2, 1), date(2024, 2, 29), preset="personalizado", fuente="central_1402"),
    Filtros(date(2025, 1, 1), date(2025, 6, 30), preset="aad", sectores=("bajo",)),
    Filtros(date(2024, 3, 1), date(2025, 2, 28), barrios=("norte", "sur"), familias=("propiedad",)),
    Filtros(date(2024, 12, 1), date(2024, 12, 31), fuente="camaras", delitos=("hurto", "danos")),
]


def _usos(filtros: Filtros):
    sin_territorio = replace(filtros, sectores=(), barrios=())
    return [
        lambda con: tendencias.primer_dia(con, filtros.fuente),
        *[
            lambda con, d=d: tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), d)
            for d in tendencias.DESGLOSES
        ],
        lambda con: tendencias.comparacion(con, filtros, "barrio"),
        lambda con: resumen.tabla_comparacion(con, filtros, "Comuna"),
        lambda con: resumen.barrios_comparados(con, filtros),
        lambda con: sql.leer(
            con,
            "casos_por_familia",
            desde=filtros.desde,
            hasta=filtros.hasta,
            **filtros.parametros(),
        ),
        lambda con: ficha.tendencia(con, sin_territorio, "norte"),
        lambda con: ficha.delitos(con, sin_territorio, "sur"),
        lambda con: ficha.casos(con, sin_territorio, "oriente"),
        lambda con: cobertura.necesidad_y_cobertura(con, filtros),
        lambda con: evaluacion.evaluar(con, 3),
        lambda con: encuestas.cifra_negra(con, "2025-1"),
    ]


@pytest.fixture(scope="module")
def con_encuesta(tmp_path_factory):
    """El fixture con la encuesta (para la cifra negra) y actividades (para la evaluación)."""
    ruta = tmp_path_factory.mktemp("portadas") / "encuesta.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture())
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    con = abrir(ruta)
    yield con
    con.close()


@pytest.mark.parametrize("filtros", FILTROS, ids=range(len(FILTROS)))
def test_cada_consulta_portada_da_lo_mismo_que_su_sql_sobre_incidentes(con_encuesta, filtros):
    llamadas = [llamada for uso in _usos(filtros) for llamada in _llamadas(con_encuesta, uso)]
    assert {nombre for nombre, _ in llamadas} == set(ANTERIORES), "cada portada se prueba"
    con_casos = 0
    for nombre, valores in llamadas:
        nuevo = sql.leer(con_encuesta, nombre, **valores)
        viejo = _anterior(con_encuesta, nombre, valores)
        _igual(nuevo, viejo, ordenado="ORDER BY" in ANTERIORES[nombre])
        con_casos += bool(len(viejo))
    assert con_casos > len(llamadas) // 2, "la comparación no es entre resultados vacíos"


def test_las_portadas_leen_el_agregado_y_las_demas_siguen_en_incidentes():
    # Las consultas no portadas siguen leyendo incidentes (hora, celda o coordenadas).
    for nombre in ("casos_por_hora_y_dia", "hora_dia_barrio", "casos_por_celda"):
        assert "FROM incidentes i" in sql.consulta(nombre)
    for nombre in ANTERIORES:
        assert "incidentes_diarios" in sql.consulta(nombre)
