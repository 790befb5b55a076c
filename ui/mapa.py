"""Mapas pydeck dibujados solo con las geometrías de la base: sin teselas ni servicios externos."""

import json
from urllib.parse import quote

import numpy as np
import pandas as pd
import pydeck as pdk

# Escala secuencial de 5 clases (amarillo a rojo), legible también impresa.
COLORES = [[255, 255, 204], [254, 217, 118], [253, 141, 60], [227, 26, 28], [128, 0, 38]]
SIN_DATO = [200, 200, 200]
VISTA_LAS_CONDES = pdk.ViewState(latitude=-33.425, longitude=-70.52, zoom=10.6, pitch=0)
# Un estilo de fondo liso como URL data: sin él, Streamlit pide las teselas de Carto por internet.
_ESTILO = {
    "version": 8,
    "sources": {},
    "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#f4f4f2"}}],
}
FONDO = "data:application/json," + quote(json.dumps(_ESTILO))


def clases(valores: pd.Series, n: int = len(COLORES)) -> np.ndarray:
    """Clase por cuantiles (0..n-1); -1 donde no hay valor."""
    validos = valores.dropna()
    if validos.empty:
        return np.full(len(valores), -1)
    cortes = np.unique(np.quantile(validos, np.linspace(0, 1, n + 1)[1:-1]))
    resultado = np.searchsorted(cortes, valores.to_numpy(), side="right")
    return np.where(valores.isna(), -1, resultado)


def coropleta(geometrias: pd.DataFrame, valores: pd.DataFrame, comuna: str) -> pdk.Deck:
    """Barrios coloreados por `valor` (gris sin valor); `texto` aparece al pasar el cursor. Una
    columna opcional `alfa` (0-255) aclara barrios, p. ej. las estimaciones poco fiables."""
    datos = geometrias.merge(valores, on="barrio_id", how="left", suffixes=("", "_v"))
    colores = [COLORES[k] if k >= 0 else SIN_DATO for k in clases(datos["valor"])]
    alfas = datos["alfa"].fillna(190) if "alfa" in datos else pd.Series(190, index=datos.index)
    figuras = [
        {
            "type": "Feature",
            "geometry": json.loads(fila.geometria),
            "properties": {"nombre": fila.nombre, "texto": fila.texto, "color": color + [int(a)]},
        }
        for fila, color, a in zip(datos.itertuples(), colores, alfas, strict=True)
    ]
    barrios = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": figuras},
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.color",
        get_line_color=[90, 90, 90],
        line_width_min_pixels=1,
    )
    contorno = pdk.Layer(
        "GeoJsonLayer",
        json.loads(comuna),
        stroked=True,
        filled=False,
        get_line_color=[30, 30, 30],
        line_width_min_pixels=2,
    )
    return pdk.Deck(
        layers=[barrios, contorno],
        initial_view_state=VISTA_LAS_CONDES,
        map_style=FONDO,
        tooltip={"html": "<b>{nombre}</b><br/>{texto}"},
    )
