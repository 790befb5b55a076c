import os
import shutil

import pytest
from hypothesis import settings

import ui  # noqa: F401  las pruebas guardan el texto de pandas como la app (ui/__init__.py)
from datos import demo

# En CI los ejemplos de hypothesis son fijos: una falla se reproduce igual en cada ejecución.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def demo_pequena(tmp_path_factory):
    """Una demostración de 20.000 incidentes, generada una vez por sesión; no se modifica."""
    ruta = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.generar(ruta, incidentes=20_000)
    return ruta


@pytest.fixture
def copia_demo(demo_pequena, tmp_path):
    """Una copia por prueba, para las que importan (importar reemplaza el archivo)."""
    ruta = tmp_path / "base.duckdb"
    shutil.copy(demo_pequena, ruta)
    return ruta
