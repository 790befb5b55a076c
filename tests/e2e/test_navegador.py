import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def esperar(pagina: Page) -> None:
    """Espera a que el guion termine y a que la página muestre su resultado."""
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    expect(pagina.get_by_text("Casos en el período")).to_be_visible()


def elegir(pagina: Page, etiqueta: str, opcion: str) -> None:
    """Abre una lista desplegable por su etiqueta y elige una opción, como lo haría una persona."""
    pagina.get_by_role("combobox", name=etiqueta, exact=True).click()
    pagina.get_by_role("option", name=opcion, exact=True).click()
    pagina.keyboard.press("Escape")
    esperar(pagina)


def test_filtro_en_la_url_sobrevive_a_recargar(pagina: Page, servidor, externos):
    pagina.goto(servidor)
    esperar(pagina)
    expect(pagina.get_by_role("heading", name="Resumen")).to_be_visible()
    expect(pagina.get_by_text(re.compile(r"Datos al 31-10-2026")).first).to_be_visible()

    elegir(pagina, "Período", "Últimos 7 días")
    elegir(pagina, "Sectores", "Fleming")
    expect(pagina).to_have_url(re.compile(r"periodo=7d"))
    expect(pagina).to_have_url(re.compile(r"sector=fleming"))
    expect(pagina.get_by_text(re.compile(r"Sectores Fleming")).first).to_be_visible()
    casos = pagina.locator('[data-testid="stMetricValue"]').first.inner_text()

    enlace = pagina.url
    pagina.goto("about:blank")
    pagina.goto(enlace)
    esperar(pagina)
    expect(pagina.get_by_role("combobox", name="Período", exact=True)).to_have_value(
        "Últimos 7 días"
    )
    sectores = pagina.locator('[data-testid="stMultiSelect"]').filter(has_text="Sectores")
    expect(sectores).to_contain_text("Fleming")
    expect(pagina.locator('[data-testid="stMetricValue"]').first).to_have_text(casos)
    pagina.screenshot(path="/tmp/observatorio-resumen.png", full_page=True)
    assert externos == [], f"la página pidió recursos externos: {externos[:5]}"


def test_url_hostil_muestra_aviso_y_no_traza(pagina: Page, servidor):
    pagina.goto(
        f"{servidor}/?barrio=%27%3B%20DROP%20TABLE%20incidentes&periodo=xx&desde=2020-99-01"
    )
    esperar(pagina)
    expect(pagina.get_by_text(re.compile("Se ignoró el barrio desconocido"))).to_be_visible()
    expect(pagina.get_by_text(re.compile("Se ignoró el período desconocido"))).to_be_visible()
    assert pagina.locator('[data-testid="stException"]').count() == 0
    expect(pagina).not_to_have_url(re.compile("DROP"))
