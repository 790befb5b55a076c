"""Estimaciones de la encuesta contra samplics (TaylorEstimator, linealización de Taylor)."""

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from consultas import encuestas
from consultas.encuestas import FIABLE, NO_FIABLE, POCO_FIABLE, calidad, estimar
from datos import catalogo
from tests import fixtures

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # samplics avisa que está archivado
    from samplics import PopParam, SinglePSUEst, TaylorEstimator

FUERA = "__fuera__"


def diseno(semilla: int = 3, conglomerados=(2, 3, 5, 4), un_conglomerado: bool = False):
    """Estratos con distinto número de conglomerados, de tamaños y pesos desiguales. Los nombres
    de conglomerado se repiten entre estratos: el conglomerado se identifica dentro del estrato."""
    rng = np.random.default_rng(semilla)
    filas = []
    tamanos = list(conglomerados) + ([1] if un_conglomerado else [])
    for h, m in enumerate(tamanos):
        for c in range(m):
            n = int(rng.integers(2, 10))
            efecto = rng.normal(0, 0.8)
            for _ in range(n):
                filas.append(
                    {
                        "estrato": f"E{h}",
                        "conglomerado": f"c{c}",
                        "factor": float(rng.uniform(20, 300)) * (1 + h),
                        "sector_id": "alto" if h < 2 else "bajo",
                        "barrio_id": f"b{rng.integers(0, 5)}",
                        "inseguro": int(rng.random() < 1 / (1 + np.exp(-efecto))),
                        "victima": int(rng.random() < 0.3),
                    }
                )
    datos = pd.DataFrame(filas)
    # denuncio solo entre víctimas, y un faltante más al azar
    datos["denuncio"] = np.where(datos["victima"] == 1, rng.random(len(datos)) < 0.5, np.nan)
    datos.loc[rng.random(len(datos)) < 0.1, "inseguro"] = np.nan
    return datos


INDICADORES = ["inseguro", "victima", "denuncio"]


def dominios(datos: pd.DataFrame) -> pd.DataFrame:
    columnas = {"comuna": pd.Series(True, index=datos.index)}
    for s in sorted(datos["sector_id"].unique()):
        columnas[f"sector:{s}"] = datos["sector_id"] == s
    for b in sorted(datos["barrio_id"].unique()):
        columnas[f"barrio:{b}"] = datos["barrio_id"] == b
    return pd.DataFrame(columnas)


def samplics(datos: pd.DataFrame, indicador: str, dominio: pd.Series, skip: bool = False):
    """Estimación de dominio de samplics: el faltante y lo que no es del dominio quedan fuera del
    dominio, pero en el diseño (como svymean con na.rm de R). Fuera del dominio `y` no cuenta;
    vale 0,5 para que samplics no divida por cero al estimar el dominio de afuera."""
    dentro = dominio & datos[indicador].notna()
    etiqueta = np.where(dentro, "d", FUERA)
    est = TaylorEstimator(PopParam.mean)
    est.estimate(
        y=np.where(dentro, datos[indicador], 0.5).astype(float),
        samp_weight=datos["factor"].to_numpy(),
        stratum=datos["estrato"].to_numpy(),
        psu=(datos["estrato"] + "/" + datos["conglomerado"]).to_numpy(),
        domain=etiqueta,
        single_psu=SinglePSUEst.skip if skip else SinglePSUEst.error,
    )
    return est.point_est["d"], est.stderror["d"]


@pytest.mark.parametrize("semilla", [3, 11, 42])
def test_estimaciones_iguales_a_samplics_en_comuna_sector_y_barrio(semilla):
    datos = diseno(semilla)
    dom = dominios(datos)
    resultado = estimar(datos, INDICADORES, dom).set_index(["dominio", "indicador"])
    comparadas = 0
    for nombre in dom.columns:
        for indicador in INDICADORES:
            fila = resultado.loc[(nombre, indicador)]
            valores = datos.loc[dom[nombre], indicador].dropna()
            if not valores.any():  # samplics divide por cero con p = 0
                assert fila["n"] == len(valores)
                assert len(valores) == 0 or fila["estimacion"] == fila["error_estandar"] == 0
                continue
            p, se = samplics(datos, indicador, dom[nombre])
            assert fila["estimacion"] == pytest.approx(p, abs=1e-9)
            assert fila["error_estandar"] == pytest.approx(se, abs=1e-9)
            comparadas += 1
    assert comparadas >= 20


def test_comuna_intervalo_t_con_gl_igual_a_samplics():
    datos = diseno(5)
    resultado = estimar(datos, ["victima"], dominios(datos)).set_index("dominio")
    est = TaylorEstimator(PopParam.mean)
    est.estimate(
        y=datos["victima"].to_numpy(float),
        samp_weight=datos["factor"].to_numpy(),
        stratum=datos["estrato"].to_numpy(),
        psu=(datos["estrato"] + "/" + datos["conglomerado"]).to_numpy(),
    )
    fila = resultado.loc["comuna"]
    assert fila["gl"] == est.degree_of_freedom == 14 - 4
    assert fila["ic_inferior"] == pytest.approx(est.lower_ci, abs=1e-9)
    assert fila["ic_superior"] == pytest.approx(est.upper_ci, abs=1e-9)


def test_grados_de_libertad_de_un_dominio():
    datos = diseno(7)
    dom = dominios(datos)
    resultado = estimar(datos, ["victima"], dom).set_index("dominio")
    alto = datos[datos["sector_id"] == "alto"]
    conglomerados = alto.groupby(["estrato", "conglomerado"]).ngroups
    assert resultado.loc["sector:alto", "gl"] == conglomerados - 2  # dos estratos en "alto"
    assert resultado.loc["sector:alto", "n"] == len(alto)
    fila = resultado.loc["sector:alto"]
    t = stats.t.ppf(0.975, fila["gl"])
    assert fila["ic_superior"] - fila["estimacion"] == pytest.approx(t * fila["error_estandar"])


def test_dominio_no_es_lo_mismo_que_un_subconjunto():
    """Calcular sobre las filas del dominio (subconjunto) pierde los conglomerados de los
    estratos sin respuestas del dominio y cambia el error estándar."""
    datos = diseno(9)
    dom = dominios(datos)
    completo = estimar(datos, ["victima"], dom).set_index("dominio").loc["barrio:b2"]
    sub = datos[dom["barrio:b2"]].reset_index(drop=True)
    subconjunto = estimar(sub, ["victima"], pd.DataFrame({"b2": [True] * len(sub)})).iloc[0]
    assert completo["estimacion"] == pytest.approx(subconjunto["estimacion"], abs=1e-12)
    assert abs(completo["error_estandar"] - subconjunto["error_estandar"]) > 1e-4
    assert completo["error_estandar"] == pytest.approx(
        samplics(datos, "victima", dom["barrio:b2"])[1], abs=1e-9
    )


def test_estrato_con_un_conglomerado_no_aporta_varianza():
    datos = diseno(13, un_conglomerado=True)
    dom = dominios(datos)
    resultado = estimar(datos, INDICADORES, dom).set_index(["dominio", "indicador"])
    for nombre in ["comuna", "sector:bajo", "barrio:b1"]:
        p, se = samplics(datos, "victima", dom[nombre], skip=True)
        assert resultado.loc[(nombre, "victima"), "estimacion"] == pytest.approx(p, abs=1e-9)
        assert resultado.loc[(nombre, "victima"), "error_estandar"] == pytest.approx(se, abs=1e-9)


def test_casos_limite_sin_division_por_cero():
    datos = diseno(17)
    datos["vacio"] = np.nan
    solo = datos[(datos["estrato"] == "E0") & (datos["conglomerado"] == "c0")].index
    dom = dominios(datos).assign(un_conglomerado=datos.index.isin(solo), nadie=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        resultado = estimar(datos, ["victima", "vacio"], dom).set_index(["dominio", "indicador"])
        vacio = estimar(datos.iloc[:0], ["victima"], dom.iloc[:0])
    assert (resultado.xs("vacio", level="indicador")["calidad"] == NO_FIABLE).all()
    assert (resultado.xs("vacio", level="indicador")["n"] == 0).all()
    uno = resultado.loc[("un_conglomerado", "victima")]
    assert uno["gl"] == 0 and uno["calidad"] == NO_FIABLE and np.isnan(uno["ic_inferior"])
    assert resultado.loc[("nadie", "victima"), "calidad"] == NO_FIABLE
    assert (vacio["calidad"] == NO_FIABLE).all() and (vacio["n"] == 0).all()


@pytest.mark.parametrize(
    ("p", "se", "n", "gl", "esperada"),
    [
        (0.125, 0.25 / 9, 60, 9, FIABLE),  # q^(2/3)/9 = 0,25/9: justo en el umbral
        (0.125, 0.25 / 9 + 1e-6, 60, 9, POCO_FIABLE),
        (0.875, 0.25 / 9, 60, 9, FIABLE),  # p > 0,5 usa 1 − p
        (0.875, 0.0278, 500, 40, POCO_FIABLE),
        (0.5, 0.0699, 500, 40, FIABLE),  # 0,5^(2/3)/9 = 0,069996
        (0.5, 0.0700, 500, 40, POCO_FIABLE),
        (0.125, 0.001, 59, 40, NO_FIABLE),  # n < 60
        (0.125, 0.001, 60, 8, NO_FIABLE),  # gl < 9
        (0.125, 0.001, 60, 9, FIABLE),
        (float("nan"), float("nan"), 0, 0, NO_FIABLE),
    ],
)
def test_calidad_ine_en_cada_umbral(p, se, n, gl, esperada):
    assert calidad(p, se, n, gl) == esperada


def test_comparar_dos_olas():
    est = pd.DataFrame(
        {
            "ola": ["2025-1", "2025-2", "2025-1", "2025-2"],
            "nivel": ["comuna"] * 2 + ["barrio"] * 2,
            "unidad_id": ["comuna"] * 2 + ["b"] * 2,
            "unidad": ["comuna"] * 2 + ["B"] * 2,
            "sector_id": [None, None, "s", "s"],
            "indicador": ["inseguro_barrio"] * 4,
            "nombre": ["x"] * 4,
            "estimacion": [0.40, 0.46, 0.3, 0.9],
            "error_estandar": [0.015, 0.02, 0.1, 0.1],
            "calidad": [FIABLE, FIABLE, NO_FIABLE, POCO_FIABLE],
            "n": [900, 950, 20, 70],
        }
    )
    cambio = encuestas.comparar(est, "2025-1", "2025-2").set_index("unidad_id")
    assert cambio.loc["comuna", "diferencia"] == pytest.approx(0.06)
    assert cambio.loc["comuna", "error_diferencia"] == pytest.approx(0.025)
    assert cambio.loc["comuna", "z"] == pytest.approx(2.4)
    assert cambio.loc["comuna", "clasificacion"] == "alza significativa"
    assert cambio.loc["b", "clasificacion"] == encuestas.NO_COMPARABLE


@pytest.fixture(scope="module")
def con_encuesta(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("encuestas") / "fixture.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture())
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    con = duckdb.connect(str(ruta), read_only=True)
    yield con
    con.close()


def _dmcs_en_los_12_meses(incidentes: pd.DataFrame) -> pd.DataFrame:
    """Los casos policiales DMCS de los 12 meses antes de la ola 2025-1 de la encuesta fixture."""
    dmcs = {d.delito for d in catalogo.DELITOS if d.grupo_dmcs}
    return incidentes[
        (incidentes["fuente"] == "policial")
        & incidentes["delito"].isin(dmcs)
        & (incidentes["fecha_hora"] >= "2024-05-15")
        & (incidentes["fecha_hora"] < "2025-05-15")
    ]


def test_cifra_negra_cuenta_los_casos_dmcs_de_los_12_meses_previos(con_encuesta):
    cifra = encuestas.cifra_negra(con_encuesta, "2025-1").set_index("unidad_id")
    incidentes = fixtures.incidentes_fixture()
    en_ventana = _dmcs_en_los_12_meses(incidentes)
    sector = en_ventana["barrio_id"].map({"norte": "alto", "sur": "alto"}).fillna("bajo")
    assert cifra.loc["alto", "casos"] == (sector == "alto").sum()
    assert cifra.loc["comuna", "casos"] == len(en_ventana)
    assert cifra.loc["alto", "hogares"] == 350 + 900
    assert cifra.loc["alto", "casos_por_mil"] == pytest.approx(
        1000 * (sector == "alto").sum() / 1250
    )
    assert str(cifra.loc["comuna", "desde"]) == "2024-05-15"
    assert str(cifra.loc["comuna", "hasta"]) == "2025-05-14"
    est = encuestas.estimaciones(con_encuesta, ("2025-1",)).set_index(["unidad_id", "indicador"])
    assert cifra.loc["alto", "estimacion"] == est.loc[("alto", "victima_hogar_12m"), "estimacion"]
    assert cifra.loc["alto", "estimacion_denuncio"] == est.loc[("alto", "denuncio"), "estimacion"]


def test_indicadores_descubiertos_del_esquema(con_encuesta):
    nombres = encuestas.indicadores(con_encuesta)
    assert list(nombres)[:5] == list(catalogo.INDICADORES)
    assert nombres["inseguro_barrio"] == "Se siente inseguro en su barrio"
    assert nombres[fixtures.INDICADOR_NUEVO] == fixtures.INDICADOR_NUEVO
    assert "factor" not in nombres and "estrato" not in nombres


@pytest.mark.parametrize("semilla", [3, 11, 29])
@pytest.mark.parametrize("un_conglomerado", [False, True])
def test_estimar_niveles_igual_a_estimar_con_una_columna_por_dominio(semilla, un_conglomerado):
    """La versión por particiones (la de la página) da lo mismo que `estimar` con la matriz de
    dominios, también con filas sin sector ni barrio y un barrio sin respuestas."""
    datos = diseno(semilla, un_conglomerado=un_conglomerado)
    datos.loc[datos.index[:3], ["sector_id", "barrio_id"]] = None
    sectores = ["alto", "bajo", "vacio"]
    barrios = sorted(datos["barrio_id"].dropna().unique()) + ["b_sin_respuestas"]
    niveles = [
        (np.zeros(len(datos), dtype=np.int64), 1),
        (pd.Index(sectores).get_indexer(datos["sector_id"]), len(sectores)),
        (pd.Index(barrios).get_indexer(datos["barrio_id"]), len(barrios)),
    ]
    matriz = pd.DataFrame(
        {"comuna": np.ones(len(datos), dtype=bool)}
        | {f"sector:{s}": (datos["sector_id"] == s).to_numpy() for s in sectores}
        | {f"barrio:{b}": (datos["barrio_id"] == b).to_numpy() for b in barrios}
    )
    esperado = estimar(datos, INDICADORES, matriz).drop(columns="dominio")
    obtenido = encuestas.estimar_niveles(datos, INDICADORES, niveles)
    pd.testing.assert_frame_equal(obtenido, esperado, check_exact=False, rtol=1e-12, atol=1e-15)
    assert (obtenido["calidad"] == esperado["calidad"]).all()


def test_estimar_niveles_sin_indicadores_como_estimar():
    datos = diseno(3)
    niveles = [(np.zeros(len(datos), dtype=np.int64), 1), (np.zeros(len(datos), dtype=np.int64), 2)]
    matriz = pd.DataFrame({"comuna": True, "s:a": True, "s:b": False}, index=datos.index)
    esperado = estimar(datos, [], matriz).drop(columns="dominio")
    obtenido = encuestas.estimar_niveles(datos, [], niveles)
    assert obtenido.empty and list(obtenido.columns) == list(esperado.columns)


def test_estimaciones_por_dominio_iguales_a_la_matriz_de_dominios(con_encuesta):
    """`estimaciones` (por particiones) contra `estimar` con una columna booleana por unidad."""
    ola = encuestas.olas(con_encuesta)[0]
    est = encuestas.estimaciones(con_encuesta, (ola,))
    datos = encuestas.leer(con_encuesta, "respuestas_encuesta", olas=[ola])
    unidades = est.drop_duplicates("unidad_id")
    columnas = list(dict.fromkeys(est["indicador"]))
    matriz = pd.DataFrame(
        {
            f"{nivel}:{uid}": np.ones(len(datos), dtype=bool)
            if nivel == "comuna"
            else (datos[f"{nivel}_id"] == uid).to_numpy(bool)
            for nivel, uid in zip(unidades["nivel"], unidades["unidad_id"], strict=True)
        }
    )
    esperado = estimar(datos, columnas, matriz)
    campos = ["indicador", "estimacion", "error_estandar", "ic_inferior", "n", "gl", "calidad"]
    pd.testing.assert_frame_equal(
        est[campos].reset_index(drop=True),
        esperado[campos],
        check_exact=False,
        rtol=1e-12,
        atol=1e-15,
    )
    assert list(est["nivel"] + ":" + est["unidad_id"]) == list(esperado["dominio"])


def test_grafico_y_textos_de_la_pagina_iguales_a_los_validados(con_encuesta):
    """El gráfico se arma con diccionarios sin validar: Plotly, validándolo, da el mismo JSON; y
    los textos vectorizados son los de `texto` fila por fila."""
    import json

    import plotly.graph_objects as go

    from ui import encuestas as vista

    olas = tuple(sorted(encuestas.olas(con_encuesta)[:2]))
    est = encuestas.estimaciones(con_encuesta, olas)
    unidades = vista.ordenar(est[est["indicador"] == est["indicador"].iloc[0]])
    assert set(unidades["calidad"]) >= {NO_FIABLE}
    eje = vista.etiquetas(unidades)
    figura = vista.grafico(unidades, eje)
    validada = go.Figure(data=figura.to_dict()["data"])
    validada.update_layout(figura.to_dict()["layout"])
    assert _sin_binarios(json.loads(figura.to_json())) == _sin_binarios(
        json.loads(validada.to_json())
    )
    assert vista.textos(unidades) == [vista.texto(f) for _, f in unidades.iterrows()]
    assert eje.iloc[0] == "Comuna de Las Condes"
    assert eje[unidades["nivel"] == "sector"].str.startswith("Sector ").all()


def _sin_binarios(valor):
    """El JSON de Plotly con sus arreglos binarios ({"dtype", "bdata"}) como listas y sin las
    propiedades vacías ({}), que la validación descarta."""
    import base64

    if isinstance(valor, list):
        return [_sin_binarios(v) for v in valor]
    if not isinstance(valor, dict):
        return valor
    if set(valor) >= {"dtype", "bdata"}:
        arreglo = np.frombuffer(base64.b64decode(valor["bdata"]), dtype=valor["dtype"])
        return [None if isinstance(v, float) and np.isnan(v) else v for v in arreglo.tolist()]
    return {k: _sin_binarios(v) for k, v in valor.items() if v != {}}


def _base_de(datos: pd.DataFrame, sectores: dict[str, str]) -> duckdb.DuckDBPyConnection:
    """Una base en memoria con `datos` como respuestas (indicadores TINYINT) y los barrios."""
    con = duckdb.connect()
    con.register("datos", datos)
    indicadores = ", ".join(f"{c}::TINYINT AS {c}" for c in datos.columns if c in INDICADORES)
    con.execute(
        "CREATE TABLE encuesta_respuestas AS SELECT ola, estrato, conglomerado, barrio_id, "
        f"factor, {indicadores}, otro::TINYINT AS otro FROM datos"
    )
    con.execute("CREATE TABLE barrios (barrio_id VARCHAR, sector_id VARCHAR)")
    con.executemany("INSERT INTO barrios VALUES (?, ?)", list(sectores.items()))
    return con


@pytest.mark.parametrize("semilla", [3, 11, 29])
@pytest.mark.parametrize("un_conglomerado", [False, True])
def test_sumas_por_celda_igual_a_estimar_niveles_por_respuesta(semilla, un_conglomerado):
    """Sumar en SQL por celda (conglomerado y barrio) y estimar desde esas sumas da lo mismo que
    estimar desde cada respuesta: los conglomerados cruzan barrios, hay faltantes, respuestas de
    un barrio que no está en la tabla de barrios, un barrio y un sector sin respuestas, otra ola
    que no se mezcla y una columna entera que no es 0/1 (queda fuera, como con `binaria`)."""
    datos = diseno(semilla, un_conglomerado=un_conglomerado).assign(ola="2025-1", otro=0)
    datos.loc[datos.index[:4], "barrio_id"] = "desconocido"
    datos.loc[datos.index[5], "otro"] = 2
    otra_ola = diseno(semilla + 1).assign(ola="2024-2", otro=1)
    sectores = {"b0": "alto", "b1": "alto", "b2": "bajo", "b3": "bajo", "b4": "bajo", "b9": "alto"}
    con = _base_de(pd.concat([otra_ola, datos], ignore_index=True), sectores)
    sumas = encuestas.Celdas.leer(con, [*INDICADORES, "otro"], olas=["2025-1"])
    assert sumas.columnas == INDICADORES
    assert len(sumas.upm) < len(datos)  # unos cientos de celdas en vez de una fila por respuesta
    ids_sector, ids_barrio = pd.Index(["alto", "bajo", "vacio"]), pd.Index([*sectores, "b_sin"])
    sector_de = datos["barrio_id"].map(sectores).to_numpy(object)

    def niveles(sector, barrio):
        return [
            (np.zeros(len(barrio), dtype=np.int64), 1),
            (ids_sector.get_indexer(sector), len(ids_sector)),
            (ids_barrio.get_indexer(barrio), len(ids_barrio)),
        ]

    esperado = encuestas.estimar_niveles(
        datos, INDICADORES, niveles(sector_de, datos["barrio_id"].to_numpy(object))
    )
    obtenido = pd.DataFrame(
        {"indicador": np.tile(INDICADORES, 1 + len(ids_sector) + len(ids_barrio))}
        | sumas.estimar(niveles(sumas.sector_id, sumas.barrio_id))
    )
    pd.testing.assert_frame_equal(obtenido, esperado, check_exact=False, rtol=1e-12, atol=1e-15)
    for exacta in ("n", "gl", "calidad"):
        assert (obtenido[exacta] == esperado[exacta]).all()
    assert (obtenido["n"] > 0).sum() > 10


def test_sumas_por_celda_sin_indicadores_ni_respuestas():
    con = _base_de(diseno(3).assign(ola="2025-1", otro=0), {"b0": "alto"})
    vacia = encuestas.Celdas.leer(con, [], olas=["2025-1"])
    sin_ola = encuestas.Celdas.leer(con, INDICADORES, olas=["2030-1"])
    assert vacia.columnas == [] and len(vacia.upm) == 0
    assert sin_ola.columnas == INDICADORES and len(sin_ola.upm) == 0
    est = sin_ola.estimar([(np.zeros(0, dtype=np.int64), 1), (np.zeros(0, dtype=np.int64), 2)])
    assert (est["calidad"] == NO_FIABLE).all() and (est["n"] == 0).all() and len(est["n"]) == 9


def test_cifra_negra_con_sectores_sin_barrios_y_barrios_sin_casos(tmp_path):
    """Contra pandas sobre las tablas: un sector sin barrios queda sin hogares ni casos; un barrio
    de un sector que no está en `sectores` (y sin casos) cuenta en la comuna; los casos quedan en
    decimales porque a un grupo de barrios le faltan (como con el merge de antes)."""
    ruta = tmp_path / "cifra.duckdb"
    incidentes = fixtures.incidentes_fixture()
    fixtures.construir(ruta, incidentes)
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    con = duckdb.connect(str(ruta))
    con.execute("INSERT INTO sectores VALUES ('vacio', 'Aaa sin barrios')")
    con.execute(
        "INSERT INTO barrios VALUES ('isla', 'Isla', 'fantasma', 10, 40, ?, true)",
        [fixtures._cuadrado(-70.5, -33.4)],
    )
    cifra = encuestas.cifra_negra(con, "2025-1")
    barrios = con.sql("SELECT barrio_id, sector_id, hogares FROM barrios").df()
    en_ventana = _dmcs_en_los_12_meses(incidentes)
    sector_de = en_ventana["barrio_id"].map(barrios.set_index("barrio_id")["sector_id"])
    assert list(cifra["unidad_id"]) == ["comuna", "vacio", "alto", "bajo"]  # sectores por nombre
    assert cifra["casos"].dtype == np.float64 and cifra["hogares"].dtype == np.float64
    tabla = cifra.set_index("unidad_id")
    assert tabla.loc["comuna", "hogares"] == barrios["hogares"].sum() == 1440
    assert tabla.loc["comuna", "casos"] == len(en_ventana)
    for sector in ("alto", "bajo"):
        assert tabla.loc[sector, "casos"] == (sector_de == sector).sum()
        hogares = barrios.loc[barrios["sector_id"] == sector, "hogares"].sum()
        assert tabla.loc[sector, "hogares"] == hogares
    assert np.isnan(tabla.loc["vacio", ["hogares", "casos", "casos_por_mil"]].astype(float)).all()
    est = encuestas.estimaciones(con, ("2025-1",)).set_index(["unidad_id", "indicador"])
    for unidad in ("comuna", "vacio", "alto"):
        for campo in ("estimacion", "ic_inferior", "n", "calidad"):
            esperado = est.loc[(unidad, "victima_hogar_12m"), campo]
            assert tabla.loc[unidad, campo] == esperado or np.isnan(esperado)
            esperado = est.loc[(unidad, "denuncio"), campo]
            assert tabla.loc[unidad, f"{campo}_denuncio"] == esperado or np.isnan(esperado)
    assert tabla.loc["vacio", "n"] == 0 and tabla.loc["vacio", "calidad"] == NO_FIABLE
    con.close()


def _filtrar_pandas(est, sectores=(), barrios=()):
    """`encuestas.filtrar` escrito con pandas (la versión anterior), como referencia."""
    sector_de_barrio = est.loc[est["nivel"] == "barrio"].set_index("unidad_id")["sector_id"]
    if barrios:
        vistos = set(sectores) | set(sector_de_barrio[sector_de_barrio.index.isin(barrios)])
        barrio_ok = est["unidad_id"].isin(barrios)
    else:
        vistos = set(sectores)
        barrio_ok = est["sector_id"].isin(sectores) if sectores else True
    sector_ok = est["unidad_id"].isin(vistos) if vistos else True
    nivel = est["nivel"]
    return est[
        (nivel == "comuna") | ((nivel == "sector") & sector_ok) | ((nivel == "barrio") & barrio_ok)
    ]


@pytest.mark.parametrize(
    ("sectores", "barrios"),
    [((), ()), (("alto",), ()), ((), ("oriente",)), (("alto",), ("oriente",)), ((), ("nadie",))],
)
def test_filtrar_ordenar_y_tablas_de_la_pagina_iguales_a_pandas(con_encuesta, sectores, barrios):
    """Las piezas de la página sin pandas por fila dan lo mismo que con pandas: el filtro, el orden
    (sort_values estable), la tabla por ola (groupby y concat) y la de la cifra negra (iterrows)."""
    from ui import encuestas as vista

    est = encuestas.estimaciones(con_encuesta, tuple(sorted(encuestas.olas(con_encuesta))))
    filtradas = encuestas.filtrar(est, sectores, barrios)
    pd.testing.assert_frame_equal(filtradas, _filtrar_pandas(est, sectores, barrios))
    del_indicador = filtradas[filtradas["indicador"] == "victima_hogar_12m"]
    orden = del_indicador["nivel"].map({"comuna": 0, "sector": 1, "barrio": 2})
    esperado = (
        del_indicador.assign(_orden=orden)
        .sort_values(["_orden", "unidad", "ola"])
        .drop(columns="_orden")
    )
    unidades = vista.ordenar(del_indicador)
    pd.testing.assert_frame_equal(unidades, esperado)
    eje = vista.etiquetas(unidades)
    partes = [
        pd.DataFrame(
            {
                "Unidad": eje.loc[g.index].to_numpy(),
                f"{ola}: estimación (IC 95 %)": vista.textos(g),
                f"{ola}: n": [vista.formato.numero(n) for n in g["n"]],
                f"{ola}: gl": [vista.formato.numero(n) for n in g["gl"]],
                f"{ola}: calidad": g["calidad"].to_numpy(),
            }
        ).set_index("Unidad")
        for ola, g in unidades.groupby("ola", sort=True)
    ]
    tabla = vista.tabla(unidades, eje, "Unidad")
    pd.testing.assert_frame_equal(tabla, pd.concat(partes, axis=1).reset_index())
    assert len(tabla.columns) == 1 + 4 * 2  # las dos olas lado a lado
    cifra = encuestas.cifra_negra(con_encuesta, "2025-1")
    negra = vista.tabla_cifra_negra(cifra, vista.etiquetas(cifra))
    assert negra["Hogares víctimas por 1.000 (encuesta)"].tolist() == [
        f"no fiable (n = {vista.formato.conteo(f['n'])})"
        if f["calidad"] == NO_FIABLE
        else f"{vista.formato.numero(1000 * f['estimacion'])} (IC "
        f"{vista.formato.numero(1000 * f['ic_inferior'])} – "
        f"{vista.formato.numero(1000 * f['ic_superior'])})"
        for _, f in cifra.iterrows()
    ]
    assert negra["Víctimas que denunciaron"].tolist() == [
        vista.texto(
            {c: f[f"{c}_denuncio"] for c in ("calidad", "n", "estimacion")}
            | {"ic_inferior": f["ic_inferior_denuncio"], "ic_superior": f["ic_superior_denuncio"]}
        )
        for _, f in cifra.iterrows()
    ]
