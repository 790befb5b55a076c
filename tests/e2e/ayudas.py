"""Lo que comparten las pruebas en Chromium."""

from playwright.sync_api import Page, expect

APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def esperar(pagina: Page, titulo: str) -> None:
    """Espera a que el guion termine y a que se vea el título de la página."""
    pagina.wait_for_timeout(300)
    pagina.locator(APP_QUIETA).wait_for()
    expect(pagina.get_by_role("heading", name=titulo, exact=True)).to_be_visible()
