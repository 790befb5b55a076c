"""Un mapa pydeck dibujado como SVG para el informe: las mismas capas, con los mismos datos y
colores que el mapa de la página (polígonos, celdas H3, círculos, calor y nombres), en
proyección web Mercator como deck.gl, sin teselas."""

import math
from html import escape

import h3
import numpy as np
import pydeck as pdk

ANCHO = 760
# Rampa por defecto del HeatmapLayer de deck.gl (colorRange).
RAMPA_CALOR = [
    (255, 255, 178),
    (254, 217, 118),
    (254, 178, 76),
    (253, 141, 60),
    (240, 59, 32),
    (189, 0, 38),
]
RADIO_TIERRA = 6_378_137.0


def _mercator(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85, 85)
    return np.radians(lon), np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


class Lienzo:
    """Proyección de lon/lat a píxeles del SVG, ajustada al contorno de lo dibujado."""

    def __init__(self, lon_min, lat_min, lon_max, lat_max, ancho: int = ANCHO, margen: int = 12):
        x0, y0 = _mercator(lon_min, lat_min)
        x1, y1 = _mercator(lon_max, lat_max)
        self.escala = (ancho - 2 * margen) / max(float(x1 - x0), 1e-9)
        self.x0, self.y1, self.margen = float(x0), float(y1), margen
        self.ancho = ancho
        self.alto = int(round(float(y1 - y0) * self.escala + 2 * margen))
        lat_media = math.radians((lat_min + lat_max) / 2)
        # Metros del terreno por píxel, para los radios en metros de los círculos.
        self.metros_por_pixel = RADIO_TIERRA * math.cos(lat_media) / self.escala

    def xy(self, lon, lat):
        x, y = _mercator(lon, lat)
        return (x - self.x0) * self.escala + self.margen, (self.y1 - y) * self.escala + self.margen


def _valor(accesor, dato, defecto=None):
    """El valor de una propiedad de capa pydeck para un dato: constante, campo o ruta
    ("properties.color"), o lista de campos (["lon", "lat"])."""
    if accesor is None:
        return defecto
    if isinstance(accesor, str):
        valor = dato
        for parte in accesor.split("."):
            valor = valor.get(parte) if isinstance(valor, dict) else None
        return defecto if valor is None else valor
    if isinstance(accesor, list | tuple) and accesor and isinstance(accesor[0], str):
        return [_valor(a, dato) for a in accesor]
    return accesor


def _color(rgba, defecto=(0, 0, 0, 255)) -> str:
    c = list(rgba) if rgba is not None else list(defecto)
    alfa = (c[3] if len(c) > 3 else 255) / 255
    return f'fill="rgb({int(c[0])},{int(c[1])},{int(c[2])})" fill-opacity="{alfa:.2f}"'


def _trazo(rgba, ancho: float) -> str:
    if rgba is None:
        return 'stroke="none"'
    c = list(rgba)
    alfa = (c[3] if len(c) > 3 else 255) / 255
    return (
        f'stroke="rgb({int(c[0])},{int(c[1])},{int(c[2])})" stroke-opacity="{alfa:.2f}" '
        f'stroke-width="{ancho:.2f}" stroke-linejoin="round"'
    )


def _figuras(datos) -> list[dict]:
    """Los Feature de un GeoJSON (FeatureCollection, Feature o geometría suelta)."""
    if isinstance(datos, dict):
        if datos.get("type") == "FeatureCollection":
            return list(datos.get("features", []))
        if datos.get("type") == "Feature":
            return [datos]
        if "coordinates" in datos:
            return [{"type": "Feature", "geometry": datos, "properties": {}}]
    return []


def _anillos(geometria: dict) -> list:
    tipo, coords = geometria.get("type"), geometria.get("coordinates", [])
    if tipo == "Polygon":
        return [coords]
    if tipo == "MultiPolygon":
        return list(coords)
    if tipo == "LineString":
        return [[coords]]
    if tipo == "MultiLineString":
        return [[linea] for linea in coords]
    return []


def _camino(lienzo: Lienzo, anillo, cerrar: bool = True) -> str:
    puntos = np.asarray(anillo, dtype=float)
    x, y = lienzo.xy(puntos[:, 0], puntos[:, 1])
    texto = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
    return f"M{texto}{'Z' if cerrar else ''}"


def _limites(capas: list[pdk.Layer]) -> tuple[float, float, float, float] | None:
    """El rectángulo de las geometrías de fondo (polígonos); si no hay, el de todo."""
    lons, lats = [], []
    for capa in capas:
        if capa.type == "GeoJsonLayer":
            for figura in _figuras(capa.data):
                for poligono in _anillos(figura.get("geometry") or {}):
                    for anillo in poligono:
                        puntos = np.asarray(anillo, dtype=float)
                        lons += list(puntos[:, 0])
                        lats += list(puntos[:, 1])
    if not lons:
        for capa in capas:
            for lon, lat in _posiciones(capa):
                lons.append(lon)
                lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def _posiciones(capa: pdk.Layer) -> list[tuple[float, float]]:
    kw = capa._kwargs
    if capa.type == "H3HexagonLayer":
        campo = kw.get("get_hexagon", "hexagon")
        return [h3.cell_to_latlng(_valor(campo, d))[::-1] for d in (capa.data or [])]
    if capa.type in {"ScatterplotLayer", "HeatmapLayer", "TextLayer"}:
        return [tuple(_valor(kw.get("get_position", "position"), d)) for d in (capa.data or [])]
    return []


def _geojson(lienzo: Lienzo, capa: pdk.Layer) -> list[str]:
    kw = capa._kwargs
    relleno = kw.get("filled", True)
    ancho = float(kw.get("line_width_min_pixels", 1))
    partes = []
    for figura in _figuras(capa.data):
        geometria = figura.get("geometry") or {}
        cerrar = geometria.get("type") in {"Polygon", "MultiPolygon"}
        camino = "".join(
            _camino(lienzo, anillo, cerrar)
            for poligono in _anillos(geometria)
            for anillo in poligono
        )
        if not camino:
            continue
        color = _valor(kw.get("get_fill_color"), figura, (0, 0, 0, 255))
        pintura = _color(color) if relleno and cerrar else 'fill="none"'
        trazo = (
            _trazo(_valor(kw.get("get_line_color"), figura, (0, 0, 0, 255)), ancho)
            if kw.get("stroked", True)
            else 'stroke="none"'
        )
        titulo = (figura.get("properties") or {}).get("nombre")
        cierre = f"><title>{escape(str(titulo))}</title></path>" if titulo else "/>"
        partes.append(f'<path d="{camino}" {pintura} {trazo} fill-rule="evenodd"{cierre}')
    return partes


def _hexagonos(lienzo: Lienzo, capa: pdk.Layer) -> list[str]:
    kw = capa._kwargs
    ancho = float(kw.get("line_width_min_pixels", 1))
    partes = []
    for dato in capa.data or []:
        borde = [(lon, lat) for lat, lon in h3.cell_to_boundary(_valor(kw["get_hexagon"], dato))]
        camino = _camino(lienzo, borde)
        relleno = kw.get("filled", True)
        pintura = _color(_valor(kw.get("get_fill_color"), dato)) if relleno else 'fill="none"'
        trazo = _trazo(_valor(kw.get("get_line_color"), dato), ancho) if kw.get("stroked") else ""
        partes.append(f'<path d="{camino}" {pintura} {trazo}/>')
    return partes


def _circulos(lienzo: Lienzo, capa: pdk.Layer) -> list[str]:
    kw = capa._kwargs
    minimo = float(kw.get("radius_min_pixels", 0))
    maximo = float(kw.get("radius_max_pixels", 1e9))
    ancho = float(kw.get("line_width_min_pixels", 1))
    partes = []
    for dato in capa.data or []:
        lon, lat = _valor(kw.get("get_position", "position"), dato)
        x, y = lienzo.xy(lon, lat)
        radio = float(_valor(kw.get("get_radius", 1), dato, 1)) / lienzo.metros_por_pixel
        radio = min(max(radio, minimo), maximo)
        pintura = _color(_valor(kw.get("get_fill_color"), dato))
        trazo = _trazo(_valor(kw.get("get_line_color"), dato), ancho) if kw.get("stroked") else ""
        partes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radio:.1f}" {pintura} {trazo}/>')
    return partes


def _calor(lienzo: Lienzo, capa: pdk.Layer) -> list[str]:
    """Densidad como deck.gl: suma de núcleos gaussianos de `radius_pixels`, pesos por dato, en
    la rampa de colores por defecto, transparente bajo el 5 % del máximo."""
    kw = capa._kwargs
    datos = capa.data or []
    if not datos:
        return []
    paso = 4
    columnas, filas = lienzo.ancho // paso + 1, lienzo.alto // paso + 1
    grilla = np.zeros((filas, columnas))
    for dato in datos:
        lon, lat = _valor(kw.get("get_position", "position"), dato)
        x, y = lienzo.xy(lon, lat)
        i, j = int(y // paso), int(x // paso)
        if 0 <= i < filas and 0 <= j < columnas:
            grilla[i, j] += float(_valor(kw.get("get_weight", 1), dato, 1))
    from scipy.ndimage import gaussian_filter  # al usarse: scipy pesa en el arranque

    densidad = gaussian_filter(grilla, sigma=float(kw.get("radius_pixels", 30)) / paso / 3)
    maximo = densidad.max()
    if maximo <= 0:
        return []
    nivel = densidad / maximo
    partes = []
    for i, j in zip(*np.nonzero(nivel >= 0.05), strict=True):
        k = min(int(nivel[i, j] * len(RAMPA_CALOR)), len(RAMPA_CALOR) - 1)
        r, g, b = RAMPA_CALOR[k]
        partes.append(
            f'<rect x="{j * paso}" y="{i * paso}" width="{paso}" height="{paso}" '
            f'fill="rgb({r},{g},{b})" fill-opacity="{0.35 + 0.5 * nivel[i, j]:.2f}"/>'
        )
    return partes


def _textos(lienzo: Lienzo, capa: pdk.Layer) -> list[str]:
    kw = capa._kwargs
    partes = []
    for dato in capa.data or []:
        lon, lat = _valor(kw.get("get_position", "position"), dato)
        x, y = lienzo.xy(lon, lat)
        texto = escape(str(_valor(kw.get("get_text", "text"), dato, "")))
        tamano = float(_valor(kw.get("get_size", 12), dato, 12)) * 0.8
        color = _color(_valor(kw.get("get_color"), dato, (0, 0, 0, 255)))
        partes.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{tamano:.1f}" text-anchor="middle" '
            f'dominant-baseline="middle" {color} stroke="white" stroke-width="2" '
            f'paint-order="stroke">{texto}</text>'
        )
    return partes


DIBUJOS = {
    "GeoJsonLayer": _geojson,
    "H3HexagonLayer": _hexagonos,
    "ScatterplotLayer": _circulos,
    "HeatmapLayer": _calor,
    "TextLayer": _textos,
}


def svg(deck: pdk.Deck, descripcion: str = "Mapa") -> str:
    """El SVG de todas las capas del mapa, en el orden de deck.gl (la primera, abajo)."""
    capas = [c for c in deck.layers if c.type in DIBUJOS]
    limites = _limites(capas)
    if limites is None:
        return '<p class="sin-mapa">El mapa no tiene nada que dibujar.</p>'
    lienzo = Lienzo(*limites)
    grupos = [
        f'<g class="capa" data-tipo="{capa.type}" data-id="{escape(str(capa.id))}">'
        + "".join(DIBUJOS[capa.type](lienzo, capa))
        + "</g>"
        for capa in capas
    ]
    return (
        f'<svg class="mapa" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(descripcion)}" viewBox="0 0 {lienzo.ancho} {lienzo.alto}" '
        f'width="100%" style="background:#f4f4f2">' + "".join(grupos) + "</svg>"
    )
