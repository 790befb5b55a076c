"""«Descargar informe» como lo usa una persona: clic, avance, PDF y HTML que se abre sin red."""

import re
from urllib.parse import parse_qs, urlparse

import pypdf
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ayudas import APP_QUIETA, esperar

pytestmark = pytest.mark.e2e


def test_descargar_informe_pdf_y_html_sin_red(pagina: Page, servidor, navegador, tmp_path):
    pagina.set_default_timeout(120_000)  # el informe carga la página, arma el HTML e imprime
    pagina.goto(f"{servidor}/?periodo=7d")
    esperar(pagina, "Resumen")
    barra = pagina.get_by_test_id("stSidebar")
    barra.get_by_role("button", name="Descargar informe").click()
    expect(barra.get_by_text("Informe listo")).to_be_visible(timeout=120_000)

    with pagina.expect_download() as descarga:
        barra.get_by_role("button", name="Descargar PDF").click()
    pdf = tmp_path / descarga.value.suggested_filename
    descarga.value.save_as(pdf)
    assert pdf.name == "informe_resumen_2026-10-31.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    texto = re.sub(r"\s+", "", " ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages))
    for frase in ["Resumen", "Período:25-10-2026a31-10-2026", "Datosal31-10-2026"]:
        assert frase in texto
    assert "Familiasdedelito" in texto and "Notasdemétodo" in texto

    with pagina.expect_download() as descarga:
        barra.get_by_role("button", name="Descargar HTML").click()
    html = tmp_path / descarga.value.suggested_filename
    descarga.value.save_as(html)

    # El HTML, abierto como archivo sin red: cada pedido que no sea el propio archivo se anota.
    contexto = navegador.new_context(offline=True)
    externos: list[str] = []

    def anotar(ruta) -> None:
        url = ruta.request.url
        if url.startswith(("file:", "data:", "about:")):
            ruta.continue_()
        else:
            externos.append(url)
            ruta.abort()

    contexto.route("**/*", anotar)
    sin_red = contexto.new_page()
    try:
        sin_red.goto(html.as_uri())
        graficos = sin_red.locator(".grafico")
        expect(graficos.first.locator(".main-svg").first).to_be_attached(timeout=30_000)
        assert graficos.count() >= 1
        assert sin_red.locator(".grafico .js-plotly-plot").count() == graficos.count()
        assert sin_red.locator("figure.mapa svg path").count() > 40  # los barrios del mapa
        expect(sin_red.get_by_role("heading", name="Resumen", exact=True)).to_be_visible()
        enlace = sin_red.get_by_role("link", name="Abrir esta vista en el tablero")
        # El enlace reabre la vista fijada en la versión de los datos que se vio.
        assert parse_qs(urlparse(enlace.get_attribute("href")).query) == {
            "periodo": ["7d"],
            "version": ["1"],
        }
    finally:
        contexto.close()
    assert externos == []


def test_presentacion_se_avanza_con_las_flechas(pagina: Page, servidor):
    pagina.set_default_timeout(90_000)
    pagina.goto(f"{servidor}/?presentar=1")
    esperar(pagina, "Resumen")
    expect(pagina.get_by_test_id("stSidebar")).to_be_hidden()
    contador = pagina.get_by_text(re.compile(r"^1 / \d+$"))
    expect(contador).to_be_visible()
    total = int(contador.inner_text().split("/")[1])
    expect(pagina.get_by_role("button", name=re.compile("Siguiente"))).to_be_visible()
    segunda = pagina.get_by_role("heading", name="Comparación de períodos", exact=True)
    for _ in range(3):  # como una persona: si la página aún no atendía la tecla, otra vez
        pagina.get_by_role("heading", name="Resumen", exact=True).click()  # el foco en la página
        pagina.keyboard.press("ArrowRight")
        pagina.locator(APP_QUIETA).wait_for()
        try:
            segunda.wait_for(timeout=10_000)
            break
        except Exception:
            pass
    esperar(pagina, "Comparación de períodos")
    expect(pagina.get_by_text(f"2 / {total}", exact=True)).to_be_visible()
    expect(pagina.get_by_test_id("stDataFrame")).to_have_count(1)
    pagina.keyboard.press("ArrowRight")
    esperar(pagina, "Familias de delito")
    expect(pagina.locator(".js-plotly-plot")).to_have_count(1)
    pagina.keyboard.press("ArrowLeft")
    esperar(pagina, "Comparación de períodos")
    pagina.get_by_role("button", name="Salir de la presentación").click()
    esperar(pagina, "Resumen")
    expect(pagina.get_by_test_id("stSidebar")).to_be_visible()
    assert "presentar" not in pagina.url
