import duckdb
import pytest

from tests import fixtures


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    """La base hecha a mano (solo lectura) y sus incidentes, para comparar consultas con pandas."""
    incidentes = fixtures.incidentes_fixture()
    ruta = tmp_path_factory.mktemp("base") / "fixture.duckdb"
    fixtures.construir(ruta, incidentes)
    con = duckdb.connect(str(ruta), read_only=True)
    yield con, incidentes
    con.close()
