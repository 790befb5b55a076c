"""Lo que comparten las pruebas en Chromium."""

from playwright.sync_api import Page, expect

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def esperar(pagina: Page, titulo: str | None = None) -> None:
    """Espera a que el guion termine y, si se indica, a que se vea el título de la página."""
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    if titulo:
        expect(pagina.get_by_role("heading", name=titulo, exact=True)).to_be_visible()


def metrica(pagina: Page, etiqueta: str):
    """El valor de la métrica con esa etiqueta."""
    return (
        pagina.locator('[data-testid="stMetric"]')
        .filter(has=pagina.get_by_text(etiqueta, exact=True))
        .locator('[data-testid="stMetricValue"]')
    )
