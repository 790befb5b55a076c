"""Mapa: celdas H3, Gi*, FDR, Mann–Kendall, categorías de evolución y concentración, contra
cálculos independientes (esda, pymannkendall, pandas y números hechos a mano)."""

from datetime import date, timedelta

import duckdb
import h3
import numpy as np
import pandas as pd
import pymannkendall
import pytest
from esda.getisord import G_Local
from libpysal.weights import W
from scipy import sparse

from consultas import celdas, espacial, ficha, mapa
from consultas.filtros import Filtros
from datos import demo

# --- celdas ----------------------------------------------------------------------------------


def test_padre_por_bits_es_cell_to_parent():
    rng = np.random.default_rng(3)
    lat = -33.45 + 0.1 * rng.random(300)
    lon = -70.6 + 0.15 * rng.random(300)
    finas = [h3.latlng_to_cell(a, o, 11) for a, o in zip(lat, lon, strict=True)]
    for resolucion in range(7, 12):
        esperado = [h3.str_to_int(h3.cell_to_parent(c, resolucion)) for c in finas]
        obtenido = celdas.padre([h3.str_to_int(c) for c in finas], resolucion)
        assert obtenido.tolist() == esperado


def test_vecindad_binaria_con_la_propia_celda():
    centro = h3.latlng_to_cell(-33.41, -70.57, 9)
    anillo = sorted(h3.str_to_int(c) for c in h3.grid_disk(centro, 1))
    pesos = celdas.vecindad(np.array(anillo, dtype=np.uint64)).toarray()
    i = anillo.index(h3.str_to_int(centro))
    assert pesos[i].sum() == 7  # la celda y sus 6 vecinas
    assert pesos.diagonal().tolist() == [1] * 7
    assert (pesos == pesos.T).all()
    assert sorted(pesos.sum(axis=1).tolist()) == [
        4,
        4,
        4,
        4,
        4,
        4,
        7,
    ]  # borde: centro y 2 del anillo


def test_vecindad_igual_a_la_de_grid_disk_en_desorden_y_con_huecos():
    """Celdas sin ordenar y con huecos: el peso es 1 entre una celda y cada vecina del anillo 1
    (o ella misma) que esté en la lista, como lo dice grid_disk celda por celda."""
    rng = np.random.default_rng(5)
    centro = h3.latlng_to_cell(-33.41, -70.57, 10)
    todas = [h3.str_to_int(c) for c in h3.grid_disk(centro, 5)]
    lista = rng.permutation([c for c in todas if rng.random() < 0.7]).astype(np.uint64)
    esperado = np.array(
        [
            [h3.int_to_str(int(b)) in h3.grid_disk(h3.int_to_str(int(a)), 1) for b in lista]
            for a in lista
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(celdas.vecindad(lista).toarray(), esperado)
    assert celdas.vecindad(np.array([], dtype=np.uint64)).shape == (0, 0)


# --- Gi*, FDR y clases -----------------------------------------------------------------------


def _pesos_libpysal(universo: np.ndarray) -> W:
    posicion = {int(c): i for i, c in enumerate(universo)}
    vecinos = {
        i: [
            posicion[h3.str_to_int(v)]
            for v in h3.grid_disk(h3.int_to_str(int(c)), 1)
            if h3.str_to_int(v) in posicion
        ]
        for i, c in enumerate(universo)
    }
    return W(vecinos, silence_warnings=True)


def test_gi_estrella_igual_a_esda():
    rng = np.random.default_rng(11)
    centro = h3.latlng_to_cell(-33.41, -70.57, 9)
    universo = np.sort(np.array([h3.str_to_int(c) for c in h3.grid_disk(centro, 6)], np.uint64))
    casos = rng.poisson(2.0, len(universo)).astype(float)
    casos[:5] += 15  # algunas celdas altas
    esperado = G_Local(casos, _pesos_libpysal(universo), transform="B", star=True, permutations=0)
    obtenido = espacial.gi_estrella(casos, celdas.vecindad(universo))
    np.testing.assert_allclose(obtenido, esperado.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        espacial.p_bilateral(obtenido), 2 * esperado.p_norm, rtol=0, atol=1e-12
    )


def test_gi_estrella_a_mano():
    # Tres celdas en fila (A-B-C), la del medio vecina de ambas: x = (4, 1, 1).
    pesos = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float))
    x = np.array([4.0, 1.0, 1.0])
    media, s, n = 2.0, np.sqrt((16 + 1 + 1) / 3 - 4), 3
    z_a = (5 - 2 * media) / (s * np.sqrt((n * 2 - 4) / (n - 1)))
    resultado = espacial.gi_estrella(x, pesos)
    assert resultado[0] == pytest.approx(z_a)
    assert np.isnan(resultado[1])  # B ve a todas las celdas (k = n): su suma no puede variar


def test_gi_sin_variacion_no_inventa_z():
    pesos = sparse.identity(40, format="csr")
    assert np.isnan(espacial.gi_estrella(np.zeros(40), pesos)).all()
    assert (
        espacial.clase(espacial.gi_estrella(np.ones(40), pesos), np.full(40, np.nan))
        == espacial.NO_SIGNIFICATIVO
    ).all()


def test_fdr_benjamini_hochberg_a_mano():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # Ordenados: 0,005 0,01 0,03 0,04 con m = 4 -> 0,02 0,02 0,04 0,04 (mínimo acumulado).
    np.testing.assert_allclose(espacial.fdr(p)[:4], [0.02, 0.04, 0.04, 0.02])
    assert np.isnan(espacial.fdr(p)[4])


def test_clases_en_cada_umbral():
    z = np.array([3.0, 2.0, 1.0, -1.0, -2.0, -3.0, 2.5])
    p = np.array([0.009, 0.049, 0.099, 0.0999, 0.01, 0.001, 0.10])
    assert espacial.clase(z, p).tolist() == [
        "caliente 99 %",
        "caliente 95 %",
        "caliente 90 %",
        "frío 90 %",
        "frío 95 %",
        "frío 99 %",
        "no significativo",
    ]


# --- Mann–Kendall y categorías ---------------------------------------------------------------


@pytest.mark.parametrize(
    "serie",
    [
        np.arange(1, 13),
        [5, 3, 3, 2, 4, 1, 1, 0, 2, 0, 0, -1],
        [1.2, 0.4, 2.2, 2.2, 1.9, 3.5, 2.8, 2.8, 4.1, 3.9],
        [0, 0, 0, 1, 0, 0, 1, 0],
    ],
)
def test_mann_kendall_igual_a_pymannkendall(serie):
    referencia = pymannkendall.original_test(np.asarray(serie, dtype=float))
    z, p = espacial.mann_kendall(serie)
    assert z == pytest.approx(referencia.z, abs=1e-12)
    assert p == pytest.approx(referencia.p, abs=1e-12)


def test_mann_kendall_a_mano():
    z, _ = espacial.mann_kendall(np.arange(12))  # S = 66, Var(S) = 12·11·29/18
    assert z == pytest.approx(65 / np.sqrt(12 * 11 * 29 / 18))


def _cat(calientes: str, frios: str = "", z=None) -> str:
    """Categoría de una serie escrita con 'C' (caliente), 'F' (fría) y '.' (nada)."""
    c = np.array([x == "C" for x in calientes])
    f = np.array([x == "F" for x in (frios or calientes)])
    return espacial.categoria(c, f, np.arange(len(c)) * 0.0 + 3 if z is None else np.array(z))


def test_categorias_en_series_hechas_a_mano():
    sube = np.linspace(2, 8, 12)
    baja = sube[::-1]
    plano = [3, 4] * 6
    assert _cat("...........C") == espacial.NUEVO
    assert _cat("........CCCC") == espacial.CONSECUTIVO
    assert _cat("CCCCCCCCCCCC", z=sube) == espacial.INTENSIFICANDOSE
    assert _cat("CCCCCCCCCCCC", z=plano) == espacial.PERSISTENTE
    assert _cat("C.CCCCCCCCCC", z=baja) == espacial.DISMINUYENDO
    assert _cat("CCCCCCCCCCC.") == espacial.HISTORICO
    assert _cat("..C..C...C.C") == espacial.ESPORADICO
    assert _cat("..F..C...C.C") == espacial.OSCILANTE
    assert _cat("..C..C......") == espacial.SIN_PATRON  # caliente antes, no al final
    assert _cat("............") == espacial.SIN_PATRON
    assert _cat("C.........CC") == espacial.ESPORADICO  # racha final con calientes antes


# --- concentración ---------------------------------------------------------------------------


def test_concentracion_a_mano():
    casos = np.array([0, 0, 50, 20, 10, 5, 5, 4, 3, 1, 1, 1] + [0] * 8 + [1] * 10)
    c = espacial.concentracion(casos)
    # 20 celdas con casos (110 casos): el 5 % es 1 celda (50) y el 10 % son 2 (70).
    assert (c["celdas"], c["casos"]) == (20, 110)
    assert c["top5"] == pytest.approx(50 / 110)
    assert c["top10"] == pytest.approx(70 / 110)
    x, y = c["curva"]
    assert (x[0], y[0], x[-1], y[-1]) == (0, 0, 1, 1)
    assert espacial.concentracion(np.zeros(5))["celdas"] == 0


# --- consultas sobre la base de prueba ------------------------------------------------------


def _esperado_por_celda(incidentes, filtros: Filtros, resolucion: int) -> pd.Series:
    desde = pd.Timestamp(filtros.desde)
    hasta = pd.Timestamp(filtros.hasta) + pd.Timedelta(days=1)
    m = incidentes["fecha_hora"].between(desde, hasta, inclusive="left")
    m &= incidentes["fuente"] == filtros.fuente
    if filtros.familias:
        m &= incidentes["familia"].isin(filtros.familias)
    padres = [
        h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), resolucion))
        for c in incidentes.loc[m, "h3_11"]
    ]
    return pd.Series(padres).value_counts()


@pytest.mark.parametrize("resolucion", [8, 10, 11])
def test_casos_por_celda_contra_pandas(base, resolucion):
    con, incidentes = base
    filtros = Filtros(date(2025, 1, 1), date(2025, 6, 30), familias=("propiedad",))
    tabla = mapa.casos_por_celda(con, filtros, resolucion)
    obtenido = dict(zip(tabla["celda"].astype("uint64").tolist(), tabla["actual"], strict=True))
    obtenido = {k: v for k, v in obtenido.items() if v}
    assert obtenido == _esperado_por_celda(incidentes, filtros, resolucion).to_dict()
    previa = filtros.ventana.anterior()
    anterior = Filtros(previa.desde, previa.hasta, familias=("propiedad",))
    assert tabla["anterior"].sum() == _esperado_por_celda(incidentes, anterior, resolucion).sum()


def test_puntos_calientes_incluye_celdas_sin_casos(base):
    con, incidentes = base
    filtros = Filtros(date(2025, 1, 1), date(2025, 6, 30))
    tabla = mapa.puntos_calientes(con, filtros, 10)
    esperado = _esperado_por_celda(incidentes, filtros, 10)
    assert tabla["casos"].sum() == esperado.sum()
    assert (tabla["casos"] == 0).any(), "el universo debe incluir celdas sin casos"
    universo = celdas.universo(mapa.territorio(con, filtros), 10)
    assert set(universo.tolist()) <= set(tabla["celda"].tolist())
    assert tabla["h3"].map(h3.is_valid_cell).all()
    validas = {f"{t} {n} %" for t in (espacial.CALIENTE, espacial.FRIO) for n in espacial.NIVELES}
    assert set(tabla["clase"]) <= validas | {espacial.NO_SIGNIFICATIVO}
    z = espacial.gi_estrella(tabla["casos"].to_numpy(), celdas.vecindad(tabla["celda"].to_numpy()))
    np.testing.assert_allclose(tabla["gi_z"], z)


def test_resolucion_fuera_de_rango(base):
    con, _ = base
    with pytest.raises(mapa.ResolucionInvalida, match="entre 7 y 11"):
        mapa.casos_por_celda(con, Filtros(date(2025, 1, 1), date(2025, 6, 30)), 12)


def test_curva_de_concentracion_contra_pandas(base):
    con, incidentes = base
    filtros = Filtros(date(2024, 1, 1), date(2025, 6, 30))
    curva = mapa.curva_concentracion(con, filtros, 10)
    esperado = _esperado_por_celda(incidentes, filtros, 10).sort_values(ascending=False)
    assert curva["casos"].tolist() == esperado.tolist()
    assert curva["parte_casos"].iloc[-1] == pytest.approx(1.0)
    c = espacial.concentracion(mapa.puntos_calientes(con, filtros, 10)["casos"].to_numpy())
    k = int(np.ceil(0.10 * len(esperado)))
    assert c["top10"] == pytest.approx(esperado.iloc[:k].sum() / esperado.sum())


def test_periodos_de_evolucion_contiguos_y_terminan_en_hasta():
    tramos = mapa.periodos_evolucion(date(2026, 10, 31), 12, 28)
    assert tramos["hasta"].iloc[-1] == date(2026, 10, 31)
    assert (tramos["hasta"] - tramos["desde"]).map(lambda d: d.days).eq(27).all()
    siguientes = tramos["desde"].iloc[1:].to_numpy()
    assert (siguientes == (tramos["hasta"].iloc[:-1] + timedelta(days=1)).to_numpy()).all()


def test_evolucion_cuenta_por_periodo(base):
    con, incidentes = base
    filtros = Filtros(date(2025, 1, 1), date(2025, 6, 30))
    tabla, tramos = mapa.evolucion(con, filtros, 10, 6, 28)
    for t in (0, 5):
        f = Filtros(tramos["desde"].iloc[t], tramos["hasta"].iloc[t])
        assert tramos["casos"].iloc[t] == _esperado_por_celda(incidentes, f, 10).sum()
    assert tabla["casos"].sum() == tramos["casos"].sum()
    assert set(tabla["categoria"]) <= set(espacial.CATEGORIAS)


# --- los focos plantados en la demostración --------------------------------------------------


@pytest.fixture(scope="module")
def demo_completa(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("demo-mapa") / "demo.duckdb"
    demo.generar(ruta)
    con = duckdb.connect(str(ruta), read_only=True)
    yield con
    con.close()


def test_focos_plantados_salen_calientes_al_99(demo_completa):
    corte = demo.FECHA_CORTE_DEMO
    filtros = Filtros(
        corte - timedelta(days=364),
        corte,
        preset="personalizado",
        delitos=tuple(demo.MEZCLA_PLANTADA),
    )
    tabla = mapa.puntos_calientes(demo_completa, filtros, 9).set_index("h3")
    plantadas = [celda for _, celda, *_ in demo.FOCOS_PLANTADOS]
    assert tabla.loc[plantadas, "clase"].tolist() == ["caliente 99 %"] * len(plantadas)
    for _, celda, lat, lon, _ in demo.FOCOS_PLANTADOS:
        assert h3.latlng_to_cell(lat, lon, 9) == celda
    resto = tabla.drop(index=plantadas)
    assert (resto["clase"] == espacial.NO_SIGNIFICATIVO).mean() > 0.9


def test_foco_nuevo_sale_nuevo_en_la_evolucion(demo_completa):
    corte = demo.FECHA_CORTE_DEMO
    filtros = Filtros(corte - timedelta(days=27), corte, delitos=tuple(demo.MEZCLA_PLANTADA))
    tabla, _ = mapa.evolucion(demo_completa, filtros, 9, 12, 28)
    nuevo = next(c for _, c, *_, perfil in demo.FOCOS_PLANTADOS if perfil == "nuevo")
    assert tabla.set_index("h3").loc[nuevo, "categoria"] == espacial.NUEVO


def test_formato_por_columna_igual_al_de_cada_valor():
    """Los textos por columna (los del cursor del mapa y las tablas) son los de formato.numero,
    conteo y porcentaje valor por valor, también con faltantes, signos e infinitos."""
    from ui import formato

    valores = pd.Series(
        [0, 1, -1, 1234567, np.nan, 0.5, 1.5, 2.5, -0.0, -1234.5678, 1e12, np.inf, 0.049999, 999.95]
    )
    for decimales in (0, 1, 2):
        assert formato.numeros(valores, decimales) == [
            formato.numero(v, decimales) for v in valores
        ]
        assert formato.porcentajes(valores, decimales) == [
            formato.porcentaje(v, decimales) for v in valores
        ]
    enteros = pd.Series([3, None, 12000], dtype="Int64")
    assert formato.conteos_texto(enteros) == [formato.conteo(v) for v in enteros]
    assert formato.conteos_texto(enteros)[1] == "<5"


def test_fdr_por_columnas_igual_a_cada_columna():
    """La evolución ajusta cada período de una vez: lo mismo que `fdr` columna por columna, con y
    sin NaN (un período sin variación no tiene z)."""
    rng = np.random.default_rng(2)
    p = rng.random((40, 6)) ** 3
    esperado = np.column_stack([espacial.fdr(p[:, t]) for t in range(6)])
    np.testing.assert_array_equal(espacial.fdr_columnas(p), esperado)
    p[:, 2], p[5, 4] = np.nan, np.nan
    esperado = np.column_stack([espacial.fdr(p[:, t]) for t in range(6)])
    np.testing.assert_array_equal(espacial.fdr_columnas(p), esperado)
    assert espacial.fdr_columnas(np.zeros((0, 3))).shape == (0, 3)


def test_barrio_de_cada_centro_igual_a_contains_poligono_por_poligono():
    """El barrio de cada punto (con el índice espacial) es el del recorrido polígono por
    polígono con contains_xy: el último que lo contiene, sin contar el borde; fuera de todos, el
    más cercano."""
    import shapely

    cuadrados = {
        "A": shapely.box(0, 0, 2, 2),
        "B": shapely.box(1, 1, 3, 3),  # se superpone con A
        "C": shapely.box(5, 5, 6, 6),
    }
    geometrias = tuple((n, shapely.to_geojson(g)) for n, g in cuadrados.items())
    rng = np.random.default_rng(4)
    centros = np.column_stack([rng.uniform(-1, 7, 300), rng.uniform(-1, 7, 300)])  # (lat, lon)
    centros[:3] = [[2, 1.5], [1.5, 1.5], [0, 0]]  # borde de A, dentro de A y B, esquina de A
    obtenido = mapa._barrios_en_cache(centros.tobytes(), geometrias)
    esperado = np.full(len(centros), "", dtype=object)
    for nombre, g in cuadrados.items():
        esperado[shapely.contains_xy(g, centros[:, 1], centros[:, 0])] = nombre
    fuera = esperado == ""
    puntos = shapely.points(centros[fuera, 1], centros[fuera, 0])
    distancias = np.stack([shapely.distance(g, puntos) for g in cuadrados.values()])
    esperado[fuera] = np.array(list(cuadrados), dtype=object)[np.argmin(distancias, axis=0)]
    assert obtenido.tolist() == esperado.tolist()
    assert obtenido[1] == "B"


def test_geometrias_del_mapa_en_una_consulta_iguales_a_leerlas_por_separado(base):
    """El territorio es el contorno comunal o la unión de los barrios elegidos, y los barrios van
    por barrio_id, como al leer cada tabla por separado."""
    import shapely

    con, _ = base
    barrios = con.sql("SELECT barrio_id, nombre, sector_id, geometria FROM barrios").df()
    comuna = con.execute("SELECT geometria FROM comuna").fetchall()[0][0]
    todos = mapa.geometrias(con, Filtros(date(2025, 1, 1), date(2025, 1, 31)))
    assert shapely.equals(todos.territorio, shapely.from_geojson(comuna))
    ordenados = barrios.sort_values("barrio_id")
    assert todos.barrios == tuple(zip(ordenados["nombre"], ordenados["geometria"], strict=True))
    sector = barrios["sector_id"].iloc[0]
    elegidos = barrios.loc[barrios["sector_id"] == sector, "geometria"]
    filtros = Filtros(date(2025, 1, 1), date(2025, 1, 31), sectores=(sector,))
    union = shapely.union_all(shapely.from_geojson(elegidos.to_numpy()))
    assert shapely.equals(mapa.territorio(con, filtros), union)
    assert mapa.geometrias(con, filtros).barrios == todos.barrios


def test_pydeck_busca_su_extension_de_jupyter_una_vez():
    from pydeck.bindings import deck

    from ui import mapa as dibujo

    dibujo.armar([])
    antes = deck.has_jupyter_extra.cache_info()
    dibujo.armar([dibujo.capa_contorno('{"type": "Point", "coordinates": [0, 0]}')])
    despues = deck.has_jupyter_extra.cache_info()
    assert despues.misses == antes.misses and despues.hits >= antes.hits + 5


def _calientes_filtrando_la_tabla(con, filtros: Filtros, nombre: str) -> pd.DataFrame:
    """Las celdas calientes del barrio como se sacaban antes: la tabla entera del mapa, filtrada y
    ordenada en pandas."""
    todas = mapa.puntos_calientes(con, ficha.de_la_ficha(filtros), mapa.RESOLUCION_POR_DEFECTO)
    if len(todas) < mapa.MINIMO_CELDAS:
        return todas.iloc[0:0]
    del_barrio = todas[(todas["barrio"] == nombre) & todas["clase"].str.startswith("caliente")]
    return del_barrio.sort_values("gi_z", ascending=False)


def test_celdas_calientes_de_la_ficha_sin_celdas_suficientes(base):
    con, _ = base
    filtros = Filtros(date(2025, 1, 1), date(2025, 6, 30), sectores=("alto",))
    esperado = _calientes_filtrando_la_tabla(con, filtros, "Norte")
    obtenido = ficha.celdas_calientes(con, filtros, "Norte")
    assert obtenido.empty and list(obtenido.columns) == list(esperado.columns)
    pd.testing.assert_frame_equal(obtenido, esperado, check_index_type=True)


def test_celdas_calientes_de_la_ficha_iguales_a_filtrar_la_tabla_del_mapa(demo_completa):
    corte = demo_completa.execute("SELECT max(fecha_hora)::DATE FROM incidentes").fetchone()[0]
    filtros = Filtros(corte - timedelta(days=89), corte, familias=("robos_violentos",))
    nombres = [n for (n,) in demo_completa.execute("SELECT nombre FROM barrios").fetchall()]
    con_filas = 0
    for nombre in [*nombres, "Ninguno"]:
        esperado = _calientes_filtrando_la_tabla(demo_completa, filtros, nombre)
        obtenido = ficha.celdas_calientes(demo_completa, filtros, nombre)
        pd.testing.assert_frame_equal(obtenido, esperado, check_index_type=True)
        con_filas += not obtenido.empty
    assert con_filas >= 3


def test_gi_de_todas_las_columnas_igual_a_cada_columna():
    """Conteos (sumas exactas): los mismos z, bit a bit, que columna a columna; también con una
    columna sin casos y otra constante (sin variación: NaN)."""
    rng = np.random.default_rng(4)
    centro = h3.latlng_to_cell(-33.41, -70.57, 9)
    universo = np.sort(np.array([h3.str_to_int(c) for c in h3.grid_disk(centro, 5)], np.uint64))
    pesos = celdas.vecindad(universo)
    matriz = rng.poisson(1.5, (len(universo), 8)).astype(float)
    matriz[:, 2] = 0
    matriz[:, 5] = 3
    esperado = np.column_stack([espacial.gi_estrella(matriz[:, t], pesos) for t in range(8)])
    np.testing.assert_array_equal(espacial.gi_estrella_columnas(matriz, pesos), esperado)
    assert np.isnan(esperado[:, [2, 5]]).all() and not np.isnan(esperado[:, 0]).all()


def test_mann_kendall_por_filas_igual_a_pymannkendall_con_empates():
    rng = np.random.default_rng(8)
    series = np.round(rng.normal(size=(30, 12)), 1)
    series[:10, 3:9] = 0.0  # muchos empates, como los z sin dato de la evolución
    z, p = espacial.mann_kendall_filas(series)
    for fila, serie in enumerate(series):
        referencia = pymannkendall.original_test(serie)
        assert z[fila] == pytest.approx(referencia.z, abs=1e-12)
        assert p[fila] == pytest.approx(referencia.p, abs=1e-12)
