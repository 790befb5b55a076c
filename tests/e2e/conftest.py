"""Pruebas en Chromium real contra el tablero servido como en `make run` (servir.py), como las
del repositorio de Streamlit."""

import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect, sync_playwright

from bench.comun import esperar_salud, lanzar, puerto_libre
from datos import demo

CHROMIUM = "/usr/bin/chromium"
expect.set_options(timeout=20_000)  # la primera consulta de una sesión puede tardar más de 5 s
ARGUMENTOS_CHROMIUM = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",  # WebGL por software para los mapas pydeck
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def base_demo(tmp_path_factory) -> Path:
    ruta = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    demo.generar(ruta, incidentes=60_000)
    return ruta


@contextmanager
def servir(base: Path):
    """El tablero (servir.py) sobre `base` en un puerto libre; entrega la URL."""
    puerto = puerto_libre()
    url = f"http://127.0.0.1:{puerto}"
    proceso = lanzar(base, puerto)
    try:
        esperar_salud(url, proceso, limite=60)
        yield url
    finally:
        proceso.terminate()
        proceso.wait(timeout=20)


@pytest.fixture(scope="session")
def servidor(base_demo):
    with servir(base_demo) as url:
        yield url


@pytest.fixture(scope="module")
def copia_servida(base_demo, tmp_path_factory):
    """Una copia propia de la demostración con su propio servidor, para un módulo cuyas pruebas
    importan: el servidor de las otras pruebas no debe verlo. Entrega (url, ruta de la copia)."""
    ruta = tmp_path_factory.mktemp("e2e_copia") / "demo.duckdb"
    shutil.copy(base_demo, ruta)
    with servir(ruta) as url:
        yield url, ruta


@pytest.fixture(scope="session")
def navegador():
    if not Path(CHROMIUM).exists():
        pytest.fail("Falta Chromium (/usr/bin/chromium): instálelo con apt-get install chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTOS_CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def pagina(navegador):
    contexto = navegador.new_context(viewport={"width": 1400, "height": 1000}, locale="es-CL")
    pagina = contexto.new_page()
    pagina.set_default_timeout(30_000)
    yield pagina
    contexto.close()


@pytest.fixture
def externos(pagina) -> list[str]:
    """Las direcciones que la página pidió fuera de este servidor (debe quedar vacía)."""
    pedidos: list[str] = []

    def anotar(pedido) -> None:
        local = urlparse(pedido.url).hostname in {"127.0.0.1", "localhost"}
        if not local and not pedido.url.startswith(("data:", "blob:")):
            pedidos.append(pedido.url)

    pagina.on("request", anotar)
    return pedidos
