"""Piezas de la página Percepción: textos de estimaciones, gráfico con intervalos y tablas."""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from consultas.encuestas import COMUNA, NO_FIABLE, POCO_FIABLE
from ui import formato

COLORES_OLA = ["#1f5fa8", "#c0392b"]  # la ola más antigua en azul, la más reciente en rojo
NIVELES = {COMUNA: "Comuna", "sector": "Sector", "barrio": "Barrio"}


def pct(p, decimales: int = 1) -> str:
    return "—" if p is None or math.isnan(p) else f"{formato.numero(100 * p, decimales)} %"


def intervalo(inferior, superior) -> str:
    if math.isnan(inferior) or math.isnan(superior):
        return "—"
    return f"{formato.numero(100 * inferior, 1)} – {formato.numero(100 * superior, 1)}"


def texto(fila) -> str:
    """La estimación como se lee en pantalla; "no fiable" nunca muestra el número."""
    return _texto(
        fila["calidad"], fila["n"], fila["estimacion"], fila["ic_inferior"], fila["ic_superior"]
    )


def textos(est: pd.DataFrame) -> list[str]:
    """`texto` de cada fila, sin recorrer el DataFrame fila por fila."""
    columnas = ["calidad", "n", "estimacion", "ic_inferior", "ic_superior"]
    return [_texto(*valores) for valores in zip(*(est[c] for c in columnas), strict=True)]


def textos_o_guion(filas: pd.DataFrame) -> list[str]:
    """`texto` de cada fila, y «—» en las filas sin ningún dato (un indicador que falta), como
    `texto(f) if f.notna().any() else "—"` fila por fila con iterrows."""
    presentes = filas.notna().to_numpy().any(axis=1).tolist()
    return [t if p else "—" for t, p in zip(textos(filas), presentes, strict=True)]


def _texto(calidad, n, estimacion, inferior, superior) -> str:
    if calidad == NO_FIABLE:
        return f"no fiable (n = {formato.conteo(n)})"
    marca = " ◌ poco fiable" if calidad == POCO_FIABLE else ""
    return f"{pct(estimacion)} (IC {intervalo(inferior, superior)})" + marca


def etiquetas(est: pd.DataFrame) -> pd.Series:
    """Nombre visible de cada unidad: la comuna, «Sector X» y el barrio con su sector."""
    nivel, unidad = est["nivel"].to_numpy(object), est["unidad"].to_numpy(object)
    es_sector = nivel == "sector"
    ids = est["unidad_id"].to_numpy(object)
    sectores = dict(zip(ids[es_sector], unidad[es_sector], strict=True))
    nombres = [
        "Comuna de Las Condes"
        if n == COMUNA
        else f"Sector {u}"
        if n == "sector"
        else f"{u} ({sectores.get(s, '—')})"
        for n, u, s in zip(nivel, unidad, est["sector_id"].to_numpy(object), strict=True)
    ]
    return pd.Series(nombres, index=est.index, dtype="str")


def ordenar(est: pd.DataFrame) -> pd.DataFrame:
    """Comuna, sectores y barrios, cada grupo por nombre (orden estable, como sort_values)."""
    grupo = {COMUNA: 0, "sector": 1, "barrio": 2}
    claves = list(
        zip(
            [grupo[n] for n in est["nivel"].tolist()],
            est["unidad"].tolist(),
            est["ola"].tolist(),
            strict=True,
        )
    )
    return est.iloc[sorted(range(len(claves)), key=claves.__getitem__)]


def grafico(est: pd.DataFrame, eje: pd.Series, titulo_x: str = "Porcentaje") -> go.Figure:
    """Punto e intervalo de confianza por fila (`eje` da la categoría), una serie por ola.

    "Poco fiable": pálido, hueco y marcado. "No fiable": sin punto ni número, solo la leyenda
    "no fiable" con su n junto al eje.

    Las trazas van como diccionarios, sin la validación de Plotly (lenta); las pruebas comparan
    el JSON con el de las trazas validadas.
    """
    trazas = []
    categorias = list(dict.fromkeys(eje))
    olas = est["ola"].to_numpy(object)
    calidades = est["calidad"].to_numpy(object)
    ejes = eje.loc[est.index].to_numpy(object)
    valores = {c: est[c].to_numpy(float) for c in ("estimacion", "ic_inferior", "ic_superior")}
    todos = textos(est)
    for k, ola in enumerate(sorted(set(olas))):
        color = COLORES_OLA[k % len(COLORES_OLA)]
        for calidad, opacidad, simbolo in [
            ("fiable", 1.0, "circle"),
            (POCO_FIABLE, 0.4, "circle-open"),
        ]:
            sel = (olas == ola) & (calidades == calidad)
            p, inferior, superior = (valores[c][sel] for c in valores)
            poco = calidad == POCO_FIABLE
            traza = {
                "type": "scatter",
                "x": 100 * p,
                "y": ejes[sel],
                "mode": "markers+text" if poco else "markers",
                "orientation": "h",  # con scattermode="group", las olas se separan en el eje y
                "textposition": "middle right",
                "textfont": {"color": "#7a7a7a", "size": 11},
                "name": f"Ola {ola}" + (" (poco fiable)" if poco else ""),
                "legendgroup": ola,
                "showlegend": bool(calidad == "fiable" or sel.any()),
                "marker": {"color": color, "size": 9, "symbol": simbolo, "opacity": opacidad},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": 100 * (superior - p),
                    "arrayminus": 100 * (p - inferior),
                    "color": color,
                    "thickness": 1.5,
                },
                "opacity": opacidad,
                "customdata": [t for t, s in zip(todos, sel, strict=True) if s],
                "hovertemplate": "%{y}<br>Ola " + ola + ": %{customdata}<extra></extra>",
            }
            if poco:
                traza["text"] = ["◌ poco fiable"] * int(sel.sum())
            trazas.append(traza)
    # "No fiable": una sola leyenda por fila, con el n de cada ola (el texto no se desplaza por
    # ola como los puntos, y dos textos en la misma fila se taparían).
    sin = calidades == NO_FIABLE
    if sin.any():
        varias = len(set(olas)) > 1
        textos_sin = {}
        for ola, categoria, n in zip(olas[sin], ejes[sin], est["n"].to_numpy()[sin], strict=True):
            textos_sin.setdefault(categoria, []).append(
                formato.numero(n) + (f" ({ola})" if varias else "")
            )
        trazas.append(
            {
                "type": "scatter",
                "x": [0] * len(textos_sin),
                "y": list(textos_sin),
                "mode": "text",
                "text": [f"no fiable · n = {', '.join(t)}" for t in textos_sin.values()],
                "textposition": "middle right",
                "textfont": {"color": "#6b6b6b", "size": 11},
                "name": "no fiable (sin número)",
                "hoverinfo": "skip",
            }
        )
    diseno = {
        "scattermode": "group",
        "height": 120 + 26 * len(categorias) * max(1, len(set(olas))),
        "margin": {"l": 10, "r": 30, "t": 40, "b": 10},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        "separators": ",.",
        "xaxis": {"title": {"text": titulo_x}, "rangemode": "tozero", "ticksuffix": " %"},
        "yaxis": {"categoryorder": "array", "categoryarray": categorias[::-1], "title": {}},
    }
    return go.Figure(data=trazas, layout=diseno, _validate=False)


def tabla(est: pd.DataFrame, eje: pd.Series, columna: str) -> pd.DataFrame:
    """Una fila por `eje` (unidad o indicador) y, por ola, estimación con IC, n, gl y calidad."""
    olas = est["ola"].to_numpy(object)
    ejes = eje.loc[est.index].to_numpy(object)
    filas = {ola: np.flatnonzero(olas == ola) for ola in sorted(set(olas.tolist()))}
    primera = ejes[next(iter(filas.values()))] if filas else ejes
    if len(set(primera.tolist())) < len(primera) or any(
        not np.array_equal(ejes[f], primera) for f in filas.values()
    ):
        return _tabla_alineada(est, eje, columna)  # filas distintas por ola: se alinean por eje
    todos = np.array(textos(est), dtype=object)
    n, gl, calidades = (est[c].to_numpy() for c in ("n", "gl", "calidad"))
    columnas = {columna: primera}
    for ola, f in filas.items():
        columnas |= {
            f"{ola}: estimación (IC 95 %)": todos[f],
            f"{ola}: n": formato.numeros(n[f]),
            f"{ola}: gl": formato.numeros(gl[f]),
            f"{ola}: calidad": calidades[f],
        }
    return pd.DataFrame(columnas)


def _tabla_alineada(est: pd.DataFrame, eje: pd.Series, columna: str) -> pd.DataFrame:
    partes = []
    for ola, grupo in est.groupby("ola", sort=True):
        partes.append(
            pd.DataFrame(
                {
                    columna: eje.loc[grupo.index].to_numpy(),
                    f"{ola}: estimación (IC 95 %)": textos(grupo),
                    f"{ola}: n": formato.numeros(grupo["n"]),
                    f"{ola}: gl": formato.numeros(grupo["gl"]),
                    f"{ola}: calidad": grupo["calidad"].to_numpy(),
                }
            ).set_index(columna)
        )
    return pd.concat(partes, axis=1).reset_index()


def tabla_cambios(cambios: pd.DataFrame, eje: pd.Series, columna: str, antes, despues):
    def estimado(p, calidad, n):
        return f"no fiable (n = {formato.conteo(n)})" if calidad == NO_FIABLE else pct(p)

    comparable = cambios["clasificacion"] != "no comparable"
    return pd.DataFrame(
        {
            columna: eje.to_numpy(),
            antes: [
                estimado(p, c, n)
                for p, c, n in cambios[["estimacion_antes", "calidad_antes", "n_antes"]].to_numpy()
            ],
            despues: [
                estimado(p, c, n)
                for p, c, n in cambios[
                    ["estimacion_despues", "calidad_despues", "n_despues"]
                ].to_numpy()
            ],
            "Diferencia (puntos)": np.where(
                comparable,
                [formato.numero(100 * d, 1) for d in cambios["diferencia"]],
                "—",
            ),
            "z": np.where(comparable, [formato.numero(z, 2) for z in cambios["z"]], "—"),
            "Cambio": [
                ("▲ " if c == "alza significativa" else "▼ " if c == "baja significativa" else "")
                + c
                for c in cambios["clasificacion"]
            ],
        }
    )


def tabla_cifra_negra(cifra: pd.DataFrame, eje: pd.Series) -> pd.DataFrame:
    def por_mil(calidad, n, p, inferior, superior) -> str:
        if calidad == NO_FIABLE:
            return f"no fiable (n = {formato.conteo(n)})"
        return (
            f"{formato.numero(1000 * p)} "
            f"(IC {formato.numero(1000 * inferior)} – "
            f"{formato.numero(1000 * superior)})"
        )

    def por_caso(calidad, p, inferior, superior, casos) -> str:
        if calidad == NO_FIABLE or not casos > 0:
            return "—"
        return (
            f"{formato.numero(1000 * p / casos, 1)} "
            f"(IC {formato.numero(1000 * inferior / casos, 1)} – "
            f"{formato.numero(1000 * superior / casos, 1)})"
        )

    def denuncio(calidad, n, p, inferior, superior) -> str:
        return "—" if pd.isna(calidad) else _texto(calidad, n, p, inferior, superior)

    # Columna a columna (sin iterrows): cada fila como tupla de sus valores.
    campos = ["calidad", "n", "estimacion", "ic_inferior", "ic_superior"]
    propios = list(zip(*(cifra[c].tolist() for c in campos), strict=True))
    casos = cifra["casos_por_mil"].tolist()
    denuncia = zip(*(cifra[f"{c}_denuncio"].tolist() for c in campos), strict=True)
    return pd.DataFrame(
        {
            "Unidad": eje.to_numpy(),
            "Hogares víctimas por 1.000 (encuesta)": [por_mil(*f) for f in propios],
            "Casos policiales DMCS por 1.000 hogares": [formato.numero(c, 1) for c in casos],
            "Hogares víctimas por caso policial": [
                por_caso(c, p, i, s, k) for (c, _n, p, i, s), k in zip(propios, casos, strict=True)
            ],
            "Víctimas que denunciaron": [denuncio(*f) for f in denuncia],
        }
    )
