"""Piezas de interfaz compartidas por las páginas."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from consultas.estadistica import ALZA, BAJA, NORMAL, POCOS
from consultas.filtros import mostrar
from consultas.periodos import ANIO_ANTERIOR, PERIODO_ANTERIOR
from ui import formato

ICONOS = {ALZA: "▲ ", BAJA: "▼ "}
COMPARACIONES = [(PERIODO_ANTERIOR, "ant."), (ANIO_ANTERIOR, "año ant.")]


def contexto():
    """Catálogo y filtros vigentes, que app.py deja listos antes de cada página."""
    return st.session_state["catalogo"], st.session_state["filtros"]


def etiqueta(clasificacion: str) -> str:
    return ICONOS.get(clasificacion, "") + clasificacion


def cambio(fila: pd.Series, porcentaje: bool = True) -> dict:
    """Argumentos de st.metric para un cambio: variación, etiqueta de ruido de Poisson y detalle.

    Un alza significativa se pinta en rojo y una baja en verde; la variación normal, en gris.
    """
    if fila.empty:
        return {"delta": None}
    normal = fila["clasificacion"] in (NORMAL, POCOS)
    return {
        "delta": (
            f"{formato.porcentaje(fila['variacion_pct'])} · {fila['clasificacion']}"
            if porcentaje
            else fila["clasificacion"]
        ),
        "delta_color": "off" if normal else "inverse",
        "delta_arrow": "off" if normal else ("up" if fila["z_poisson"] > 0 else "down"),
        "help": (
            f"{formato.conteo(fila['actual'])} casos contra {formato.conteo(fila['anterior'])} "
            f"en el {fila['comparacion']}; z de Poisson {formato.numero(fila['z_poisson'], 2)}."
        ),
    }


def tabla_compstat(tabla: pd.DataFrame) -> pd.DataFrame:
    """Una fila por período: casos actuales y las dos comparaciones, formateados en castellano."""
    filas = []
    for periodo, grupo in tabla.groupby("periodo", sort=False):
        fila = {
            "Período": periodo,
            "Fechas": formato.rango(grupo["desde"].iloc[0], grupo["hasta"].iloc[0]),
            "Casos": formato.conteo(grupo["actual"].iloc[0]),
        }
        for comparacion, titulo in COMPARACIONES:
            ref = grupo[grupo["comparacion"] == comparacion]
            if ref.empty:
                fila |= {f"Casos {titulo}": "—", f"Var. {titulo}": "—", f"z {titulo}": "—"}
                fila[f"Cambio {titulo}"] = "no aplica"
                continue
            r = ref.iloc[0]
            fila |= {
                f"Casos {titulo}": formato.conteo(r["anterior"]),
                f"Var. {titulo}": formato.porcentaje(r["variacion_pct"]),
                f"z {titulo}": formato.numero(r["z_poisson"], 2),
                f"Cambio {titulo}": etiqueta(r["clasificacion"]),
            }
        filas.append(fila)
    return pd.DataFrame(filas)


def grafico_familias(familias: pd.DataFrame) -> go.Figure:
    """Barras horizontales: casos del período y del período anterior, por familia."""
    datos = familias.sort_values("actual")
    figura = go.Figure(
        [
            go.Bar(
                y=datos["familia"],
                x=datos["anterior"],
                name="Período anterior",
                orientation="h",
                marker_color="#b0b7c3",
            ),
            go.Bar(
                y=datos["familia"],
                x=datos["actual"],
                name="Período seleccionado",
                orientation="h",
                marker_color="#c0392b",
                text=[etiqueta(c) if c in ICONOS else "" for c in datos["clasificacion"]],
                textposition="outside",
                cliponaxis=False,
            ),
        ]
    )
    figura.update_layout(
        barmode="group",
        height=140 + 48 * len(datos),
        margin={"l": 10, "r": 160, "t": 40, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        separators=",.",
        xaxis_title="Casos",
    )
    return figura


def tabla_barrios(barrios: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Barrio": barrios["nombre"],
            "Sector": barrios["sector"],
            "Casos": barrios["actual"].map(formato.conteo),
            "Período anterior": barrios["anterior"].map(formato.conteo),
            "Variación": barrios["variacion_pct"].map(formato.porcentaje),
            "z": barrios["z_poisson"].map(lambda z: formato.numero(z, 2)),
            "Tasa por 1.000 hab.": barrios["tasa"].map(lambda t: formato.numero(t, 2)),
        }
    )


def elegir_fuente(cat, etiqueta: str, clave: str, ayuda: str) -> str:
    """Lista de fuentes de datos, con sus nombres visibles."""
    nombres = cat.nombres("fuentes")
    return st.selectbox(etiqueta, list(nombres), format_func=nombres.get, key=clave, help=ayuda)


def opcion_url(clave: str, url: str, opciones: dict, defecto, nombre: str) -> None:
    """Antes de dibujar el widget `clave`: la primera vez toma su valor del parámetro `url` de la
    dirección; si no es una de las `opciones` (valor -> nombre visible), avisa y usa `defecto`."""
    if clave in st.session_state:
        return
    texto = st.query_params.get(url)
    validos = {str(opcion): opcion for opcion in opciones}
    st.session_state[clave] = validos.get(texto, defecto)
    if texto is not None and texto not in validos:
        aceptados = ", ".join(validos)
        st.warning(
            f"Se ignoró {nombre} «{mostrar(texto)}» (valores válidos: {aceptados}).", icon="⚠️"
        )


def escribir_opcion_url(url: str, valor, defecto) -> None:
    """Deja la opción de la página en la dirección, salvo que sea la por defecto."""
    if valor == defecto:
        if url in st.query_params:
            del st.query_params[url]
    elif st.query_params.get(url) != str(valor):
        st.query_params[url] = str(valor)
