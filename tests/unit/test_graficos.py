"""Los gráficos de Tendencias contra los de antes, armados con pandas (filtros por grupo y
posición, groupby) y go.Figure: lo que llega al navegador debe ser igual."""

import json
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from consultas import privacidad, tendencias
from consultas import tendencias as t
from consultas.filtros import Filtros
from consultas.frases import UNIDADES
from ui import formato, graficos

MAXIMO_GRUPOS = graficos.MAXIMO_GRUPOS
COLORES_LINEA = graficos.COLORES_LINEA
COLORES_EMBUDO = graficos.COLORES_EMBUDO
MESES = graficos.MESES
# Sin cambios desde los gráficos de antes: las mismas funciones.
_columnas, _unidad = graficos._columnas, graficos._unidad


def _figura(trazas: list[dict], **diseno) -> go.Figure:
    """La figura sin la validación de Plotly, que por sí sola tomaba la mitad del tiempo de la
    página (≈ 10 ms por traza); lo dibujado lo comprueban las pruebas de la página."""
    diseno = {
        "separators": ",.",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "y": -0.15, "x": 0},
    } | diseno
    return go.Figure(data=trazas, layout=diseno, _validate=False)


def _lista(valores) -> list:
    """Fechas como texto ISO y NaN como null: el JSON de listas simples es varias veces más rápido
    que el de series de pandas."""
    serie = valores if isinstance(valores, pd.Series) else pd.Series(valores)
    tipo = serie.dtype
    if pd.api.types.is_datetime64_any_dtype(tipo):
        dias = serie.to_numpy("datetime64[D]")
        if not np.isnat(dias).any():  # en numpy, sin pasar por strftime valor por valor
            return np.datetime_as_string(dias).tolist()
        return serie.dt.strftime("%Y-%m-%d").tolist()
    if isinstance(tipo, np.dtype) and tipo.kind in "iu":
        return serie.to_numpy().tolist()
    if isinstance(tipo, np.dtype) and tipo.kind == "f":
        return [None if v != v else v for v in serie.to_numpy().tolist()]
    return serie.astype(object).where(serie.notna(), None).tolist()


def _dispersion(**propiedades) -> dict:
    return {"type": "scatter", **propiedades} | {
        eje: _lista(propiedades[eje]) for eje in ("x", "y") if eje in propiedades
    }


def _serie_con_pandas(
    datos: pd.DataFrame, escala: str, actividades: pd.DataFrame | None
) -> go.Figure:
    """Casos por unidad; con una sola serie, además la media móvil, los años anteriores, la banda
    de lo esperado y los puntos fuera de ella. Las actividades van como marcas al pie."""
    trazas = []
    grupos = datos.groupby("grupo")["casos"].sum().sort_values(ascending=False)
    if len(grupos) == 1:
        trazas = _serie_total(datos, escala)
    else:
        principales = list(grupos.index[:MAXIMO_GRUPOS])
        datos = datos.assign(grupo=datos["grupo"].where(datos["grupo"].isin(principales), "Otros"))
        datos = datos.groupby(["grupo", "fecha", "fin"], as_index=False)["casos"].sum()
        for grupo in [*principales, "Otros"]:
            d = datos[datos["grupo"] == grupo]
            if d.empty:
                continue
            trazas.append(
                _dispersion(
                    x=d["fecha"],
                    y=d["casos"],
                    name=grupo,
                    mode="lines",
                    text=[
                        f"{grupo} · {_unidad(a, b, escala)}: {formato.conteo(c)} casos"
                        for a, b, c in zip(d["fecha"], d["fin"], d["casos"], strict=True)
                    ],
                    hovertemplate="%{text}<extra></extra>",
                )
            )
    if actividades is not None and not actividades.empty:
        for linea, d in actividades.groupby("linea"):
            trazas.append(
                _dispersion(
                    x=d["fecha"],
                    y=[0] * len(d),
                    name=f"Actividad línea {linea}",
                    mode="markers",
                    marker={"symbol": "triangle-up", "size": 11, "color": COLORES_LINEA.get(linea)},
                    text=[
                        f"{formato.fecha(fecha)} · Línea {linea_} · {actividad} · "
                        f"{formato.numero(participantes)} participantes · {barrio}"
                        for fecha, linea_, actividad, participantes, barrio in _columnas(
                            d, "fecha", "linea", "actividad", "participantes", "barrio"
                        )
                    ],
                    hovertemplate="%{text}<extra></extra>",
                )
            )
    formato_eje = "%m-%Y" if escala == "mes" else "%d-%m-%Y"
    return _figura(
        trazas,
        height=440,
        xaxis={"tickformat": formato_eje},
        yaxis={"title": {"text": "Casos"}, "rangemode": "tozero"},
        hovermode="closest",
    )


def _serie_total(d: pd.DataFrame, escala: str) -> list[dict]:
    trazas = []
    con_banda = d[d["esperado"].notna()]
    if not con_banda.empty:
        trazas.append(
            _dispersion(
                x=[*con_banda["fecha"], *con_banda["fecha"][::-1]],
                y=[*con_banda["limite_superior"], *con_banda["limite_inferior"][::-1]],
                fill="toself",
                fillcolor="rgba(31, 78, 121, 0.15)",
                line={"width": 0},
                name="Banda de lo esperado (95 %)",
                hoverinfo="skip",
            )
        )
    for k, columna in [(3, "hace_3_anios"), (2, "hace_2_anios"), (1, "hace_1_anio")]:
        hace = f"Hace {k} año{'s' if k > 1 else ''}"
        trazas.append(
            _dispersion(
                x=d["fecha"],
                y=d[columna],
                name=hace,
                mode="lines",
                line={"width": 1, "dash": "dot", "color": ["#9aa5b1", "#b8c1cb", "#d5dbe1"][k - 1]},
                visible=True if k == 1 else "legendonly",
                hovertemplate=f"{hace}: %{{y:,.0f}} casos<extra></extra>",
            )
        )
    trazas.append(
        _dispersion(
            x=d["fecha"],
            y=d["media_movil"],
            name=f"Media móvil ({t.MEDIA_MOVIL[escala]} {UNIDADES[escala][1]})",
            mode="lines",
            line={"width": 2, "color": "#e67e22"},
            hovertemplate="Media móvil: %{y:,.1f}<extra></extra>",
        )
    )
    trazas.append(
        _dispersion(
            x=d["fecha"],
            y=d["casos"],
            name="Casos",
            mode="lines+markers",
            line={"width": 2, "color": "#1f4e79"},
            marker={"size": 4},
            text=[
                f"{_unidad(fecha, fin, escala)}: {formato.conteo(casos)} casos"
                + (
                    f" · esperado {formato.numero(esperado, 1)} "
                    f"({formato.numero(inferior)} a {formato.numero(superior)})"
                    if pd.notna(esperado)
                    else ""
                )
                + f" · {posicion}"
                for fecha, fin, casos, esperado, inferior, superior, posicion in _columnas(
                    d,
                    "fecha",
                    "fin",
                    "casos",
                    "esperado",
                    "limite_inferior",
                    "limite_superior",
                    "posicion",
                )
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fuera = d[d["fuera"]]
    if not fuera.empty:
        trazas.append(
            _dispersion(
                x=fuera["fecha"],
                y=fuera["casos"],
                name="Fuera de lo esperado",
                mode="markers",
                marker={
                    "size": 11,
                    "color": ["#c0392b" if p == t.SOBRE else "#2166ac" for p in fuera["posicion"]],
                    "line": {"width": 1, "color": "white"},
                },
                hoverinfo="skip",
            )
        )
    return trazas


def _embudo_con_pandas(tabla: pd.DataFrame, plural: str) -> go.Figure:
    """Tasa de cada territorio contra su población, con los límites de 95 % y 99,8 %."""
    puntos = tabla[tabla["embudo"] != t.SIN_POBLACION]
    tasa = float(puntos["tasa_comuna"].iloc[0])
    curvas = t.curvas_embudo(tasa, float(puntos["poblacion"].max()))
    trazas = []
    for nivel, estilo in [("998", "solid"), ("95", "dash")]:
        etiqueta = "99,8 %" if nivel == "998" else "95 %"
        for lado in ("sup", "inf"):
            trazas.append(
                _dispersion(
                    x=curvas["poblacion"],
                    y=curvas[f"{lado}_{nivel}"],
                    mode="lines",
                    line={"color": "#7f8c8d", "dash": estilo, "width": 1},
                    name=f"Límites de {etiqueta}",
                    legendgroup=nivel,
                    showlegend=lado == "sup",
                    hoverinfo="skip",
                )
            )
    trazas.append(
        _dispersion(
            x=curvas["poblacion"],
            y=[tasa] * len(curvas),
            mode="lines",
            line={"color": "#1f4e79", "width": 2},
            name=f"Tasa comunal ({formato.numero(tasa, 2)})",
            hoverinfo="skip",
        )
    )
    for posicion, color in COLORES_EMBUDO.items():
        d = puntos[puntos["embudo"] == posicion]
        if d.empty:
            continue
        trazas.append(
            _dispersion(
                x=d["poblacion"],
                y=d["tasa"],
                mode="markers",
                marker={"size": 10, "color": color, "line": {"width": 1, "color": "white"}},
                name=posicion.capitalize(),
                text=[
                    f"{unidad}: {formato.numero(tasa, 2)} por 1.000 hab. · "
                    f"{formato.numero(actual)} casos · {formato.numero(poblacion)} habitantes"
                    for unidad, tasa, actual, poblacion in _columnas(
                        d, "unidad", "tasa", "actual", "poblacion"
                    )
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return _figura(
        trazas,
        height=440,
        xaxis={
            "title": {"text": f"Población de {plural} (habitantes)"},
            "rangemode": "tozero",
            "tickformat": ",d",
        },
        yaxis={"title": {"text": "Casos por 1.000 habitantes"}, "rangemode": "tozero"},
    )


def _enviado(figura) -> dict:
    """Lo que Streamlit envía al navegador (st.plotly_chart): el JSON de la figura."""
    return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(figura, True)))


@pytest.fixture(scope="module")
def con(demo_pequena):
    conexion = duckdb.connect(str(demo_pequena), read_only=True)
    yield conexion
    conexion.close()


# Toda la comuna y un barrio (conteos chicos: con el público, suprimidos), con y sin familias.
FILTROS = [
    Filtros(date(2025, 1, 1), date(2025, 12, 31)),
    Filtros(date(2025, 6, 1), date(2025, 8, 31), barrios=("el-golf",)),
]


@pytest.mark.parametrize("filtros", FILTROS)
@pytest.mark.parametrize("escala", ["dia", "semana", "mes"])
@pytest.mark.parametrize("desglose", ["total", "familia", "delito"])
@pytest.mark.parametrize("publico", [False, True])
def test_serie_igual_a_la_de_pandas(con, filtros, escala, desglose, publico):
    primer = tendencias.primer_dia(con, filtros.fuente)
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), desglose)
    datos = tendencias.serie(historia, filtros.ventana, escala, primer)
    actividades = tendencias.actividades(con, FILTROS[0])  # marcas de todas las líneas
    if publico:
        datos = privacidad.aplicar(tendencias.serie, datos)
    assert len(datos) > 0 and len(actividades) > 0
    assert (datos["grupo"].nunique() > 1) == (desglose != "total")
    if desglose == "delito":  # más tipos que líneas: los demás van en «Otros»
        assert datos["grupo"].nunique() > MAXIMO_GRUPOS
    for marcas in (actividades, None):
        nueva = graficos.serie(datos, escala, marcas)
        assert _enviado(nueva) == _enviado(_serie_con_pandas(datos, escala, marcas))
    if publico and filtros.barrios:
        assert datos["casos"].isna().any()  # se probó también con conteos suprimidos


@pytest.mark.parametrize("filtros", FILTROS[:1])
@pytest.mark.parametrize("por", ["barrio", "sector"])
@pytest.mark.parametrize("publico", [False, True])
def test_embudo_igual_al_de_pandas(con, filtros, por, publico):
    tabla = tendencias.comparacion(con, filtros, por)
    if publico:
        tabla = privacidad.aplicar(tendencias.comparacion, tabla)
    assert tabla["embudo"].nunique() > 1
    nueva = graficos.embudo(tabla, "barrios")
    assert _enviado(nueva) == _enviado(_embudo_con_pandas(tabla, "barrios"))


@pytest.mark.parametrize(
    "valor",
    [
        date(2025, 1, 5),
        pd.Timestamp("2024-02-29 23:59"),
        pd.Timestamp("2025-06-30", tz="America/Santiago"),
        np.datetime64("2025-03-01"),
        "2025-06-30",
    ],
)
def test_fecha_igual_a_strftime(valor):
    assert formato.fecha(valor) == pd.Timestamp(valor).strftime("%d-%m-%Y")


def test_grillas_y_concentracion_iguales_a_las_de_plotly(con):
    """Las figuras armadas con diccionarios (Figura) envían lo mismo que go.Figure sin validar
    con esos diccionarios, y que la versión validada: arreglos de numpy como arreglos tipados."""
    filtros = FILTROS[0]
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "total")
    figuras = [
        graficos.hora_y_dia(tendencias.hora_y_dia(con, filtros)),
        graficos.mes_y_anio(
            tendencias.mes_y_anio(historia, tendencias.primer_dia(con, "policial"), filtros.hasta)
        ),
        graficos.concentracion(np.linspace(0, 1, 5), np.array([0, 0.4, 0.7, 0.9, 1.0])),
    ]
    for figura in figuras:
        trazas, diseno = figura.__dict__["_crudo"]
        sin_validar = go.Figure(data=trazas, layout=diseno, _validate=False)
        validada = go.Figure(data=trazas, layout=diseno)
        assert _enviado(figura) == _enviado(sin_validar) == _enviado(validada)
