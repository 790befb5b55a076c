from datetime import date, timedelta
from urllib.parse import parse_qs

import duckdb
import pytest

from bench.carga import servir


@pytest.fixture(scope="module")
def servidor(demo_pequena):
    """El tablero (servir.py) sobre la demostración pequeña (no se modifica)."""
    with servir(demo_pequena) as url:
        yield url


def casos_del_control(ruta, filtro: str) -> str:
    """«Casos en el período» del filtro de control (año a la fecha de un sector, casos
    policiales), contado aparte en SQL y escrito como lo muestra la página."""
    sector = parse_qs(filtro)["sector"][0]
    with duckdb.connect(str(ruta), read_only=True) as con:
        (corte,) = con.execute(
            "SELECT valor FROM metadatos WHERE clave = 'fecha_corte_policial'"
        ).fetchone()
        corte = date.fromisoformat(corte)
        (n,) = con.execute(
            "SELECT count(*) FROM incidentes JOIN barrios USING (barrio_id) "
            "WHERE fuente = 'policial' AND sector_id = ? AND fecha_hora >= ? AND fecha_hora < ?",
            [sector, date(corte.year, 1, 1), corte + timedelta(days=1)],
        ).fetchone()
    return f"{n:,}".replace(",", ".")
