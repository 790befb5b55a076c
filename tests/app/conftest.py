import pytest

from tests import fixtures


@pytest.fixture(scope="session")
def incidentes():
    return fixtures.incidentes_fixture()


@pytest.fixture(scope="session")
def ruta_fixture(tmp_path_factory, incidentes):
    ruta = tmp_path_factory.mktemp("app") / "fixture.duckdb"
    fixtures.construir(ruta, incidentes)
    return ruta


@pytest.fixture
def base(ruta_fixture, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_DB", str(ruta_fixture))
    return ruta_fixture


@pytest.fixture(scope="session")
def ruta_encuesta(tmp_path_factory, incidentes):
    ruta = tmp_path_factory.mktemp("app") / "encuesta.duckdb"
    fixtures.construir(ruta, incidentes)
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    return ruta


@pytest.fixture
def base_encuesta(ruta_encuesta, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_DB", str(ruta_encuesta))
    return ruta_encuesta


@pytest.fixture
def demo(demo_pequena, monkeypatch):
    """La demostración pequeña, como analista (el uso local)."""
    monkeypatch.setenv("OBSERVATORIO_DB", str(demo_pequena))
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    return demo_pequena
