"""Lo que comparten las pruebas de páginas en AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")
# Un proveedor OIDC que nunca se contacta: basta para que la app ofrezca el ingreso con st.login.
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "observatorio",
    "client_secret": "secreto",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def abrir(pagina: str, usuario: dict | None = None, limite: float = 90, **params) -> AppTest:
    """La app con esos parámetros de URL, en la página `pagina` (p. ej. "paginas/mapa.py");
    con `usuario`, como quien ingresó por el proveedor de identidad (`st.user`)."""
    at = AppTest.from_file(APP, default_timeout=limite)
    if usuario is not None:
        at.secrets["auth"] = AUTH
        at.user = usuario
    for clave, valor in params.items():
        at.query_params[clave] = valor
    at.switch_page(pagina)
    return at.run()


def textos(at: AppTest) -> str:
    """Todo el texto visible de la página, para buscar frases y avisos."""
    elementos = [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
    return " ".join(str(e.value) for e in elementos)
