"""Base de comparación del arranque en frío: Streamlit solo, con los mismos tipos de elementos que
el Resumen (título, métricas, tabla, gráfico plotly y mapa pydeck sin teselas) pero sin datos, sin
consultas y sin filtros. Lo que tarda en verse es lo que cuestan Streamlit y Chromium en esta
máquina; la diferencia con el Resumen es lo que agrega el tablero (bench/arranque.py)."""

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="Base mínima", layout="wide")
st.title("Base mínima")
columnas = st.columns(3)
for columna, (nombre, valor) in zip(columnas, [("A", 1), ("B", 2), ("C", 3)], strict=True):
    columna.metric(nombre, valor)
st.dataframe(pd.DataFrame({"x": range(5), "y": range(5)}))
st.plotly_chart(go.Figure(go.Bar(x=list("abcde"), y=[3, 1, 4, 1, 5])))
cuadrado = [[[-70.6, -33.4], [-70.5, -33.4], [-70.5, -33.3], [-70.6, -33.3]]]
capa = pdk.Layer("PolygonLayer", [{"poligono": cuadrado}], get_polygon="poligono")
vista = pdk.ViewState(latitude=-33.35, longitude=-70.55, zoom=10)
st.pydeck_chart(pdk.Deck(layers=[capa], initial_view_state=vista, map_style=None))
