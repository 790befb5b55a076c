"""Piezas de las páginas Cobertura y Ficha de barrio: tablas en castellano, el gráfico de
cuadrantes, enlaces a la ficha y la tabla de evaluación."""

from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st
from plotly.colors import get_colorscale

from consultas import cobertura, evaluacion
from consultas.filtros import Filtros, a_url
from ui import formato, recolector
from ui import mapa as dibujo
from ui.figura import Figura

PAGINA_FICHA = "barrio"  # la URL de paginas/barrio.py


def enlace_ficha(barrio_id: str, filtros: Filtros) -> str:
    """Dirección relativa de la ficha de un barrio, con el período vigente (se abre aparte)."""
    params = a_url(Filtros(filtros.desde, filtros.hasta, filtros.preset, fuente=filtros.fuente))
    return f"{PAGINA_FICHA}?{urlencode({**params, 'barrio': [barrio_id]}, doseq=True)}"


def barrio_elegido(evento, barrios: pd.DataFrame) -> str | None:
    """El barrio_id de lo que se eligió en un mapa (un barrio o una celda con su barrio)."""
    seleccion = getattr(evento, "selection", None) or {}
    objetos = [o for lista in (seleccion.get("objects") or {}).values() for o in lista]
    if not objetos:
        return None
    objeto = objetos[0]
    nombre = objeto.get("barrio") or objeto.get("properties", {}).get("nombre")
    ids = dict(zip(barrios["nombre"], barrios["barrio_id"], strict=True))
    return ids.get(nombre)


def boton_ficha(evento, barrios: pd.DataFrame, filtros: Filtros) -> None:
    """Bajo un mapa: el enlace a la ficha del barrio en que se hizo clic."""
    barrio = barrio_elegido(evento, barrios)
    if barrio is None:
        with recolector.fuera_del_informe():
            st.caption(
                "Haga clic en un barrio o una celda del mapa para abrir la ficha del barrio."
            )
        return
    nombre = barrios.set_index("barrio_id").loc[barrio, "nombre"]
    st.link_button(f"Abrir la ficha de {nombre}", enlace_ficha(barrio, filtros))


def _cada(serie: pd.Series, funcion) -> pd.Series:
    """`serie.map(funcion)` sobre una lista de Python: el map de pandas en columnas Int64 o de
    Arrow cuesta más que el formato mismo."""
    return pd.Series([funcion(v) for v in serie.tolist()], index=serie.index, dtype="str")


def _meses(valor) -> str:
    return "sin actividades" if pd.isna(valor) else formato.numero(valor, 1)


def tabla_cobertura(tabla: pd.DataFrame, filtros: Filtros) -> pd.DataFrame:
    datos = {
        "Barrio": tabla["barrio"],
        "Sector": tabla["sector"],
        "Actividades": tabla["actividades"],
        **{f"Línea {linea}": tabla[linea] for linea in cobertura.LINEAS},
        "Participantes": tabla["participantes"],
        "Hogares alcanzados": tabla["hogares_alcanzados"],
        "Por 100 hogares": _cada(tabla["hogares_por_100"], lambda v: formato.numero(v, 1)),
        "Meses desde la última": _cada(tabla["meses_desde_ultima"], _meses),
        "Ficha": [enlace_ficha(b, filtros) for b in tabla["barrio_id"]],
    }
    return pd.DataFrame(datos)


def por_sector(tabla: pd.DataFrame) -> pd.DataFrame:
    """Sumas por sector (ordenados por nombre) y hogares alcanzados por 100 hogares: la base de
    `tabla_sectores` y `frase_sectores`. Con bincount sobre unas decenas de barrios (el groupby
    de pandas costaba varios ms)."""
    nombres, sector = np.unique(tabla["sector"].to_numpy(object), return_inverse=True)
    columnas = {
        "actividades": tabla["actividades"].to_numpy(),
        "participantes": tabla["participantes"].to_numpy(),
        "hogares_alcanzados": tabla["hogares_alcanzados"].to_numpy(),
        "hogares": tabla["hogares"].to_numpy(),
        "con_actividades": (tabla["actividades"].to_numpy() > 0).astype(np.int64),
        "barrios": np.ones(len(tabla), dtype=np.int64),
    }
    # Un valor faltante (hogares sin registrar) suma 0, como en el groupby de pandas.
    suma = {
        c: np.bincount(sector, weights=np.nan_to_num(v.astype(float)), minlength=len(nombres))
        .round()
        .astype(np.int64)
        for c, v in columnas.items()
    }
    hogares = suma["hogares"].astype(float)
    suma["por_100"] = 100 * suma["hogares_alcanzados"] / np.where(hogares > 0, hogares, np.nan)
    return pd.DataFrame(suma, index=pd.Index(nombres, name="sector"))


def tabla_sectores(suma: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Sector": suma.index,
            "Barrios con actividades": [
                f"{c} de {n}"
                for c, n in zip(
                    suma["con_actividades"].tolist(), suma["barrios"].tolist(), strict=True
                )
            ],
            "Actividades": suma["actividades"].to_numpy(),
            "Participantes": suma["participantes"].to_numpy(),
            "Hogares alcanzados": suma["hogares_alcanzados"].to_numpy(),
            "Por 100 hogares": suma["por_100"].map(lambda v: formato.numero(v, 1)).to_numpy(),
        }
    )


def tabla_tipos(tipos: pd.DataFrame, con_barrio: bool = True) -> pd.DataFrame:
    """Actividades por tipo; sin la columna Barrio en la Ficha (un solo barrio)."""
    return pd.DataFrame(
        {
            **({"Barrio": tipos["barrio"]} if con_barrio else {}),
            "Línea": tipos["linea"] + " " + tipos["nombre_linea"],
            "Actividad": tipos["actividad"],
            "Actividades": tipos["actividades"],
            "Participantes": tipos["participantes"],
            "Hogares alcanzados": tipos["hogares_alcanzados"],
        }
    )


def _puntaje(valor) -> str:
    return "sin dato" if pd.isna(valor) else formato.numero(valor, 2)


def tabla_necesidad(tabla: pd.DataFrame) -> pd.DataFrame:
    """Los componentes de la necesidad, de la mayor a la menor, en un solo DataFrame: el texto
    formateado como arreglos "str" y las columnas de la tabla con su tipo."""
    # El mismo orden que tabla.sort_values("necesidad", ...): se ordena solo esa columna.
    clave = tabla["necesidad"].sort_values(ascending=False, na_position="last").index
    orden = tabla.take(tabla.index.get_indexer(clave))

    origen = orden["origen_inseguridad"]
    pares = zip(orden["celdas_calientes"].tolist(), orden["celdas"].tolist(), strict=True)
    celdas = [f"{int(c)} de {int(n)}" if n else "—" for c, n in pares]
    datos = {
        "Barrio": orden["barrio"],
        "Necesidad (0 a 1)": _cada(orden["necesidad"], _puntaje),
        "Tasa DMCS por 1.000": _cada(
            orden["tasa_dmcs"], lambda v: "sin población" if pd.isna(v) else formato.numero(v, 1)
        ),
        "Celdas calientes": pd.array(celdas, dtype="str") if celdas else celdas,
        "Inseguridad percibida": _cada(
            orden["inseguridad"],
            lambda v: "sin dato fiable" if pd.isna(v) else formato.proporcion(v),
        ),
        "Estimación de": pd.Series(
            ["—" if v == "" else v for v in origen.tolist()], index=orden.index, dtype=origen.dtype
        ),
        "Hogares alcanzados por 100": _cada(
            orden["hogares_por_100"], lambda v: formato.numero(v, 1)
        ),
        "Prioritario sin cobertura": orden["prioritario"].map({True: "sí", False: ""}),
    }
    return pd.DataFrame(datos, index=orden.index)


def _linea(eje: str, valor: float) -> dict:
    """Una línea punteada de lado a lado en `valor` del eje (como add_vline y add_hline)."""
    otro = "y" if eje == "x" else "x"
    return {
        "type": "line",
        "line": {"color": "#888", "dash": "dot"},
        f"{eje}0": valor,
        f"{eje}1": valor,
        f"{eje}ref": eje,
        f"{otro}0": 0,
        f"{otro}1": 1,
        f"{otro}ref": f"{otro} domain",
    }


def grafico_cuadrantes(tabla: pd.DataFrame, umbral: float, corte: float) -> Figura:
    """Necesidad (vertical) contra hogares alcanzados por 100 (horizontal), con las dos líneas
    que separan los cuadrantes; arriba a la izquierda, los prioritarios sin cobertura. Armado
    con diccionarios y sin la validación de Plotly (lenta); lo comprueban las pruebas."""
    con_indice = tabla["necesidad"].notna().to_numpy()
    x = np.nan_to_num(tabla["hogares_por_100"].to_numpy(float)[con_indice], nan=0.0)
    prioritario = tabla["prioritario"].to_numpy(bool)[con_indice]
    barrios = tabla["barrio"].to_numpy(object)[con_indice]
    # Con nombre, solo los prioritarios y los de cobertura alta (los demás, al pasar el cursor).
    visibles = prioritario | (x >= np.quantile(x, 0.8)) if len(x) else prioritario
    punto = {
        "type": "scatter",
        "x": x.tolist(),
        "y": tabla["necesidad"].to_numpy(float)[con_indice].tolist(),
        "mode": "markers+text",
        "text": np.where(visibles, barrios, "").tolist(),
        "hovertext": barrios.tolist(),
        "textposition": "middle right",
        "textfont": {"size": 10},
        "marker": {
            "size": 10,
            "color": np.where(prioritario, "#c0392b", "#5b7083").tolist(),
            "line": {"width": 1, "color": "white"},
        },
        "customdata": [
            [s, int(a)]
            for s, a in zip(
                tabla["sector"].to_numpy(object)[con_indice],
                tabla["actividades"].to_numpy()[con_indice],
                strict=True,
            )
        ],
        "hovertemplate": (
            "<b>%{hovertext}</b> (%{customdata[0]})<br>Necesidad %{y:.2f}<br>"
            "%{x:.1f} hogares alcanzados por 100 · %{customdata[1]} actividades<extra></extra>"
        ),
    }
    lineas = [_linea("x", umbral)] + ([] if np.isnan(corte) else [_linea("y", corte)])
    tope = max(float(x.max()) if len(x) else 0, umbral) * 1.15 + 5
    diseno = {
        "shapes": lineas,
        "annotations": [
            {
                "x": 0,
                "y": 1.04,
                "xref": "x",
                "yref": "y",
                "text": "Prioritarios sin cobertura suficiente",
                "showarrow": False,
                "xanchor": "left",
                "font": {"color": "#c0392b"},
            }
        ],
        "height": 520,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "separators": ",.",
        "xaxis": {
            "title": {"text": "Hogares alcanzados por cada 100 hogares"},
            "range": [-2, tope],
        },
        "yaxis": {"title": {"text": "Índice de necesidad (0 a 1)"}, "range": [-0.05, 1.1]},
        "showlegend": False,
    }
    return Figura([punto], diseno)


def grafico_tendencia(tendencia: pd.DataFrame, nombre: str) -> Figura:
    """Tasa mensual del barrio y de la comuna (Ficha de barrio), armada con diccionarios y sin la
    validación de Plotly; las pruebas la comparan con la figura validada."""
    trazas = [
        {
            "type": "scatter",
            "x": tendencia["mes"],
            "y": tendencia["tasa_barrio"],
            "name": nombre,
            "line": {"color": "#c0392b"},
        },
        {
            "type": "scatter",
            "x": tendencia["mes"],
            "y": tendencia["tasa_comuna"],
            "name": "Comuna",
            "line": {"color": "#888", "dash": "dot"},
        },
    ]
    diseno = {
        "height": 320,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "separators": ",.",
        "yaxis": {"title": {"text": "Casos por 1.000 habitantes al mes"}},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"tickformat": "%m-%Y"},
    }
    return Figura(trazas, diseno)


def grafico_horas(horas: pd.DataFrame) -> Figura:
    """Casos por día de la semana y hora (Ficha de barrio), sin la validación de Plotly."""
    traza = {
        "type": "heatmap",
        "z": horas.to_numpy(),
        "x": list(horas.columns),
        "y": list(horas.index),
        "colorscale": get_colorscale("YlOrRd"),  # la lista que la validación pondría
        "hovertemplate": "%{y} a las %{x}:00 · %{z} casos<extra></extra>",
    }
    diseno = {
        "height": 300,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "separators": ",.",
        "xaxis": {"title": {"text": "Hora"}},
        "yaxis": {"autorange": "reversed"},
    }
    return Figura([traza], diseno)


def _entero(valor) -> str:
    return "—" if pd.isna(valor) else formato.numero(int(valor))


def _baja(valor) -> str:
    return "—" if pd.isna(valor) else f"{formato.numero(valor, 0)} %"


def tabla_evaluacion(tabla: pd.DataFrame, con_barrio: bool = True) -> pd.DataFrame:
    """La evaluación en castellano, en un solo DataFrame: el texto formateado como arreglos
    "str" (una Serie por columna costaba más que el formato mismo) y las columnas de la tabla
    con su tipo; sin la columna Barrio en la Ficha (un solo barrio)."""

    def propia(columna: str, guion: bool = False) -> pd.Series:
        serie = tabla[columna]  # una Serie conserva su tipo (str, u object si viene así)
        if not guion:
            return serie
        valores = ["—" if v == "" else v for v in serie.tolist()]
        return pd.Series(valores, index=tabla.index, dtype=serie.dtype)

    franja = {}
    if "desplazamiento_antes" in tabla:
        franja = {
            "Franja antes": _cada(tabla["desplazamiento_antes"], _entero),
            "Franja después": _cada(tabla["desplazamiento_despues"], _entero),
        }
    datos = {
        **({"Barrio": propia("barrio")} if con_barrio else {}),
        "Línea": propia("linea"),
        "Actividad": propia("actividad"),
        "Inicio": _cada(tabla["inicio"], formato.fecha),
        "Antes": _cada(tabla["antes"], _entero),
        "Después": _cada(tabla["despues"], _entero),
        "Comparación antes": _cada(tabla["comparacion_antes"], _entero),
        "Comparación después": _cada(tabla["comparacion_despues"], _entero),
        **franja,
        "WDD": _cada(tabla["wdd"], _entero),
        "z": _cada(tabla["z"], lambda v: formato.numero(v, 2)),
        "p": _cada(tabla["p_valor"], lambda v: formato.numero(v, 3)),
        "Veredicto": propia("veredicto"),
        "Baja mínima distinguible": _cada(tabla["baja_minima_pct"], _baja),
        "Barrios de comparación": propia("comparacion", guion=True),
        "Motivo": propia("motivo", guion=True),
    }
    return pd.DataFrame(datos, index=tabla.index)


REGLAS_EVALUACION = f"""
**Intervención**: la primera actividad de una línea del programa (2.1 a 2.5) en un barrio
después de {evaluacion.CALMA_DIAS} días sin actividades de esa línea allí (o la primera
registrada). Se evalúa desde el día de esa actividad.

**Ventanas**: la posterior son los meses elegidos desde ese día; la anterior, los mismos días
justo antes. Se cuentan los casos policiales DMCS (no dependen de los filtros de delitos).

**Comparación**: barrios de otros sectores, con población y sin actividades del programa en
ninguna de las dos ventanas, cuya tasa DMCS por 1.000 habitantes en la ventana anterior esté
entre la mitad y el doble de la del barrio; se suman, del más parecido al menos, los primeros
cuya suma de casos en la ventana anterior queda más cerca de la del barrio.

**Cálculo** (Wheeler y Ratcliffe, 2018): WDD = (después − antes del barrio) − (después − antes
de la comparación); varianza = suma de los cuatro conteos; z = WDD / √varianza; p bilateral.
«Baja significativa» si z ≤ −1,96, «alza significativa» si z ≥ 1,96, si no «sin cambio
distinguible». **Datos insuficientes**: la ventana posterior no terminó al corte, la anterior
empieza antes de los datos, el barrio no tiene población, no hay barrios de comparación, o el
barrio o la comparación tienen menos de {evaluacion.MINIMO_CASOS} casos en la ventana anterior.

**Baja mínima distinguible**: con esos conteos, la baja más chica (en % de los casos antes) que
daría z ≤ −1,96. «Sin cambio distinguible» no prueba que el programa no sirvió: con ~300 casos
por ventana, una baja real del 25 % queda al borde de lo distinguible.

**Franja de desplazamiento** (opcional): los casos de otros barrios en las celdas H3 de
resolución 9 que tocan el barrio o son vecinas de ellas, unos 200 a 400 m alrededor; su cambio
(después − antes) se suma al WDD y sus conteos a la varianza. No se usan los barrios vecinos
enteros: suman muchos más casos que el barrio y su variación dominaría el WDD.
"""


def mapa_barrio(geometrias: pd.DataFrame, barrio_id: str, calientes: pd.DataFrame) -> pdk.Deck:
    """El barrio, centrado y a su escala, con sus celdas que son punto caliente (solo celdas H3,
    nunca casos individuales)."""
    propia = geometrias[geometrias["barrio_id"] == barrio_id]
    poligono = shapely.from_geojson(propia["geometria"].iloc[0])
    x0, y0, x1, y1 = shapely.bounds(poligono)
    zoom = float(np.clip(np.log2(360 / max(x1 - x0, y1 - y0, 1e-4)) - 1.2, 11, 16))
    vista = pdk.ViewState(latitude=(y0 + y1) / 2, longitude=(x0 + x1) / 2, zoom=zoom)
    capas = [dibujo.capa_limites(geometrias), dibujo.capa_contorno(propia["geometria"].iloc[0])]
    if not calientes.empty:
        colores = [dibujo.COLORES_CLASE[c] for c in calientes["clase"]]
        capas.insert(0, dibujo.capa_hexagonos(dibujo.con_textos_celdas(calientes), colores))
    return dibujo.armar([*capas, dibujo.capa_nombres(geometrias)], vista)


def frase_sectores(suma: pd.DataFrame) -> str:
    por_100 = suma["por_100"]
    if por_100.fillna(0).max() == 0:
        return "Ningún sector tuvo hogares alcanzados por el programa en el período."
    mayor, menor = por_100.idxmax(), por_100.idxmin()
    return (
        f"El sector con más hogares alcanzados por cada 100 es {mayor} "
        f"({formato.numero(por_100[mayor], 1)}); el con menos, {menor} "
        f"({formato.numero(por_100[menor], 1)})."
    )


def frase_tipos(tipos: pd.DataFrame) -> str:
    por_tipo = tipos.groupby("actividad")["actividades"].sum().sort_values(ascending=False)
    return (
        f"La actividad más frecuente fue «{por_tipo.index[0]}» "
        f"({formato.numero(por_tipo.iloc[0])} de {formato.numero(por_tipo.sum())})."
    )


def frase_tendencia(tendencia: pd.DataFrame, nombre: str) -> str:
    barrio, comuna = tendencia["tasa_barrio"].mean(), tendencia["tasa_comuna"].mean()
    if pd.isna(barrio) or not comuna:
        return f"Sin población registrada, {nombre} no tiene tasa mensual."
    return (
        f"En estos meses la tasa mensual de {nombre} promedió {formato.numero(barrio, 2)} casos "
        f"por 1.000 habitantes, {formato.numero(barrio / comuna, 1)} veces la de la comuna."
    )
