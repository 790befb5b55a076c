"""Gráficos de la página Tendencias (Plotly, con separadores chilenos y textos ya formateados)."""

import numpy as np
import pandas as pd

from consultas import tendencias as t
from consultas.frases import DIAS_SEMANA, MESES, UNIDADES
from ui import formato
from ui.figura import Figura

MAXIMO_GRUPOS = 8
COLORES_LINEA = {
    "2.1": "#1f77b4",
    "2.2": "#2ca02c",
    "2.3": "#9467bd",
    "2.4": "#ff7f0e",
    "2.5": "#8c564b",
}
COLORES_EMBUDO = {
    t.SOBRE_998: "#b2182b",
    t.SOBRE_95: "#ef8a62",
    t.DENTRO_EMBUDO: "#7f8c8d",
    t.BAJO_95: "#67a9cf",
    t.BAJO_998: "#2166ac",
}
CONFIG = {"displaylogo": False}


def _figura(trazas: list[dict], **diseno) -> Figura:
    diseno = {
        "separators": ",.",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "y": -0.15, "x": 0},
    } | diseno
    return Figura(trazas, diseno)


def _lista(valores) -> list:
    """Fechas como texto ISO y NaN como null: el JSON de listas simples es varias veces más rápido
    que el de series de pandas. Los arreglos de numpy (y las Series con ellos) van sin pandas."""
    arreglo = valores
    if isinstance(valores, pd.Series) and isinstance(valores.dtype, np.dtype):
        arreglo = valores.to_numpy()
    if isinstance(arreglo, np.ndarray) and arreglo.dtype.kind in "iufM":
        if arreglo.dtype.kind in "iu":
            return arreglo.tolist()
        if arreglo.dtype.kind == "f":
            return [None if v != v else v for v in arreglo.tolist()]
        dias = arreglo.astype("datetime64[D]")
        if not np.isnat(dias).any():  # en numpy, sin pasar por strftime valor por valor
            return np.datetime_as_string(dias).tolist()
    serie = valores if isinstance(valores, pd.Series) else pd.Series(valores)
    tipo = serie.dtype
    if pd.api.types.is_datetime64_any_dtype(tipo):
        dias = serie.to_numpy("datetime64[D]")
        if not np.isnat(dias).any():
            return np.datetime_as_string(dias).tolist()
        return serie.dt.strftime("%Y-%m-%d").tolist()
    if isinstance(tipo, np.dtype) and tipo.kind in "iu":
        return serie.to_numpy().tolist()
    if isinstance(tipo, np.dtype) and tipo.kind == "f":
        return [None if v != v else v for v in serie.to_numpy().tolist()]
    return serie.astype(object).where(serie.notna(), None).tolist()


def _columnas(datos: pd.DataFrame, *nombres: str):
    """Los valores de esas columnas, fila por fila: itertuples recorre todas las columnas y en
    pandas 3 toma más que el resto del gráfico."""
    return zip(*(datos[n].tolist() for n in nombres), strict=True)


def _dispersion(**propiedades) -> dict:
    return {"type": "scatter", **propiedades} | {
        eje: _lista(propiedades[eje]) for eje in ("x", "y") if eje in propiedades
    }


def _unidad(fecha, fin, escala: str) -> str:
    if escala == "dia":
        return formato.fecha(fecha)
    if escala == "mes":
        return f"{MESES[fecha.month - 1]} de {fecha.year}"
    return formato.rango(fecha, fin)


def serie(datos: pd.DataFrame, escala: str, actividades: pd.DataFrame | None) -> Figura:
    """Casos por unidad; con una sola serie, además la media móvil, los años anteriores, la banda
    de lo esperado y los puntos fuera de ella. Las actividades van como marcas al pie."""
    grupos = _por_grupo(datos)
    if len(grupos) == 1:
        trazas = _serie_total(datos, escala)
    else:
        trazas = _series_por_grupo(datos, escala, list(grupos.index[:MAXIMO_GRUPOS]))
    if actividades is not None and not actividades.empty:
        trazas += _marcas_actividades(actividades)
    formato_eje = "%m-%Y" if escala == "mes" else "%d-%m-%Y"
    return _figura(
        trazas,
        height=440,
        xaxis={"tickformat": formato_eje},
        yaxis={"title": {"text": "Casos"}, "rangemode": "tozero"},
        hovermode="closest",
    )


def _casos(datos: pd.DataFrame) -> np.ndarray:
    """Los casos para sumar: un conteo suprimido (público) suma 0, como en el groupby de pandas."""
    casos = datos["casos"].to_numpy()
    return np.nan_to_num(casos) if casos.dtype.kind == "f" else casos


def _por_grupo(datos: pd.DataFrame) -> pd.Series:
    """Casos por grupo, del que más tiene al que menos: groupby(...).sum().sort_values(...) con
    la suma en numpy (el groupby de pandas sobre unas decenas de filas tomaba ms)."""
    codigos, nombres = pd.factorize(datos["grupo"], sort=True)
    casos = _casos(datos)
    suma = np.zeros(len(nombres), dtype=casos.dtype)
    np.add.at(suma, codigos[codigos >= 0], casos[codigos >= 0])
    return pd.Series(suma, index=nombres).sort_values(ascending=False)


def _series_por_grupo(datos: pd.DataFrame, escala: str, principales: list) -> list[dict]:
    """Una línea por grupo principal y una «Otros» con la suma de los demás por unidad."""
    grupo = datos["grupo"].to_numpy(object)
    grupo = np.where(np.isin(grupo, principales), grupo, "Otros")
    fecha, fin, casos = datos["fecha"].to_numpy(), datos["fin"].to_numpy(), _casos(datos)
    trazas = []
    for nombre in [*principales, "Otros"]:
        filas = grupo == nombre
        if not filas.any():
            continue
        # Suma por unidad (fecha, fin), en su orden, como groupby(["grupo", "fecha", "fin"]).
        claves, unidad = np.unique(
            np.stack([fecha[filas].view(np.int64), fin[filas].view(np.int64)]),
            axis=1,
            return_inverse=True,
        )
        suma = np.zeros(claves.shape[1], dtype=casos.dtype)
        np.add.at(suma, unidad.ravel(), casos[filas])
        inicios = pd.DatetimeIndex(claves[0].view(fecha.dtype))
        fines = pd.DatetimeIndex(claves[1].view(fin.dtype))
        trazas.append(
            _dispersion(
                x=inicios.to_numpy(),
                y=suma,
                name=nombre,
                mode="lines",
                text=[
                    f"{nombre} · {_unidad(a, b, escala)}: {formato.conteo(c)} casos"
                    for a, b, c in zip(inicios, fines, suma.tolist(), strict=True)
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return trazas


def _marcas_actividades(actividades: pd.DataFrame) -> list[dict]:
    """Una traza de marcas al pie por línea del programa, en orden, como groupby("linea")."""
    codigos, lineas = pd.factorize(actividades["linea"], sort=True)
    columnas = {c: actividades[c].tolist() for c in ("fecha", "actividad", "participantes")}
    barrios = actividades["barrio"].tolist()
    fechas = actividades["fecha"]
    if isinstance(fechas.dtype, np.dtype):
        fechas = fechas.to_numpy()  # filtrar un arreglo y no la Serie, por línea
    trazas = []
    for codigo, linea in enumerate(lineas):
        filas = np.flatnonzero(codigos == codigo)
        trazas.append(
            _dispersion(
                x=fechas[filas] if isinstance(fechas, np.ndarray) else fechas.iloc[filas],
                y=[0] * len(filas),
                name=f"Actividad línea {linea}",
                mode="markers",
                marker={"symbol": "triangle-up", "size": 11, "color": COLORES_LINEA.get(linea)},
                text=[
                    f"{formato.fecha(columnas['fecha'][i])} · Línea {linea} · "
                    f"{columnas['actividad'][i]} · "
                    f"{formato.numero(columnas['participantes'][i])} participantes · {barrios[i]}"
                    for i in filas.tolist()
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return trazas


def _serie_total(d: pd.DataFrame, escala: str) -> list[dict]:
    trazas = []
    fecha = d["fecha"].to_numpy()
    con_banda = d["esperado"].notna().to_numpy()
    if con_banda.any():
        banda = fecha[con_banda]
        trazas.append(
            _dispersion(
                x=np.concatenate([banda, banda[::-1]]),
                y=np.concatenate(
                    [
                        d["limite_superior"].to_numpy()[con_banda],
                        d["limite_inferior"].to_numpy()[con_banda][::-1],
                    ]
                ),
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
                x=fecha,
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
            x=fecha,
            y=d["media_movil"],
            name=f"Media móvil ({t.MEDIA_MOVIL[escala]} {UNIDADES[escala][1]})",
            mode="lines",
            line={"width": 2, "color": "#e67e22"},
            hovertemplate="Media móvil: %{y:,.1f}<extra></extra>",
        )
    )
    trazas.append(
        _dispersion(
            x=fecha,
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
    fuera = d["fuera"].to_numpy(bool)
    if fuera.any():
        posiciones = d["posicion"].to_numpy(object)[fuera]
        trazas.append(
            _dispersion(
                x=fecha[fuera],
                y=d["casos"].to_numpy()[fuera],
                name="Fuera de lo esperado",
                mode="markers",
                marker={
                    "size": 11,
                    "color": ["#c0392b" if p == t.SOBRE else "#2166ac" for p in posiciones],
                    "line": {"width": 1, "color": "white"},
                },
                hoverinfo="skip",
            )
        )
    return trazas


def hora_y_dia(grilla: pd.DataFrame) -> Figura:
    calor = {
        "type": "heatmap",
        "z": grilla.to_numpy(),
        "x": [f"{h:02d}" for h in grilla.columns],
        "y": DIAS_SEMANA,
        "colorscale": "Reds",
        "colorbar": {"title": {"text": "Casos"}},
        "hovertemplate": "%{y}, %{x}:00 a %{x}:59: %{z:,.0f} casos<extra></extra>",
    }
    return _figura(
        [calor],
        height=330,
        xaxis={"title": {"text": "Hora"}},
        yaxis={"autorange": "reversed"},
    )


def mes_y_anio(grilla: pd.DataFrame) -> Figura:
    calor = {
        "type": "heatmap",
        "z": grilla.to_numpy(),
        "x": [m[:3] for m in MESES],
        "y": [str(a) for a in grilla.index],
        "colorscale": "Blues",
        "colorbar": {"title": {"text": "Casos"}},
        "hovertemplate": "%{x} de %{y}: %{z:,.0f} casos<extra></extra>",
    }
    return _figura([calor], height=330, yaxis={"autorange": "reversed", "type": "category"})


def embudo(tabla: pd.DataFrame, plural: str) -> Figura:
    """Tasa de cada territorio contra su población, con los límites de 95 % y 99,8 %."""
    embudo = tabla["embudo"].to_numpy(object)
    con_poblacion = embudo != t.SIN_POBLACION
    tasa = float(tabla["tasa_comuna"].to_numpy()[con_poblacion][0])
    curvas = t.curvas_embudo(tasa, float(tabla["poblacion"][con_poblacion].max()))
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
            y=np.full(len(curvas), tasa),
            mode="lines",
            line={"color": "#1f4e79", "width": 2},
            name=f"Tasa comunal ({formato.numero(tasa, 2)})",
            hoverinfo="skip",
        )
    )
    # Las columnas una vez, como listas: filtrar la tabla por posición tomaba más que el gráfico.
    columnas = {c: tabla[c].tolist() for c in ("unidad", "tasa", "actual", "poblacion")}
    for posicion, color in COLORES_EMBUDO.items():
        filas = np.flatnonzero(embudo == posicion)
        if not len(filas):
            continue
        trazas.append(
            _dispersion(
                x=tabla["poblacion"].to_numpy()[filas],
                y=tabla["tasa"].to_numpy()[filas],
                mode="markers",
                marker={"size": 10, "color": color, "line": {"width": 1, "color": "white"}},
                name=posicion.capitalize(),
                text=[
                    f"{unidad}: {formato.numero(tasa, 2)} por 1.000 hab. · "
                    f"{formato.numero(actual)} casos · {formato.numero(poblacion)} habitantes"
                    for unidad, tasa, actual, poblacion in zip(
                        *([columnas[c][i] for i in filas.tolist()] for c in columnas), strict=True
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


def tabla_territorios(tabla: pd.DataFrame, titulo: str) -> pd.DataFrame:
    """La comparación por territorio con números y fechas en castellano."""

    def pct(v):
        return formato.porcentaje(v)

    def z(v):
        return formato.numero(v, 2)

    return pd.DataFrame(
        {
            titulo: tabla["unidad"],
            "Casos": tabla["actual"].map(formato.conteo),
            "Período anterior": tabla["anterior"].map(formato.conteo),
            "Var.": tabla["variacion_pct"].map(pct),
            "z": tabla["z_poisson"].map(z),
            "Cambio": tabla["clasificacion"],
            "Año anterior": tabla["anio_anterior"].map(formato.conteo),
            "Var. anual": tabla["variacion_anual_pct"].map(pct),
            "z anual": tabla["z_anual"].map(z),
            "Cambio anual": tabla["clasificacion_anual"],
            "Población": tabla["poblacion"].map(formato.numero),
            "Tasa por 1.000": tabla["tasa"].map(lambda v: formato.numero(v, 2)),
            "Embudo": tabla["embudo"],
        }
    )


def concentracion(x, y) -> Figura:
    """Curva de concentración: parte acumulada de los casos contra parte de las celdas con casos
    (de la que más tiene a la que menos), junto al reparto parejo."""
    return _figura(
        [
            _dispersion(
                x=100 * pd.Series(x),
                y=100 * pd.Series(y),
                mode="lines",
                name="Casos acumulados",
                line={"color": "#c0392b"},
            ),
            _dispersion(
                x=[0, 100],
                y=[0, 100],
                mode="lines",
                name="Reparto parejo",
                line={"dash": "dot", "color": "#888"},
            ),
        ],
        height=360,
        xaxis={"title": {"text": "% de celdas con casos (de más a menos casos)"}},
        yaxis={"title": {"text": "% de los casos"}},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
