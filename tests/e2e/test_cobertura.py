import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ayudas import APP_QUIETA, esperar

pytestmark = pytest.mark.e2e


def test_abrir_la_ficha_de_un_barrio_desde_cobertura(pagina: Page, servidor):
    pagina.goto(f"{servidor}/cobertura?periodo=aad&sector=apoquindo")
    esperar(pagina, "Cobertura del programa")
    expect(
        pagina.get_by_text(re.compile(r"barrios tuvieron actividades del programa"))
    ).to_be_visible()
    assert pagina.locator('[data-testid="stException"]').count() == 0

    pagina.get_by_role("combobox", name="Ficha de un barrio", exact=True).click()
    pagina.get_by_role("option", name="Parque Arauco", exact=True).click()
    pagina.locator(APP_QUIETA).wait_for()
    boton = pagina.get_by_role("link", name="Abrir la ficha de Parque Arauco")
    expect(boton).to_be_visible()
    with pagina.context.expect_page() as nueva:
        boton.click()
    ficha = nueva.value
    ficha.wait_for_load_state()
    esperar(ficha, "Ficha de barrio: Parque Arauco")
    expect(ficha).to_have_url(re.compile(r"/barrio\?.*barrio=parque-arauco"))
    expect(ficha.get_by_text(re.compile(r"Parque Arauco tuvo [\d.]+ casos"))).to_be_visible()
    expect(ficha.get_by_text("Evaluación de sus intervenciones (WDD)")).to_be_visible()
    # El período de la página de origen viaja en el enlace.
    expect(ficha.get_by_text(re.compile(r"01-01-2026 a 31-10-2026")).first).to_be_visible()
    assert ficha.locator('[data-testid="stException"]').count() == 0
    ficha.screenshot(path="/tmp/observatorio-ficha.png", full_page=True)
    pagina.screenshot(path="/tmp/observatorio-cobertura.png", full_page=True)
