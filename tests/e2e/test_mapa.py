import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAPA = '[data-testid="stDeckGlJsonChart"]'


def esperar(pagina: Page) -> None:
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    expect(pagina.locator(".leyenda-mapa").first).to_be_visible()


def test_cambiar_de_capa_cambia_mapa_y_leyenda(pagina: Page, servidor, externos):
    pagina.goto(f"{servidor}/mapa?periodo=aad")
    esperar(pagina)
    expect(pagina.get_by_role("heading", name="Mapa", exact=True)).to_be_visible()
    mapa = pagina.locator(MAPA).first
    expect(mapa.locator("canvas").first).to_be_visible()
    leyenda = pagina.locator(".leyenda-mapa").first
    expect(leyenda).to_contain_text("Casos por celda")
    pagina.wait_for_timeout(1500)  # deck.gl dibuja después de montar
    antes = mapa.screenshot()

    pagina.locator('[data-testid="stRadio"]').get_by_text("Puntos calientes (Gi*)").click()
    esperar(pagina)
    expect(leyenda).to_contain_text("Gi* (p ajustado por FDR)")
    expect(leyenda).to_contain_text("caliente 99 %")
    expect(pagina).to_have_url(re.compile(r"capa=calientes"))
    pagina.wait_for_timeout(1500)
    despues = mapa.screenshot()
    assert antes != despues, "el mapa no cambió al cambiar de capa"
    expect(pagina.get_by_text(re.compile(r"celdas son punto caliente al 99 %"))).to_be_visible()
    caja = mapa.bounding_box()  # un clic en una celda ofrece la ficha de su barrio
    ficha = pagina.get_by_role("link", name=re.compile("Abrir la ficha de"))
    for _ in range(3):  # como una persona: si el mapa aún no respondía al clic, otro clic
        pagina.mouse.click(caja["x"] + 0.45 * caja["width"], caja["y"] + 0.45 * caja["height"])
        pagina.locator(APP_QUIETA).wait_for()
        try:
            ficha.wait_for(timeout=10_000)
            break
        except Exception:
            pagina.wait_for_timeout(1000)
    expect(ficha).to_be_visible()
    assert pagina.locator('[data-testid="stException"]').count() == 0
    assert externos == [], f"la página pidió recursos externos: {externos[:5]}"
