"""Lo que comparten las pruebas de páginas en AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")


def abrir(pagina: str, **params) -> AppTest:
    """La app con esos parámetros de URL, en la página `pagina` (p. ej. "paginas/mapa.py")."""
    at = AppTest.from_file(APP, default_timeout=90)
    for clave, valor in params.items():
        at.query_params[clave] = valor
    at.switch_page(pagina)
    return at.run()


def textos(at: AppTest) -> str:
    """Todo el texto visible de la página, para buscar frases y avisos."""
    elementos = [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
    return " ".join(str(e.value) for e in elementos)
