import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ayudas import esperar

pytestmark = pytest.mark.e2e


def test_percepcion_muestra_barrios_no_fiables_y_conserva_los_filtros(pagina: Page, servidor):
    pagina.goto(f"{servidor}/percepcion?ola=2026-2&ola=2026-1&periodo=7d&sector=fleming")
    esperar(pagina, "Percepción y victimización")
    olas = pagina.locator('[data-testid="stMultiSelect"]').filter(has_text="Olas de la encuesta")
    expect(olas).to_contain_text("2026-2")
    expect(olas).to_contain_text("2026-1")
    expect(pagina.get_by_role("combobox", name="Período", exact=True)).to_have_count(0)
    expect(pagina.get_by_text("Cambio entre las olas 2026-1 y 2026-2")).to_be_visible()
    # En el gráfico por barrio, un barrio con muestra chica se ve como «no fiable» con su n.
    no_fiable = pagina.locator('[data-testid="stPlotlyChart"]').nth(1)
    no_fiable.scroll_into_view_if_needed()
    expect(no_fiable.get_by_text(re.compile(r"no fiable · n = \d+")).first).to_be_visible()
    assert pagina.locator('[data-testid="stException"]').count() == 0
    pagina.screenshot(path="/tmp/observatorio-percepcion.png", full_page=True)

    pagina.get_by_test_id("stSidebarNav").get_by_role("link", name="Resumen").click()
    esperar(pagina, "Resumen")
    expect(pagina.get_by_role("combobox", name="Período", exact=True)).to_have_value(
        "Últimos 7 días"
    )
    expect(pagina).to_have_url(re.compile(r"ola=2026-2"))
