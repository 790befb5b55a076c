"""El informe de una vista como un HTML autocontenido (se abre sin servidor ni internet) y como
PDF (Chromium imprime ese mismo HTML, así los gráficos son las mismas figuras plotly)."""

import base64
import concurrent.futures
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from consultas.estadistica import MINIMO_CASOS
from ui import formato, mapa, mapa_svg
from ui.recolector import Elemento, Vista

CHROMIUM = "/usr/bin/chromium"
ESCUDO = Path(__file__).parent / "escudo.png"
MAXIMO_FILAS = 300


@dataclass
class Portada:
    """Lo que dice la primera página además del contenido: filtros, corte, rol y enlace."""

    filtros: str
    corte: date
    rol: str  # nombre visible del rol con que se hizo
    publico: bool  # hecho con la regla de privacidad del rol público
    enlace: str
    generado: datetime
    demostracion: bool = False  # datos sintéticos de la demostración


METODOS = [
    "<b>Tasas.</b> Casos por 1.000 habitantes, con la población de cada barrio (proyección INE).",
    "<b>Cambios.</b> z de Poisson = 2·(√actual − √anterior). Con |z| &lt; 2 el cambio es "
    f"«variación normal»; con menos de {MINIMO_CASOS} casos entre ambos períodos, «pocos casos»: "
    "ninguna frase afirma un alza o una baja que el z no da.",
    "<b>Puntos calientes.</b> Gi* de Getis-Ord en celdas H3 con sus vecinas del anillo 1 y ajuste "
    "de Benjamini–Hochberg (FDR); clases caliente o frío al 90, 95 y 99 %.",
    "<b>Encuestas.</b> Estimaciones con el diseño muestral (factor, estrato, conglomerado), "
    "intervalos de 95 % y calidad según el estándar del INE: «no fiable» con n &lt; 60 o menos "
    "de 9 grados de libertad; una estimación no fiable nunca se presenta como si lo fuera.",
    "<b>Privacidad.</b> Lo que se comparte (vista pública, informes para el Concejo) no muestra "
    "ubicaciones de casos, solo celdas H3 o barrios, y los conteos bajo 5 se muestran «&lt;5». "
    "Los casos de VIF y delitos sexuales nunca se muestran como puntos fuera del rol analista.",
]

DEMOSTRACION = (
    '<p class="aviso warning">Datos de demostración sintéticos: los barrios y los casos son '
    "generados; solo el contorno comunal es real.</p>"
)

ESTILO = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  color: #1d232b; margin: 0 auto; max-width: 760px; font-size: 11pt; line-height: 1.4; }
header.membrete { display: flex; gap: 12px; align-items: center;
  border-bottom: 3px solid #1f4e79; padding: 8px 0; }
header.membrete img { width: 48px; height: 48px; }
header.membrete .institucion { font-size: 10pt; color: #1f4e79; }
header.membrete .institucion b { font-size: 12pt; }
h1 { font-size: 20pt; margin: 14px 0 4px; color: #1f4e79; }
h2 { font-size: 14pt; margin: 18px 0 6px; color: #1f4e79; break-after: avoid; }
.portada p { margin: 3px 0; }
.privacidad { border-left: 4px solid #c0392b; background: #fbeeee; padding: 6px 10px; }
.privacidad.publica { border-color: #2e7d32; background: #edf7ee; }
.nota { color: #5b6572; font-size: 9pt; }
.aviso { border-left: 4px solid #1f4e79; background: #eef3f8; padding: 6px 10px; }
.aviso.warning, .aviso.error { border-color: #b7791f; background: #fdf6e7; }
.metricas { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0; }
.metrica { flex: 1 1 200px; border: 1px solid #d5dbe3; border-radius: 6px; padding: 6px 10px;
  break-inside: avoid; }
.metrica .etiqueta { font-size: 9pt; color: #5b6572; }
.metrica .valor { font-size: 18pt; font-weight: bold; }
.metrica .delta { font-size: 9pt; }
table.tabla { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 6px 0; }
table.tabla th { background: #1f4e79; color: white; text-align: left; padding: 3px 5px; }
table.tabla td { border-bottom: 1px solid #d5dbe3; padding: 2px 5px; }
table.tabla tr { break-inside: avoid; }
thead { display: table-header-group; }
.grafico, figure.mapa { break-inside: avoid; margin: 8px 0; }
figure.mapa svg { border: 1px solid #d5dbe3; }
.leyenda-mapa { font-size: 9pt; margin: 4px 0; }
section.metodos { break-before: page; }
section.metodos li { margin-bottom: 4px; }
footer { margin-top: 16px; color: #5b6572; font-size: 9pt; border-top: 1px solid #d5dbe3; }
"""


def lleva_puntos(vista: Vista) -> bool:
    """¿Algún mapa de la vista dibuja casos individuales?"""
    return any(
        capa.id == mapa.CAPA_CASOS and capa.data
        for e in vista.de("mapa")
        for capa in e.contenido.layers
    )


def _markdown(texto: str) -> str:
    """Lo poco de Markdown que usan las páginas: negritas, cursivas, código, listas y párrafos."""
    html = escape(texto.strip(), quote=False)
    html = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html, flags=re.S)
    html = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", html, flags=re.S)
    html = re.sub(r"`(.+?)`", r"<code>\1</code>", html)
    html = re.sub(r":material/[a-z_]+:", "", html)
    bloques = []
    for bloque in re.split(r"\n\s*\n", html):
        lineas = [linea.strip() for linea in bloque.strip().splitlines()]
        if lineas and lineas[0].startswith(("- ", "* ")):
            items: list[str] = []
            for linea in lineas:  # una línea sin guion sigue el punto anterior
                if linea.startswith(("- ", "* ")):
                    items.append(linea[2:])
                else:
                    items[-1] += " " + linea
            bloques.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        elif lineas:
            bloques.append(f"<p>{' '.join(lineas)}</p>")
    return "".join(bloques)


def _celda(valor) -> str:
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if valor is None or (not isinstance(valor, str) and pd.isna(valor)):
        return "—"
    if isinstance(valor, int) or (hasattr(valor, "dtype") and "int" in str(valor.dtype)):
        return formato.numero(int(valor))
    if isinstance(valor, float):
        return formato.numero(valor, 2)
    if isinstance(valor, pd.Timestamp | datetime):
        return f"{valor:%d-%m-%Y %H:%M}" if (valor.hour or valor.minute) else f"{valor:%d-%m-%Y}"
    if isinstance(valor, date):
        return formato.fecha(valor)
    return str(valor)


def tabla_html(tabla) -> str:
    if not isinstance(tabla, pd.DataFrame):
        tabla = pd.DataFrame(tabla)
    encabezado = "".join(f"<th>{escape(str(c))}</th>" for c in tabla.columns)
    filas = "".join(
        "<tr>" + "".join(f"<td>{escape(_celda(v))}</td>" for v in fila) + "</tr>"
        for fila in tabla.head(MAXIMO_FILAS).itertuples(index=False)
    )
    resto = ""
    if len(tabla) > MAXIMO_FILAS:
        resto = (
            f'<p class="nota">Primeras {formato.numero(MAXIMO_FILAS)} de '
            f"{formato.numero(len(tabla))} filas; la tabla completa se descarga en CSV o Excel "
            "desde el tablero.</p>"
        )
    return (
        f'<table class="tabla"><thead><tr>{encabezado}</tr></thead><tbody>{filas}</tbody></table>'
        + resto
    )


def _metrica(e: Elemento) -> str:
    delta = e.detalle.get("delta")
    ayuda = e.detalle.get("ayuda")
    return (
        f'<div class="metrica"><div class="etiqueta">{escape(str(e.contenido))}</div>'
        f'<div class="valor">{escape(str(e.detalle.get("valor")))}</div>'
        + (f'<div class="delta">{escape(str(delta))}</div>' if delta else "")
        + (f'<div class="nota">{escape(str(ayuda))}</div>' if ayuda else "")
        + "</div>"
    )


def elemento_html(e: Elemento, numero: int) -> str:
    """Un elemento de la vista en HTML; `numero` distingue los gráficos."""
    if e.tipo == "titulo":
        return ""  # el título de la página va en la portada
    if e.tipo == "subtitulo":
        return f"<h2>{escape(str(e.contenido))}</h2>"
    if e.tipo == "texto":
        contenido = str(e.contenido)
        return (
            contenido
            if e.detalle.get("html")
            else f'<div class="frase">{_markdown(contenido)}</div>'
        )
    if e.tipo == "nota":
        return f'<div class="nota">{_markdown(str(e.contenido))}</div>'
    if e.tipo == "aviso":
        nivel = e.detalle.get("nivel", "info")
        return f'<div class="aviso {nivel}">{_markdown(str(e.contenido))}</div>'
    if e.tipo == "tabla":
        return tabla_html(e.contenido)
    if e.tipo == "grafico":
        # Márgenes automáticos: fuera del tema de Streamlit, los nombres largos del eje se cortan.
        figura = go.Figure(e.contenido).update_xaxes(automargin=True).update_yaxes(automargin=True)
        div = pio.to_html(
            figura,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"grafico-{numero}",
            config={"displayModeBar": False, "responsive": True},
            default_width="100%",
            default_height="420px",
        )
        return f'<div class="grafico">{div}</div>'
    if e.tipo == "mapa":
        return f'<figure class="mapa">{mapa_svg.svg(e.contenido)}</figure>'
    return ""


def _cuerpo(vista: Vista) -> str:
    partes, metricas = [], []
    for k, e in enumerate(vista.elementos):
        if e.tipo == "metrica":
            metricas.append(_metrica(e))
            continue
        if metricas:
            partes.append(f'<div class="metricas">{"".join(metricas)}</div>')
            metricas = []
        partes.append(elemento_html(e, k))
    if metricas:
        partes.append(f'<div class="metricas">{"".join(metricas)}</div>')
    return "\n".join(partes)


def privacidad(vista: Vista, portada: Portada) -> str:
    """La frase de la primera página sobre ubicaciones y conteos pequeños."""
    if portada.publico:
        return (
            '<p class="privacidad publica"><b>Versión para compartir.</b> Hecho con la regla de '
            "privacidad del rol público: sin ubicaciones de casos individuales (solo celdas H3 o "
            "barrios) y con los conteos bajo 5 mostrados «&lt;5».</p>"
        )
    if lleva_puntos(vista):
        return (
            f'<p class="privacidad"><b>Contiene ubicaciones de casos individuales</b> (rol '
            f"{escape(portada.rol)}). No lo comparta fuera del Observatorio: use la versión para "
            "compartir («Versión para compartir» en el tablero u <code>observatorio informe "
            "--publico</code>), que no lleva puntos y muestra «&lt;5» los conteos bajo 5.</p>"
        )
    return (
        f'<p class="privacidad"><b>No contiene ubicaciones de casos individuales</b> (hecho con '
        f"el rol {escape(portada.rol)}). Puede mostrar conteos bajo 5: para entregarlo fuera del "
        "Observatorio use la versión para compartir («Versión para compartir» en el tablero u "
        "<code>observatorio informe --publico</code>).</p>"
    )


def html(vista: Vista, portada: Portada) -> str:
    """El informe autocontenido: plotly.js y el escudo van dentro; ninguna dirección externa."""
    escudo = base64.b64encode(ESCUDO.read_bytes()).decode()
    plotly_js = f"<script>{get_plotlyjs()}</script>" if vista.de("grafico") else ""
    generado = f"{portada.generado:%d-%m-%Y %H:%M}"
    titulo = escape(vista.encabezado)
    corte = formato.fecha(portada.corte)
    return f"""<!DOCTYPE html>
<html lang="es-CL">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{titulo} · Observatorio de Seguridad · {corte}</title>
<style>{ESTILO}</style>
{plotly_js}
</head>
<body>
<header class="membrete">
<img src="data:image/png;base64,{escudo}" alt="Escudo de Las Condes">
<div class="institucion"><b>Municipalidad de Las Condes</b><br>Dirección de Seguridad Pública ·
Observatorio de Seguridad</div>
</header>
<section class="portada">
<h1>{escape(vista.encabezado)}</h1>
<p class="filtros"><b>Filtros:</b> {escape(portada.filtros)}</p>
<p class="corte"><b>Datos al {formato.fecha(portada.corte)}</b></p>
{privacidad(vista, portada)}
{DEMOSTRACION if portada.demostracion else ""}
<p class="nota">Generado el {generado} · <a href="{escape(portada.enlace)}">Abrir esta vista en el
tablero</a> ({escape(portada.enlace)})</p>
</section>
<main>
{_cuerpo(vista)}
</main>
<section class="metodos">
<h2>Notas de método</h2>
<ul>{"".join(f"<li>{m}</li>" for m in METODOS)}</ul>
</section>
<footer>Observatorio de Seguridad · Municipalidad de Las Condes · {titulo} · datos al {corte} ·
generado el {generado}</footer>
</body>
</html>
"""


def _imprimir(documento: str) -> bytes:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as carpeta, sync_playwright() as p:
        # Desde un archivo: Chromium lo carga bastante más rápido que con set_content.
        archivo = Path(carpeta) / "informe.html"
        archivo.write_text(documento, encoding="utf-8")
        navegador = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            pagina = navegador.new_page(viewport={"width": 794, "height": 1123})
            # Nada sale del servidor: toda petición que no sea el propio archivo se corta.
            pagina.route(
                "**/*",
                lambda ruta: (
                    ruta.continue_()
                    if ruta.request.url.startswith(("file:", "data:", "about:"))
                    else ruta.abort()
                ),
            )
            pagina.goto(archivo.as_uri(), wait_until="load")
            graficos = documento.count('class="grafico"')
            pagina.wait_for_function(
                f"document.querySelectorAll('.grafico .main-svg').length >= {graficos}",
                timeout=60_000,
            )
            pagina.emulate_media(media="print")
            return pagina.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center;color:#5b6572">'
                    'Página <span class="pageNumber"></span> de <span class="totalPages"></span>'
                    "</div>"
                ),
                margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            navegador.close()


def pdf(documento: str) -> bytes:
    """El PDF del HTML, impreso por Chromium en A4. En un hilo propio: la API síncrona de
    playwright no puede correr donde ya hay un bucle asyncio."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as hilo:
        return hilo.submit(_imprimir, documento).result()
