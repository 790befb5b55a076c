"""Mapas pydeck dibujados solo con las geometrías de la base: sin teselas ni servicios externos."""

import functools
import json
from urllib.parse import quote

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings import deck as _deck
from pydeck.bindings.json_tools import default_serialize

from ui import formato

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
    """Barrios coloreados por `valor` (ver capa_coropleta) y el contorno comunal."""
    return armar([capa_coropleta(geometrias, valores), capa_contorno(comuna)])


# --- Capas de la página Mapa -----------------------------------------------------------------

COLORES_CLASE = {
    "caliente 99 %": [165, 0, 38],
    "caliente 95 %": [215, 48, 39],
    "caliente 90 %": [244, 109, 67],
    "no significativo": [225, 225, 225],
    "frío 90 %": [116, 173, 209],
    "frío 95 %": [69, 117, 180],
    "frío 99 %": [49, 54, 149],
}
COLORES_CATEGORIA = {
    "nuevo": [255, 196, 0],
    "consecutivo": [253, 141, 60],
    "intensificándose": [189, 0, 38],
    "persistente": [240, 59, 32],
    "disminuyendo": [251, 106, 74],
    "esporádico": [158, 154, 200],
    "oscilante": [106, 81, 163],
    "histórico": [150, 150, 150],
}
COLORES_LINEA = {
    "2.1": [27, 158, 119],
    "2.2": [217, 95, 2],
    "2.3": [117, 112, 179],
    "2.4": [231, 41, 138],
    "2.5": [102, 166, 30],
}
COLOR_CAMARAS = [30, 110, 200]
COLOR_PUNTOS = [200, 30, 30]
CAPA_CASOS = "casos-individuales"  # el informe dice si lleva esta capa (ubicaciones de casos)


def capa_contorno(comuna: str) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        json.loads(comuna),
        stroked=True,
        filled=False,
        get_line_color=[30, 30, 30],
        line_width_min_pixels=2,
    )


def capa_limites(geometrias: pd.DataFrame) -> pdk.Layer:
    """Límites de los barrios, sin relleno."""
    figuras = [
        {"type": "Feature", "geometry": json.loads(g), "properties": {}}
        for g in geometrias["geometria"]
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": figuras},
        stroked=True,
        filled=False,
        get_line_color=[110, 110, 110],
        line_width_min_pixels=1,
    )


# El atlas de letras de deck.gl trae solo ASCII: sin esto, «Colón» se dibuja «Col n». pydeck
# lee los textos como expresiones: el conjunto va entre comillas, y sin comillas dentro.
_LETRAS = "".join(c for c in map(chr, range(32, 127)) if c not in "\"'`\\")
CARACTERES = f'"{_LETRAS}áéíóúÁÉÍÓÚñÑüÜ"'


def capa_nombres(geometrias: pd.DataFrame) -> pdk.Layer:
    """Nombres de los barrios en un punto interior de cada uno."""
    puntos = shapely.from_geojson(geometrias["geometria"].to_numpy())
    interiores = shapely.point_on_surface(puntos)
    datos = [
        {"posicion": [p.x, p.y], "nombre": nombre}
        for p, nombre in zip(interiores, geometrias["nombre"], strict=True)
    ]
    return pdk.Layer(
        "TextLayer",
        datos,
        get_position="posicion",
        get_text="nombre",
        get_size=11,
        get_color=[20, 20, 20, 230],
        character_set=CARACTERES,
    )


def capa_hexagonos(
    tabla: pd.DataFrame, colores: list, opaco: bool = True, pickable: bool = True
) -> pdk.Layer:
    """Celdas H3 (columna `h3`, identificador estándar) con su color y `nombre`/`texto`."""
    # Columnas como listas: recorrer una columna de texto de pandas 3 valor por valor toma
    # varias veces más (miles de celdas en resolución 10).
    barrios = tabla["barrio"].tolist() if "barrio" in tabla else [""] * len(tabla)
    h3, nombres, textos = (tabla[c].tolist() for c in ("h3", "nombre", "texto"))
    datos = [
        {"h3": h, "color": c + [200 if opaco else 0], "nombre": n, "texto": t, "barrio": b}
        for h, c, n, t, b in zip(h3, colores, nombres, textos, barrios, strict=True)
    ]
    return pdk.Layer(
        "H3HexagonLayer",
        datos,
        get_hexagon="h3",
        get_fill_color="color",
        get_line_color=[90, 90, 90, 120] if opaco else COLOR_CAMARAS + [230],
        line_width_min_pixels=0.5 if opaco else 2,
        stroked=True,
        filled=True,
        extruded=False,
        pickable=pickable,
    )


def capa_calor(tabla: pd.DataFrame) -> pdk.Layer:
    """Mapa de calor sobre los centros de las celdas, ponderado por casos (carga acotada)."""
    datos = tabla.loc[tabla["casos"] > 0, ["lon", "lat", "casos"]].to_dict("records")
    return pdk.Layer(
        "HeatmapLayer",
        datos,
        get_position=["lon", "lat"],
        get_weight="casos",
        radius_pixels=35,
        aggregation="SUM",
    )


def capa_circulos(datos: pd.DataFrame, color, radio: float = 18, pickable=True) -> pdk.Layer:
    """Casos individuales: círculos en `lon`, `lat`, con `nombre`/`texto` para el cursor."""
    return pdk.Layer(
        "ScatterplotLayer",
        datos.to_dict("records"),
        id=CAPA_CASOS,
        get_position=["lon", "lat"],
        get_fill_color=color,
        get_radius=radio,
        radius_min_pixels=2,
        radius_max_pixels=30,
        stroked=True,
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.5,
        pickable=pickable,
    )


def _con_valores(geometrias: pd.DataFrame, valores: pd.DataFrame) -> pd.DataFrame:
    """geometrias.merge(valores, on="barrio_id", how="left") con las columnas que dibuja la
    coropleta, buscando la fila de cada barrio (el merge de pandas tomaba la mitad de la capa)."""
    ids = pd.Index(valores["barrio_id"])
    if not ids.is_unique:
        return geometrias.merge(valores, on="barrio_id", how="left", suffixes=("", "_v"))
    fila = ids.get_indexer(geometrias["barrio_id"])
    datos = {c: geometrias[c].to_numpy() for c in ("nombre", "geometria")}
    for columna in ("valor", "texto", "alfa"):
        if columna in valores:
            # take con -1 deja el faltante de cada tipo (NaN), como el merge.
            datos[columna] = valores[columna].array.take(fila, allow_fill=True)
    return pd.DataFrame(datos, index=pd.RangeIndex(len(geometrias)))


def capa_coropleta(geometrias: pd.DataFrame, valores: pd.DataFrame) -> pdk.Layer:
    """Barrios rellenos por `valor` en quintiles (gris sin valor), con `nombre` y `texto` al pasar
    el cursor. Una columna opcional `alfa` (0-255) aclara barrios, p. ej. las estimaciones poco
    fiables."""
    datos = _con_valores(geometrias, valores)
    colores = [COLORES[k] if k >= 0 else SIN_DATO for k in clases(datos["valor"])]
    alfas = datos["alfa"].fillna(190) if "alfa" in datos else pd.Series(190, index=datos.index)
    figuras = [
        {
            "type": "Feature",
            "geometry": json.loads(geometria),
            "properties": {"nombre": nombre, "texto": texto, "color": color + [int(a)]},
        }
        for geometria, nombre, texto, color, a in zip(
            datos["geometria"].tolist(),
            datos["nombre"].tolist(),
            datos["texto"].tolist(),
            colores,
            alfas.tolist(),
            strict=True,
        )
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": figuras},
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.color",
        get_line_color=[90, 90, 90],
        line_width_min_pixels=1,
    )


# Cada Deck pregunta cinco veces si está la extensión de Jupyter de pydeck, con un import que
# falla y se vuelve a buscar en disco cada vez (~0,5 ms): la respuesta no cambia en un proceso.
if not hasattr(_deck.has_jupyter_extra, "cache_info"):
    _deck.has_jupyter_extra = functools.cache(_deck.has_jupyter_extra)

VISTA_MAPA = pdk.ViewState(latitude=-33.405, longitude=-70.535, zoom=11.25, pitch=0)


class Mapa(pdk.Deck):
    """Un Deck de pydeck que se envía sin sangría: pydeck escribe su JSON con indent=2, lo que
    obliga al codificador de Python puro (varias veces más lento) y agranda lo que viaja al
    navegador. El contenido es el mismo."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def armar(capas: list[pdk.Layer], vista: pdk.ViewState = VISTA_LAS_CONDES) -> pdk.Deck:
    return Mapa(
        layers=capas,
        initial_view_state=vista,
        map_style=FONDO,
        tooltip={"html": "<b>{nombre}</b><br/>{texto}"},
    )


def leyenda(elementos: list[tuple[str, list[int]]], titulo: str) -> str:
    """HTML de una leyenda: un cuadrado de color por elemento."""
    partes = [
        f'<span style="display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;'
        f'background:rgb({c[0]},{c[1]},{c[2]});border:1px solid #888"></span>{texto}'
        for texto, c in elementos
    ]
    return f'<div class="leyenda-mapa"><b>{titulo}</b>{"".join(partes)}</div>'


def con_textos_celdas(tabla: pd.DataFrame) -> pd.DataFrame:
    """`nombre` y `texto` del cursor para celdas de puntos_calientes: casos, cambio y clase."""
    textos = [
        f"{casos} casos (antes {anterior}, {variacion}: {clasificacion})<br/>Gi*: {clase} (z {z})"
        for casos, anterior, variacion, clasificacion, clase, z in zip(
            formato.conteos_texto(tabla["casos"]),
            formato.conteos_texto(tabla["anterior"]),
            formato.porcentajes(tabla["variacion_pct"]),
            tabla["clasificacion"].tolist(),
            tabla["clase"].tolist(),
            formato.numeros(tabla["gi_z"], 2),
            strict=True,
        )
    ]
    return tabla.assign(nombre=_nombres_celdas(tabla), texto=textos)


def _nombres_celdas(tabla: pd.DataFrame) -> list[str]:
    h3, barrios = tabla["h3"].tolist(), tabla["barrio"].tolist()
    return [f"Celda {h} · {b}" for h, b in zip(h3, barrios, strict=True)]


def con_textos_evolucion(tabla: pd.DataFrame) -> pd.DataFrame:
    textos = [
        f"{categoria}: caliente en {calientes} períodos · {casos} casos (último período {ultimo})"
        for categoria, calientes, casos, ultimo in zip(
            tabla["categoria"].tolist(),
            tabla["periodos_calientes"].tolist(),
            formato.conteos_texto(tabla["casos"]),
            formato.conteos_texto(tabla["casos_ultimo"]),
            strict=True,
        )
    ]
    return tabla.assign(nombre=_nombres_celdas(tabla), texto=textos)


def capa_actividades(actividades: pd.DataFrame, geometrias: pd.DataFrame) -> pdk.Layer:
    """Un círculo por barrio y línea del programa, en un punto interior del barrio (las
    actividades no tienen coordenadas); las líneas de un mismo barrio se corren un poco."""
    interiores = shapely.point_on_surface(shapely.from_geojson(geometrias["geometria"].to_numpy()))
    centro = {b: (p.x, p.y) for b, p in zip(geometrias["barrio_id"], interiores, strict=True)}
    desplazamiento = {linea: 0.0012 * (k - 2) for k, linea in enumerate(COLORES_LINEA)}
    datos = actividades.assign(
        lon=[
            centro[b][0] + desplazamiento[lin]
            for b, lin in zip(actividades["barrio_id"], actividades["linea"], strict=True)
        ],
        lat=[centro[b][1] - 0.0015 for b in actividades["barrio_id"]],
        color=[COLORES_LINEA[lin] + [230] for lin in actividades["linea"]],
        nombre=actividades["barrio"] + " · línea " + actividades["linea"],
        texto=[
            f"{f.nombre_linea}<br/>{formato.numero(f.actividades)} actividades, "
            f"{formato.numero(f.participantes)} participantes"
            for f in actividades.itertuples()
        ],
        radio=40 + 15 * np.sqrt(actividades["actividades"]),
    )[["lon", "lat", "color", "nombre", "texto", "radio"]]
    return pdk.Layer(
        "ScatterplotLayer",
        datos.to_dict("records"),
        get_position=["lon", "lat"],
        get_fill_color="color",
        get_radius="radio",
        radius_min_pixels=4,
        stroked=True,
        get_line_color=[255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
    )


def tabla_hotspots(tabla: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Celda H3": tabla["h3"],
            "Barrio": tabla["barrio"],
            "Casos": formato.conteos(tabla["casos"]),
            "z de Gi*": formato.numeros(tabla["gi_z"], 2),
            "p": tabla["p_valor"].map(_p),
            "p ajustado (FDR)": tabla["p_fdr"].map(_p),
            "Clase": tabla["clase"],
        }
    )


def _p(valor: float) -> str:
    return "< 0,0001" if valor < 0.0001 else formato.numero(valor, 4)


def tabla_categorias(tabla: pd.DataFrame) -> pd.DataFrame:
    conteo = tabla["categoria"].value_counts()
    casos = tabla.groupby("categoria")["casos"].sum()
    return pd.DataFrame(
        {
            "Categoría": list(conteo.index),
            "Celdas": list(conteo.to_numpy()),
            "Casos": [int(casos[c]) for c in conteo.index],
        }
    )


def tabla_evolucion(tabla: pd.DataFrame) -> pd.DataFrame:
    orden = tabla.sort_values(["categoria", "z_ultimo"], ascending=[True, False])
    return pd.DataFrame(
        {
            "Celda H3": orden["h3"],
            "Barrio": orden["barrio"],
            "Categoría": orden["categoria"],
            "Períodos calientes": orden["periodos_calientes"],
            "Casos": formato.conteos(orden["casos"]),
            "Casos último período": formato.conteos(orden["casos_ultimo"]),
            "z último período": formato.numeros(orden["z_ultimo"], 2),
            "Tendencia del z (Mann–Kendall)": formato.numeros(orden["tendencia_z"], 2),
        }
    )
