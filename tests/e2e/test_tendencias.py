import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PUNTOS = '[data-testid="stPlotlyChart"] .scatterlayer path.point'


def esperar(pagina: Page) -> None:
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    expect(pagina.get_by_role("heading", name="Serie en el tiempo")).to_be_visible()


def puntos_de_la_serie(pagina: Page) -> int:
    serie = pagina.locator('[data-testid="stPlotlyChart"]').first
    expect(serie.locator(".scatterlayer")).to_be_visible()
    return serie.locator(".scatterlayer path.point").count()


def test_cambiar_la_escala_cambia_el_grafico(pagina: Page, servidor):
    pagina.goto(f"{servidor}/tendencias?periodo=aad")
    esperar(pagina)
    expect(pagina.get_by_role("heading", name="Tendencias")).to_be_visible()
    expect(pagina.get_by_text(re.compile(r"^En las últimas 4 semanas"))).to_be_visible()
    semanas = puntos_de_la_serie(pagina)

    pagina.get_by_text("Día", exact=True).click()
    esperar(pagina)
    expect(pagina.get_by_text(re.compile(r"^En los últimos 7 días"))).to_be_visible()
    # Del 1 de enero al 31 de octubre: 43 semanas completas y 304 días, un punto por unidad.
    expect(pagina.get_by_text(re.compile(r"De \d+ días con banda"))).to_be_visible()
    dias = puntos_de_la_serie(pagina)
    assert dias - semanas >= 250, (semanas, dias)

    pagina.get_by_text("Mes", exact=True).click()
    esperar(pagina)
    expect(pagina.get_by_text(re.compile(r"^En los últimos 3 meses"))).to_be_visible()
    assert puntos_de_la_serie(pagina) < semanas
    assert pagina.locator('[data-testid="stException"]').count() == 0
    pagina.screenshot(path="/tmp/observatorio-tendencias.png", full_page=True)
