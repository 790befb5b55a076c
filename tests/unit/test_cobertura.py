"""Cobertura e índice de necesidad: puntajes e índice a mano, la regla de la percepción (barrio,
sector o sin dato) y la cobertura contra un conteo independiente en una base pequeña."""

import json
from dataclasses import replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from consultas import cobertura, encuestas, espacial, evaluacion, ficha, mapa, privacidad
from consultas.filtros import Filtros
from datos import catalogo
from tests import fixtures
from ui import cobertura as vista
from ui import formato

# --- Puntajes e índice, a mano ----------------------------------------------------------------


def test_puntaje_es_la_posicion_entre_los_barrios_con_dato():
    valores = pd.Series([10.0, 30.0, 20.0, np.nan, 20.0])
    # Rangos con empates al menor: 1, 4, 2, —, 2; (rango − 1) / (4 − 1).
    assert cobertura.puntaje(valores).tolist()[:3] == pytest.approx([0, 1, 1 / 3])
    assert np.isnan(cobertura.puntaje(valores)[3])
    assert cobertura.puntaje(valores)[4] == pytest.approx(1 / 3)
    assert cobertura.puntaje(pd.Series([5.0, np.nan])).tolist()[0] == 0


def _componentes():
    return pd.DataFrame(
        {
            "tasa_dmcs": [30.0, 10.0, 20.0, np.nan],
            "parte_calientes": [0.5, 0.0, 0.0, 0.2],
            "inseguridad": [0.6, np.nan, 0.4, 0.5],
        }
    )


def test_indice_con_pesos_iguales_y_componentes_faltantes():
    # Puntajes: tasa 1, 0, 0,5, —; calientes 1, 0, 0, 2/3; percepción 1, —, 0, 0,5.
    indice = cobertura.indice(_componentes(), (1, 1, 1))
    assert indice.tolist() == pytest.approx([1.0, 0.0, 0.5 / 3, (2 / 3 + 0.5) / 2])


def test_indice_con_pesos_del_usuario():
    indice = cobertura.indice(_componentes(), (2, 0, 1))
    # Barrio 3: (2·0,5 + 1·0) / 3; barrio 2: solo la tasa (sin percepción): 0.
    assert indice.tolist() == pytest.approx([1.0, 0.0, 1 / 3, 0.5])
    # Solo la percepción: el barrio sin percepción queda sin índice.
    assert np.isnan(cobertura.indice(_componentes(), (0, 0, 1))[1])


# --- Base pequeña -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("cobertura") / "chica.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture(), fixtures.SIN_ACTIVIDADES)
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    actividades = pd.DataFrame(
        [
            ("A-1", date(2025, 2, 3), "norte", "2.1", "Diagnóstico participativo", 20, 35),
            ("A-2", date(2025, 3, 3), "norte", "2.3", "Puerta a puerta", 8, 70),
            ("A-3", date(2025, 5, 5), "sur", "2.3", "Capacitaciones", 12, 9),
            ("A-4", date(2024, 5, 5), "oriente", "2.4", "Desarrollo de activaciones", 40, 15),
        ],
        columns=["actividad_id", "fecha", "barrio_id", "linea", "actividad", "participantes"]
        + ["hogares"],
    )
    escritura = duckdb.connect(str(ruta))
    escritura.register("act", actividades)
    escritura.execute("INSERT INTO actividades SELECT * FROM act")
    escritura.close()
    conexion = duckdb.connect(str(ruta), read_only=True)
    yield conexion
    conexion.close()


FILTROS = Filtros(date(2025, 1, 1), date(2025, 6, 30), preset="personalizado")


def test_cobertura_por_barrio(con):
    tabla = cobertura.cobertura(con, FILTROS).set_index("barrio_id")
    norte = tabla.loc["norte"]
    assert (norte["actividades"], norte["2.1"], norte["2.3"]) == (2, 1, 1)
    assert (norte["participantes"], norte["hogares_alcanzados"]) == (28, 105)
    assert norte["hogares_por_100"] == pytest.approx(100 * 105 / 350)
    assert norte["ultima_actividad"] == date(2025, 3, 3)
    assert norte["meses_desde_ultima"] == pytest.approx(119 / cobertura.DIAS_MES)
    # Oriente: nada en el período, la última fue antes; Poniente: nunca, y sin hogares.
    assert tabla.loc["oriente", "actividades"] == 0
    assert tabla.loc["oriente", "ultima_actividad"] == date(2024, 5, 5)
    assert pd.isna(tabla.loc["poniente", "meses_desde_ultima"])
    assert np.isnan(tabla.loc["poniente", "hogares_por_100"])
    solo = cobertura.cobertura(con, FILTROS, ("2.3",)).set_index("barrio_id")
    assert solo.loc["norte", "actividades"] == 1 and solo.loc["norte", "2.1"] == 0


PERIODOS = [
    FILTROS,
    Filtros(date(2025, 6, 1), date(2025, 6, 28), preset="personalizado"),
    Filtros(date(2024, 3, 1), date(2025, 2, 28), preset="personalizado"),
]


@pytest.mark.parametrize("filtros", PERIODOS, ids=range(len(PERIODOS)))
def test_tasa_contra_un_conteo_independiente(con, filtros):
    comp = cobertura.componentes(con, filtros).set_index("barrio_id")
    df = fixtures.incidentes_fixture()
    dmcs = {d.delito for d in catalogo.DELITOS if d.grupo_dmcs}
    en = (
        (df["fecha_hora"] >= pd.Timestamp(filtros.desde))
        & (df["fecha_hora"] < pd.Timestamp(filtros.hasta) + pd.Timedelta(days=1))
        & (df["fuente"] == "policial")
        & df["delito"].isin(dmcs)
    )
    esperado = df[en].groupby("barrio_id").size()
    poblacion = fixtures.BARRIOS.set_index("barrio_id")["poblacion"]
    for barrio in poblacion.index:
        casos = esperado.get(barrio, 0)
        assert comp.loc[barrio, "casos_dmcs"] == casos
        tasa = 1000 * casos / poblacion[barrio] if poblacion[barrio] > 0 else np.nan
        assert comp.loc[barrio, "tasa_dmcs"] == pytest.approx(tasa, nan_ok=True)
    assert comp["casos_dmcs"].sum() > 0, "el fixture debe tener casos DMCS"
    assert np.isnan(comp.loc["poniente", "tasa_dmcs"])  # sin población


def test_percepcion_del_barrio_del_sector_o_sin_dato(con):
    comp = cobertura.componentes(con, FILTROS).set_index("barrio_id")
    # Ola 2025-1: la última iniciada (mayo) antes del fin del período.
    est = encuestas.estimaciones(con, ("2025-1",))
    est = est[est["indicador"] == "inseguro_barrio"].set_index(["nivel", "unidad_id"])
    for barrio in ("norte", "sur", "oriente", "poniente"):
        fila = comp.loc[barrio]
        propio = est.loc[("barrio", barrio)]
        sector = est.loc[
            ("sector", fixtures.BARRIOS.set_index("barrio_id").loc[barrio, "sector_id"])
        ]
        if propio["calidad"] != encuestas.NO_FIABLE:
            assert fila["origen_inseguridad"] == "barrio (2025-1)"
            assert fila["inseguridad"] == pytest.approx(propio["estimacion"])
        elif sector["calidad"] != encuestas.NO_FIABLE:
            assert fila["origen_inseguridad"] == "sector (2025-1)"
            assert fila["inseguridad"] == pytest.approx(sector["estimacion"])
        else:
            assert fila["origen_inseguridad"] == "" and np.isnan(fila["inseguridad"])
    assert set(comp["origen_inseguridad"]) - {""}, "el fixture debe tener alguna estimación"


def test_prioritarios(con):
    tabla = cobertura.necesidad_y_cobertura(con, FILTROS, (), (1, 1, 1), 10)
    alta = tabla["necesidad"] >= tabla["necesidad"].quantile(cobertura.PARTE_ALTA)
    esperado = alta & (tabla["hogares_por_100"].fillna(0) < 10)
    assert tabla["prioritario"].tolist() == esperado.tolist()
    assert list(cobertura.exportable(con, FILTROS).columns) == cobertura.COLUMNAS


# --- Las vías rápidas contra un cálculo independiente en pandas --------------------------------


@pytest.mark.parametrize("filtros", PERIODOS, ids=range(len(PERIODOS)))
def test_calientes_contra_un_conteo_independiente(con, filtros):
    comp = cobertura.componentes(con, filtros).set_index("barrio_id")
    celdas = mapa.puntos_calientes(
        con, cobertura.filtros_dmcs(con, filtros), mapa.RESOLUCION_POR_DEFECTO
    )
    if len(celdas) < mapa.MINIMO_CELDAS:
        celdas = celdas.assign(clase="")
    caliente = celdas["clase"].str.startswith(espacial.CALIENTE)
    por_nombre = celdas.assign(caliente=caliente).groupby("barrio")
    nombres = fixtures.BARRIOS.set_index("barrio_id")["nombre"]
    for barrio, nombre in nombres.items():
        n = por_nombre.size().get(nombre, 0)
        calientes = por_nombre["caliente"].sum().get(nombre, 0)
        assert comp.loc[barrio, "celdas"] == n
        assert comp.loc[barrio, "celdas_calientes"] == calientes
        esperado = calientes / n if n else np.nan
        assert comp.loc[barrio, "parte_calientes"] == pytest.approx(esperado, nan_ok=True)
    assert comp["celdas"].sum() > 0, "el fixture debe tener celdas"


def _como_merge(con, filtros, lineas, pesos, umbral):
    """La necesidad como se armaba antes: componentes e índice de la comuna y un merge con la
    cobertura del territorio."""
    comp = cobertura.componentes(con, filtros)
    comp["necesidad"] = cobertura.indice(comp, pesos)
    corte = comp["necesidad"].quantile(cobertura.PARTE_ALTA)
    comp["necesidad_alta"] = comp["necesidad"] >= corte
    tabla = cobertura.cobertura(con, filtros, lineas).merge(comp, on="barrio_id", how="left")
    insuficiente = tabla["hogares_por_100"].fillna(0) < umbral
    return tabla.assign(
        corte_necesidad=corte,
        prioritario=tabla["necesidad_alta"].fillna(False).astype(bool) & insuficiente,
    )


@pytest.mark.parametrize(
    ("sectores", "barrios", "lineas", "pesos", "umbral"),
    [
        ((), (), (), (1, 1, 1), 10),
        (("alto",), (), ("2.3",), (2, 0, 1), 30),
        ((), ("sur", "poniente"), (), (0, 3, 1), 5),
    ],
)
def test_necesidad_del_territorio_igual_al_merge_con_la_comuna(
    con, sectores, barrios, lineas, pesos, umbral
):
    filtros = replace(FILTROS, sectores=sectores, barrios=barrios)
    rapida = cobertura.necesidad_y_cobertura(con, filtros, lineas, pesos, umbral)
    assert len(rapida) > 0
    pd.testing.assert_frame_equal(rapida, _como_merge(con, filtros, lineas, pesos, umbral))


def test_ola_vigente_contra_las_fechas_de_inicio(con):
    inicios = con.sql("SELECT ola, min(fecha) AS inicio FROM encuesta_respuestas GROUP BY ola").df()
    for hasta in (date(2020, 1, 1), date(2025, 6, 30), date(2030, 1, 1)):
        vigentes = inicios[pd.to_datetime(inicios["inicio"]) <= pd.Timestamp(hasta)]
        esperado = str(vigentes["ola"].max()) if len(vigentes) else None
        assert cobertura.ola_vigente(con, replace(FILTROS, hasta=hasta)) == esperado


def test_grafico_cuadrantes_igual_al_de_plotly(con):
    tabla = cobertura.necesidad_y_cobertura(con, FILTROS)
    corte = float(tabla["corte_necesidad"].iloc[0])
    figura = vista.grafico_cuadrantes(tabla, 10, corte)
    datos = tabla.dropna(subset=["necesidad"])
    x = datos["hogares_por_100"].fillna(0)
    punto = figura.data[0]
    assert list(punto.x) == x.tolist() and list(punto.y) == datos["necesidad"].tolist()
    visibles = datos["prioritario"] | (x >= x.quantile(0.8))
    assert list(punto.text) == np.where(visibles, datos["barrio"], "").tolist()
    referencia = go.Figure()
    referencia.add_vline(x=10, line_dash="dot", line_color="#888")
    referencia.add_hline(y=corte, line_dash="dot", line_color="#888")
    assert figura.to_dict()["layout"]["shapes"] == referencia.to_dict()["layout"]["shapes"]


@pytest.mark.parametrize("barrio", ["norte", "sur", "oriente", "poniente", "no-existe"])
def test_encuesta_de_la_ficha_igual_a_las_estimaciones_de_la_comuna(con, barrio):
    est = encuestas.estimaciones(con, ("2025-1",))
    propia = est[(est["nivel"] == "barrio") & (est["unidad_id"] == barrio)]
    sector = propia["sector_id"].iloc[0] if len(propia) else None
    esperado = est[
        (est["nivel"] == encuestas.COMUNA)
        | ((est["nivel"] == "sector") & (est["unidad_id"] == sector))
        | ((est["nivel"] == "barrio") & (est["unidad_id"] == barrio))
    ]
    obtenido = ficha.encuesta(con, FILTROS, barrio)
    assert len(obtenido) == len(esperado) > 0
    pd.testing.assert_frame_equal(obtenido, esperado, check_exact=True)


@pytest.mark.parametrize(
    "serie",
    [
        pd.Series(pd.array([3, None, 1200], dtype="Int64"), index=[5, 2, 9]),
        pd.Series([0.5, np.nan, 12.25]),
        pd.Series([date(2024, 1, 31), date(2025, 6, 1)]),
    ],
)
def test_cada_igual_al_map_de_pandas(serie):
    funcion = vista._entero if serie.dtype == "Int64" else str
    pd.testing.assert_series_equal(vista._cada(serie, funcion), serie.map(funcion))


@pytest.mark.parametrize("pesos", [(1, 1, 1), (2, 0, 1), (0, 0, 3), (0, 0, 0), (3, 2, 1)])
def test_indice_igual_al_calculo_con_pandas(pesos):
    azar = np.random.default_rng(7)
    valores = azar.random((40, 3))
    valores[azar.random((40, 3)) < 0.2] = np.nan
    valores[:5, 0] = valores[5, 0]  # empates
    comp = pd.DataFrame(valores, columns=["tasa_dmcs", "parte_calientes", "inseguridad"])
    puntajes = pd.DataFrame(
        {
            c: cobertura.puntaje(comp[col])
            for c, col in zip(cobertura.COMPONENTES, comp, strict=True)
        }
    )
    w = pd.Series(pesos, index=list(cobertura.COMPONENTES), dtype=float)
    suma_pesos = (puntajes.notna() * w).sum(axis=1)
    esperado = (puntajes.fillna(0) * w).sum(axis=1) / suma_pesos.where(suma_pesos > 0)
    pd.testing.assert_series_equal(cobertura.indice(comp, pesos), esperado, check_exact=True)


def test_tabla_sectores_contra_una_agrupacion_por_sector(con):
    tabla = cobertura.necesidad_y_cobertura(con, FILTROS)
    sectores = vista.tabla_sectores(vista.por_sector(tabla)).set_index("Sector")
    for sector, filas in tabla.groupby("sector"):
        fila = sectores.loc[sector]
        con_actividades = int((filas["actividades"] > 0).sum())
        assert fila["Barrios con actividades"] == f"{con_actividades} de {len(filas)}"
        assert fila["Actividades"] == filas["actividades"].sum()
        assert fila["Hogares alcanzados"] == filas["hogares_alcanzados"].sum()
        hogares = filas["hogares"].sum()
        por_100 = 100 * filas["hogares_alcanzados"].sum() / hogares if hogares else np.nan
        assert fila["Por 100 hogares"] == formato.numero(por_100, 1)
    assert list(sectores.index) == sorted(tabla["sector"].unique())
    assert vista.frase_sectores(vista.por_sector(tabla)).startswith(("El sector", "Ningún sector"))


def test_tasa_y_calientes_en_la_demostracion_igual_que_por_separado(demo_pequena):
    """En la demostración (con celdas calientes): los componentes de una sola lectura por celda
    y barrio, contra puntos_calientes de los casos DMCS y un conteo por barrio sobre incidentes."""
    con = duckdb.connect(str(demo_pequena), read_only=True)
    corte = con.execute("SELECT max(fecha_hora)::DATE FROM incidentes").fetchone()[0]
    con_calientes = 0
    for desde in (date(corte.year, 1, 1), corte - pd.Timedelta(days=90)):
        filtros = Filtros(desde, corte, preset="personalizado")
        comp = cobertura.componentes(con, filtros).set_index("barrio_id")
        celdas = mapa.puntos_calientes(
            con, cobertura.filtros_dmcs(con, filtros), mapa.RESOLUCION_POR_DEFECTO
        )
        caliente = celdas["clase"].str.startswith(espacial.CALIENTE)
        if len(celdas) < mapa.MINIMO_CELDAS:
            caliente &= False
        por_nombre = celdas.assign(caliente=caliente).groupby("barrio")
        n, calientes = por_nombre.size(), por_nombre["caliente"].sum()
        casos = (
            con.execute(
                """SELECT i.barrio_id, count(*) AS casos
            FROM incidentes i JOIN delitos d USING (delito)
            WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
              AND i.fecha_hora::DATE BETWEEN $desde AND $hasta GROUP BY ALL""",
                {"desde": filtros.desde, "hasta": filtros.hasta},
            )
            .df()
            .set_index("barrio_id")["casos"]
        )
        barrios = con.sql("SELECT barrio_id, nombre FROM barrios").df()
        for barrio, nombre in zip(barrios["barrio_id"], barrios["nombre"], strict=True):
            assert comp.loc[barrio, "casos_dmcs"] == casos.get(barrio, 0)
            assert comp.loc[barrio, "celdas"] == n.get(nombre, 0)
            assert comp.loc[barrio, "celdas_calientes"] == calientes.get(nombre, 0)
        con_calientes += int(comp["celdas_calientes"].sum())
    con.close()
    assert con_calientes > 0, "la demostración debe tener celdas calientes"


def _json(figura: go.Figure) -> dict:
    """Lo que Streamlit envía al navegador (st.plotly_chart): el JSON de la figura."""
    return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(figura, True)))


@pytest.mark.parametrize("barrio", ["norte", "poniente"])
def test_graficos_de_la_ficha_iguales_a_los_de_plotly(con, barrio):
    tendencia = ficha.tendencia(con, FILTROS, barrio)
    referencia = go.Figure(
        [
            go.Scatter(
                x=tendencia["mes"], y=tendencia["tasa_barrio"], name="N", line_color="#c0392b"
            ),
            go.Scatter(
                x=tendencia["mes"],
                y=tendencia["tasa_comuna"],
                name="Comuna",
                line={"color": "#888", "dash": "dot"},
            ),
        ]
    )
    referencia.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        separators=",.",
        yaxis_title="Casos por 1.000 habitantes al mes",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"tickformat": "%m-%Y"},
    )
    assert len(tendencia) > 0
    assert _json(vista.grafico_tendencia(tendencia, "N")) == _json(referencia)
    horas = ficha.horas(con, FILTROS, barrio)
    if barrio == "poniente":  # como la ve el público: conteos suprimidos, sin valor
        horas = privacidad.suprimir(horas, privacidad.REGLAS["consultas.ficha.horas"])
    referencia = go.Figure(
        go.Heatmap(
            z=horas.to_numpy(),
            x=list(horas.columns),
            y=list(horas.index),
            colorscale="YlOrRd",
            hovertemplate="%{y} a las %{x}:00 · %{z} casos<extra></extra>",
        )
    )
    referencia.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        separators=",.",
        xaxis_title="Hora",
        yaxis={"autorange": "reversed"},
    )
    assert _json(vista.grafico_horas(horas)) == _json(referencia)


@pytest.mark.parametrize("barrio", ["norte", "sur", "oriente", "poniente", "no-existe"])
def test_ultima_actividad_y_tendencia_de_la_ficha(con, barrio):
    for hasta in (date(2025, 2, 2), FILTROS.hasta):
        filtros = replace(FILTROS, hasta=hasta)
        tabla = cobertura.cobertura(con, replace(filtros, barrios=(barrio,)))
        esperado = tabla["ultima_actividad"].iloc[0] if len(tabla) else None
        esperado = None if pd.isna(esperado) else esperado
        assert ficha.ultima_actividad(con, filtros, barrio) == esperado
    tendencia = ficha.tendencia(con, FILTROS, barrio)
    poblacion = fixtures.BARRIOS.set_index("barrio_id")["poblacion"]
    pob = poblacion.get(barrio, 0)
    assert list(tendencia.columns) == ["mes", "barrio", "comuna", "tasa_barrio", "tasa_comuna"]
    esperado = 1000 * tendencia["barrio"] / pob if pob > 0 else np.nan
    pd.testing.assert_series_equal(
        tendencia["tasa_barrio"], pd.Series(esperado, index=tendencia.index), check_names=False
    )
    pd.testing.assert_series_equal(
        tendencia["tasa_comuna"], 1000 * tendencia["comuna"] / poblacion.sum(), check_names=False
    )


def _tabla_evaluacion_con_map(tabla: pd.DataFrame) -> pd.DataFrame:
    """La tabla de la evaluación con Series.map de pandas, columna por columna."""

    def texto(columna, funcion):
        return tabla[columna].astype(object).map(funcion).astype("str")

    franja = {}
    if "desplazamiento_antes" in tabla:
        franja = {
            "Franja antes": texto("desplazamiento_antes", vista._entero),
            "Franja después": texto("desplazamiento_despues", vista._entero),
        }
    return pd.DataFrame(
        {
            "Barrio": tabla["barrio"],
            "Línea": tabla["linea"],
            "Actividad": tabla["actividad"],
            "Inicio": texto("inicio", formato.fecha),
            "Antes": texto("antes", vista._entero),
            "Después": texto("despues", vista._entero),
            "Comparación antes": texto("comparacion_antes", vista._entero),
            "Comparación después": texto("comparacion_despues", vista._entero),
            **franja,
            "WDD": texto("wdd", vista._entero),
            "z": texto("z", lambda v: formato.numero(v, 2)),
            "p": texto("p_valor", lambda v: formato.numero(v, 3)),
            "Veredicto": tabla["veredicto"],
            "Baja mínima distinguible": texto("baja_minima_pct", vista._baja),
            "Barrios de comparación": tabla["comparacion"].replace("", "—"),
            "Motivo": tabla["motivo"].replace("", "—"),
        }
    )


@pytest.mark.parametrize("franja", [False, True])
@pytest.mark.parametrize("publico", [False, True])
def test_tabla_evaluacion_igual_a_la_de_pandas(demo_pequena, franja, publico):
    con = duckdb.connect(str(demo_pequena), read_only=True)
    evaluadas = privacidad.llamar(evaluacion.evaluar, con, 12, (), franja, publico=publico)
    con.close()
    orden = evaluacion.ordenar(evaluadas)
    assert len(orden) > 0
    pd.testing.assert_frame_equal(vista.tabla_evaluacion(orden), _tabla_evaluacion_con_map(orden))


def test_por_sector_igual_al_groupby_de_pandas():
    azar = np.random.default_rng(11)
    n = 60
    tabla = pd.DataFrame(
        {
            "sector": azar.choice(["Sur", "Norte", "Ñuñoa", "Alto"], n),
            "actividades": azar.integers(0, 4, n),
            "participantes": azar.integers(0, 90, n),
            "hogares_alcanzados": azar.integers(0, 50, n),
            "hogares": np.where(azar.random(n) < 0.1, np.nan, azar.integers(0, 900, n)),
        }
    )
    columnas = ["actividades", "participantes", "hogares_alcanzados", "hogares"]
    esperado = (
        tabla[["sector", *columnas]]
        .assign(con_actividades=(tabla["actividades"] > 0).astype(int), barrios=1)
        .groupby("sector", sort=True)
        .sum()
    )
    hogares = esperado["hogares"]
    esperado = esperado.assign(por_100=100 * esperado["hogares_alcanzados"] / hogares)
    obtenido = vista.por_sector(tabla)
    pd.testing.assert_frame_equal(obtenido, esperado, check_dtype=False)
    assert list(obtenido.index) == sorted(tabla["sector"].unique())


def _tabla_necesidad_con_pandas(tabla: pd.DataFrame) -> pd.DataFrame:
    """La tabla de necesidad ordenada con sort_values y formateada con Series.map."""
    orden = tabla.sort_values("necesidad", ascending=False, na_position="last")

    def texto(columna, funcion):
        return orden[columna].astype(object).map(funcion).astype("str")

    celdas = [
        f"{int(c)} de {int(n)}" if n else "—"
        for c, n in zip(orden["celdas_calientes"], orden["celdas"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Barrio": orden["barrio"],
            "Necesidad (0 a 1)": texto("necesidad", vista._puntaje),
            "Tasa DMCS por 1.000": texto(
                "tasa_dmcs", lambda v: "sin población" if pd.isna(v) else formato.numero(v, 1)
            ),
            "Celdas calientes": celdas,
            "Inseguridad percibida": texto(
                "inseguridad",
                lambda v: "sin dato fiable" if pd.isna(v) else formato.proporcion(v),
            ),
            "Estimación de": orden["origen_inseguridad"].replace("", "—"),
            "Hogares alcanzados por 100": texto("hogares_por_100", lambda v: formato.numero(v, 1)),
            "Prioritario sin cobertura": orden["prioritario"].map({True: "sí", False: ""}),
        }
    )


@pytest.mark.parametrize("publico", [False, True])
def test_tabla_necesidad_igual_a_la_de_pandas(demo_pequena, publico):
    con = duckdb.connect(str(demo_pequena), read_only=True)
    corte = con.execute("SELECT max(fecha_hora)::DATE FROM incidentes").fetchone()[0]
    filtros = Filtros(date(corte.year, 1, 1), corte, preset="aad")
    tabla = privacidad.llamar(cobertura.necesidad_y_cobertura, con, filtros, publico=publico)
    con.close()
    for parte in (tabla, tabla[tabla["prioritario"]], tabla.iloc[0:0]):
        esperado = _tabla_necesidad_con_pandas(parte)
        pd.testing.assert_frame_equal(vista.tabla_necesidad(parte), esperado)
    assert tabla["necesidad"].notna().sum() > 1


def _frase_cobertura_con_pandas(tabla: pd.DataFrame) -> str:
    con = tabla[tabla["actividades"] > 0]
    if con.empty:
        return f"Ninguno de los {len(tabla)} barrios tuvo actividades del programa en el período."
    total = int(tabla["actividades"].sum())
    mayor = con.sort_values("actividades", ascending=False).iloc[0]
    return (
        f"{len(con)} de {len(tabla)} barrios tuvieron actividades del programa: {total:,} en "
        f"total; la mayor parte en {mayor['barrio']} ({int(mayor['actividades'])})."
    ).replace(",", ".")


def _frase_prioritarios_con_pandas(tabla: pd.DataFrame, umbral: float) -> str:
    prioritarios = tabla[tabla["prioritario"]].sort_values("necesidad", ascending=False)
    if prioritarios.empty:
        return (
            "Todos los barrios de necesidad alta alcanzaron al menos "
            f"{umbral:g} hogares por cada 100 en el período."
        )
    return (
        f"{len(prioritarios)} barrio{'s' if len(prioritarios) != 1 else ''} de necesidad alta "
        f"no llega{'n' if len(prioritarios) != 1 else ''} a {umbral:g} hogares alcanzados por "
        f"cada 100: {cobertura._lista(list(prioritarios['barrio']))}."
    )


@pytest.mark.parametrize("semilla", range(8))
def test_frases_de_cobertura_iguales_a_las_de_pandas(semilla):
    """Con empates (actividades y necesidad repetidas) el barrio nombrado y el orden de la lista
    son los de sort_values sobre la tabla filtrada."""
    rng = np.random.default_rng(semilla)
    n = int(rng.integers(1, 45))
    tabla = pd.DataFrame(
        {
            "barrio": pd.array([f"Barrio {k}" for k in range(n)], dtype="str"),
            "actividades": rng.integers(0, 4, n),
            "necesidad": rng.choice([0.2, 0.5, 0.9, np.nan], n),
            "prioritario": rng.random(n) < 0.4,
        },
        index=rng.permutation(n) + 100,
    )
    for parte in (tabla, tabla.assign(actividades=0), tabla.assign(prioritario=False)):
        assert cobertura.frase_cobertura(parte) == _frase_cobertura_con_pandas(parte)
        assert cobertura.frase_prioritarios(parte, 10) == _frase_prioritarios_con_pandas(parte, 10)


@pytest.mark.parametrize("barrio", ["norte", "poniente"])
def test_encuesta_de_la_ficha_igual_fila_por_fila(con, barrio):
    """La tabla de la encuesta de la Ficha: un texto por indicador y nivel, «—» si ese nivel no
    tiene el indicador, igual que texto() con iterrows."""
    from ui import encuestas as vista_encuesta

    est = ficha.encuesta(con, FILTROS, barrio)
    indicadores = est[est["nivel"] == encuestas.COMUNA].set_index("indicador")
    for nivel in (encuestas.COMUNA, "sector", "barrio"):
        por_nivel = est[est["nivel"] == nivel].set_index("indicador")
        for filas in (por_nivel, por_nivel.iloc[1:]):  # con un indicador que falta
            filas = filas.reindex(indicadores.index)
            esperado = [
                vista_encuesta.texto(f) if f.notna().any() else "—" for _, f in filas.iterrows()
            ]
            assert vista_encuesta.textos_o_guion(filas) == esperado
    assert "—" in vista_encuesta.textos_o_guion(por_nivel.iloc[1:].reindex(indicadores.index))


def test_tablas_de_la_ficha_sin_la_columna_barrio(demo_pequena):
    con = duckdb.connect(str(demo_pequena), read_only=True)
    orden = evaluacion.ordenar(evaluacion.evaluar(con, 6, ()))
    tipos = cobertura.actividades_por_tipo(con, Filtros(date(2025, 1, 1), date(2025, 6, 30)), ())
    con.close()
    assert len(orden) > 0 and len(tipos) > 0
    pd.testing.assert_frame_equal(
        vista.tabla_evaluacion(orden, con_barrio=False),
        vista.tabla_evaluacion(orden).drop(columns="Barrio"),
    )
    pd.testing.assert_frame_equal(
        vista.tabla_tipos(tipos, con_barrio=False), vista.tabla_tipos(tipos).drop(columns="Barrio")
    )


def test_necesidad_sin_percepcion_si_el_indicador_no_es_0_1(con, monkeypatch):
    # `factor` existe pero no es 0/1: la necesidad se arma con la tasa y las celdas calientes.
    monkeypatch.setattr(cobertura, "INDICADOR", "factor")
    rapida = cobertura.necesidad_y_cobertura(con, FILTROS)
    assert len(rapida) == len(fixtures.BARRIOS)
    assert rapida["inseguridad"].isna().all() and (rapida["origen_inseguridad"] == "").all()
    pd.testing.assert_frame_equal(rapida, _como_merge(con, FILTROS, (), (1, 1, 1), 10))
