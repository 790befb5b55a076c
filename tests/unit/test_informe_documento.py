"""El HTML del informe y el mapa SVG, sobre vistas pequeñas armadas a mano."""

import json
import re
from datetime import date, datetime
from html.parser import HTMLParser

import h3
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import pytest

from ui import documento, mapa_svg
from ui import mapa as dibujo
from ui.recolector import Elemento, Vista

CUADRADO = {
    "type": "Polygon",
    "coordinates": [[[-70.60, -33.42], [-70.58, -33.42], [-70.58, -33.40], [-70.60, -33.40]]],
}
CELDA = h3.latlng_to_cell(-33.41, -70.59, 9)


class Etiquetas(HTMLParser):
    """Cuenta etiquetas por (nombre, clase) y junta el texto visible y las direcciones."""

    def __init__(self):
        super().__init__()
        self.conteo: dict[tuple[str, str], int] = {}
        self.texto: list[str] = []
        self.direcciones: list[tuple[str, str, str]] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        atributos = dict(attrs)
        for clase in (atributos.get("class") or "").split() or [""]:
            self.conteo[(tag, clase)] = self.conteo.get((tag, clase), 0) + 1
        for nombre in ("src", "href"):
            if nombre in atributos:
                self.direcciones.append((tag, nombre, atributos[nombre]))
        self._script = tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if not self._script:
            self.texto.append(data)

    def cuantos(self, tag: str, clase: str) -> int:
        return self.conteo.get((tag, clase), 0)


def leer(html: str) -> Etiquetas:
    etiquetas = Etiquetas()
    etiquetas.feed(html)
    return etiquetas


def deck(*capas) -> pdk.Deck:
    return pdk.Deck(layers=list(capas))


def capa_barrio(color=(10, 20, 30, 255)) -> pdk.Layer:
    figura = {"type": "Feature", "geometry": CUADRADO, "properties": {"nombre": "Uno", "c": color}}
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": [figura]},
        filled=True,
        stroked=True,
        get_fill_color="properties.c",
        get_line_color=[90, 90, 90],
    )


def test_svg_dibuja_poligonos_y_celdas_con_sus_colores():
    celdas = pdk.Layer(
        "H3HexagonLayer",
        [{"h3": CELDA, "color": [1, 2, 3, 200]}],
        get_hexagon="h3",
        get_fill_color="color",
        filled=True,
        stroked=False,
    )
    svg = mapa_svg.svg(deck(capa_barrio(), celdas))
    assert 'fill="rgb(10,20,30)"' in svg
    assert 'fill="rgb(1,2,3)" fill-opacity="0.78"' in svg
    hexagono = re.search(r'data-tipo="H3HexagonLayer"[^>]*><path d="M([^"]*)Z"', svg)
    assert hexagono is not None
    assert len(hexagono.group(1).split()) == len(h3.cell_to_boundary(CELDA))
    assert "<title>Uno</title>" in svg


def test_svg_proyecta_norte_arriba_y_este_a_la_derecha():
    puntos = pdk.Layer(
        "TextLayer",
        [
            {"p": [-70.599, -33.401], "t": "noroeste"},
            {"p": [-70.581, -33.419], "t": "sureste"},
        ],
        get_position="p",
        get_text="t",
    )
    svg = mapa_svg.svg(deck(capa_barrio(), puntos))
    posiciones = {
        t: (float(x), float(y))
        for x, y, t in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>(\w+)</text>', svg)
    }
    assert posiciones["noroeste"][0] < posiciones["sureste"][0]
    assert posiciones["noroeste"][1] < posiciones["sureste"][1]
    # Mercator conserva la forma: un cuadrado de 0,02° a esta latitud es más alto que ancho.
    ancho, alto = map(float, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    assert alto - 24 > (ancho - 24) * 1.1


def test_svg_circulos_con_radio_en_metros():
    circulos = pdk.Layer(
        "ScatterplotLayer",
        [{"lon": -70.59, "lat": -33.41}],
        get_position=["lon", "lat"],
        get_radius=100,
        get_fill_color=[200, 30, 30],
    )
    lienzo_svg = mapa_svg.svg(deck(capa_barrio(), circulos))
    radio = float(re.search(r'<circle [^>]*r="([\d.]+)"', lienzo_svg).group(1))
    lienzo = mapa_svg.Lienzo(-70.60, -33.42, -70.58, -33.40)
    assert radio == pytest.approx(100 / lienzo.metros_por_pixel, abs=0.06)


def test_svg_calor_pinta_donde_hay_casos():
    calor = pdk.Layer(
        "HeatmapLayer",
        [{"lon": -70.595, "lat": -33.405, "casos": 10}],
        get_position=["lon", "lat"],
        get_weight="casos",
        radius_pixels=30,
    )
    svg = mapa_svg.svg(deck(capa_barrio(), calor))
    celdas = re.findall(r'<rect x="(\d+)" y="(\d+)"[^>]*fill="rgb\((\d+),(\d+),(\d+)\)"', svg)
    assert celdas
    lienzo = mapa_svg.Lienzo(-70.60, -33.42, -70.58, -33.40)
    x, y = lienzo.xy(-70.595, -33.405)
    mas_oscuro = min(celdas, key=lambda c: int(c[3]))  # menos verde = más rojo en la rampa
    assert abs(int(mas_oscuro[0]) - x) < 8 and abs(int(mas_oscuro[1]) - y) < 8
    # Lejos del caso (la esquina opuesta) no hay calor.
    assert all(int(cx) < x + 60 for cx, *_ in celdas)


def vista_de_prueba(con_puntos: bool = False) -> Vista:
    tabla = pd.DataFrame({"Barrio": ["Uno", "Dos"], "Casos": [1234, 5], "Tasa": [1.5, 0.25]})
    figura = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    capas = [capa_barrio()]
    if con_puntos:
        capas.append(
            dibujo.capa_circulos(pd.DataFrame({"lon": [-70.59], "lat": [-33.41]}), [1, 1, 1])
        )
    elementos = [
        Elemento("titulo", "Resumen"),
        Elemento("metrica", "Casos", {"valor": "1.239", "delta": "+3,0 %", "ayuda": None}),
        Elemento("subtitulo", "Tabla de barrios"),
        Elemento("tabla", tabla),
        Elemento("texto", "Los casos **subieron** en *Uno*.", {"html": False}),
        Elemento("subtitulo", "Un gráfico"),
        Elemento("grafico", figura),
        Elemento("mapa", pdk.Deck(layers=capas)),
        Elemento("texto", '<div class="leyenda-mapa"><b>Casos</b></div>', {"html": True}),
        Elemento("aviso", "Pocos datos.", {"nivel": "info"}),
    ]
    return Vista("", "Resumen", {"barrio": ["uno"]}, elementos=elementos)


def portada(publico: bool = False, demostracion: bool = False) -> documento.Portada:
    return documento.Portada(
        filtros="Fuente: Casos policiales · Período: 01-10-2026 a 31-10-2026",
        corte=date(2026, 10, 31),
        rol="Público" if publico else "Analista",
        publico=publico,
        enlace="http://localhost:8501/?barrio=uno",
        generado=datetime(2026, 11, 2, 9, 30),
        demostracion=demostracion,
    )


def test_html_trae_portada_contenido_y_metodos():
    html = documento.html(vista_de_prueba(), portada())
    partes = leer(html)
    texto = " ".join(" ".join(partes.texto).split())
    assert "Fuente: Casos policiales · Período: 01-10-2026 a 31-10-2026" in texto
    assert "Datos al 31-10-2026" in texto
    assert "Generado el 02-11-2026 09:30" in texto
    assert partes.cuantos("table", "tabla") == 1
    assert partes.cuantos("div", "grafico") == 1
    assert partes.cuantos("figure", "mapa") == 1
    assert partes.cuantos("div", "metrica") == 1
    assert partes.cuantos("div", "leyenda-mapa") == 1
    assert "1.234" in texto and "0,25" in texto  # números en formato chileno
    assert "<b>subieron</b> en <i>Uno</i>" in html
    assert "Notas de método" in texto and "«<5»" in texto and "z de Poisson" in texto
    assert "No contiene ubicaciones de casos individuales" in texto
    assert "demostración" not in texto
    assert "Datos de demostración sintéticos" in documento.html(
        vista_de_prueba(), portada(demostracion=True)
    )


def test_html_no_carga_nada_de_fuera():
    html = documento.html(vista_de_prueba(), portada())
    partes = leer(html)
    cargas = [d for d in partes.direcciones if d[1] == "src"]
    assert cargas and all(valor.startswith("data:") for _, _, valor in cargas)
    enlaces = [valor for tag, nombre, valor in partes.direcciones if nombre == "href"]
    assert enlaces == ["http://localhost:8501/?barrio=uno"]  # el enlace a la vista, no una carga
    assert "Plotly.newPlot" in html and html.count("<script>") >= 1
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)


def test_primera_pagina_dice_si_lleva_puntos():
    con_puntos = documento.html(vista_de_prueba(con_puntos=True), portada())
    assert "Contiene ubicaciones de casos individuales" in con_puntos
    assert "versión para compartir" in con_puntos
    publico = documento.html(vista_de_prueba(), portada(publico=True))
    assert "Versión para compartir." in publico and "sin ubicaciones" in publico


def test_tabla_larga_se_corta_y_lo_dice():
    tabla = pd.DataFrame({"n": range(documento.MAXIMO_FILAS + 5)})
    html = documento.tabla_html(tabla)
    assert html.count("<tr>") == documento.MAXIMO_FILAS + 1
    assert f"de {documento.MAXIMO_FILAS + 5} filas" in html


def test_grafico_es_la_misma_figura():
    figura = go.Figure(go.Bar(x=["Robos", "Hurtos"], y=[17, 42], name="serie única"))
    html = documento.elemento_html(Elemento("grafico", figura), 3)
    datos = json.loads(re.search(r'"grafico-3",\s*(\[.*?\]),\s*\{', html, re.S).group(1))
    assert datos[0]["x"] == ["Robos", "Hurtos"] and datos[0]["y"] == [17, 42]


def test_markdown_de_las_paginas():
    texto = "**Índice** = a + b\n\n- **tasa**: casos por\n  1.000 habitantes;\n- *otro* punto"
    html = documento._markdown(texto)
    assert html == (
        "<p><b>Índice</b> = a + b</p><ul><li><b>tasa</b>: casos por 1.000 habitantes;</li>"
        "<li><i>otro</i> punto</li></ul>"
    )
    assert documento._markdown("a < b & c") == "<p>a &lt; b &amp; c</p>"
