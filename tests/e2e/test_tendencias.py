import re
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def esperar(pagina: Page) -> None:
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    expect(pagina.get_by_role("heading", name="Serie en el tiempo")).to_be_visible()


def puntos_de_la_serie(pagina: Page, antes: int = -1) -> int:
    """Marcadores dibujados en la serie, cuando difieren de `antes` y dejan de cambiar (Plotly
    dibuja después de que el guion termina)."""
    puntos = pagina.locator('[data-testid="stPlotlyChart"]').first.locator(
        ".scatterlayer path.point"
    )
    fin = time.monotonic() + 20
    ultimo = -2
    while time.monotonic() < fin:
        n = puntos.count()
        if n == ultimo and n not in (0, antes):
            return n
        ultimo = n
        pagina.wait_for_timeout(500)
    return puntos.count()


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
    dias = puntos_de_la_serie(pagina, semanas)
    assert dias - semanas >= 250, (semanas, dias)

    pagina.get_by_text("Mes", exact=True).click()
    esperar(pagina)
    expect(pagina.get_by_text(re.compile(r"^En los últimos 3 meses"))).to_be_visible()
    assert puntos_de_la_serie(pagina, dias) < semanas
    assert pagina.locator('[data-testid="stException"]').count() == 0
    pagina.screenshot(path="/tmp/observatorio-tendencias.png", full_page=True)
