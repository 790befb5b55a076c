"""Argumentos hostiles en la línea de comandos: una línea en castellano y código de salida, sin
traza, sin caracteres de control devueltos y sin tocar la base."""

import hashlib
import unicodedata

import pytest

import observatorio
from tests import fixtures

HOSTILES = {
    "sql": (["resumen", "--barrio", "norte'; DROP TABLE incidentes; --"], "barrio desconocido"),
    "diez_mil": (
        ["resumen", *[a for k in range(10_000) for a in ("--barrio", f"b{k}")]],
        "se aceptan a lo más 200",
    ),
    "control": (["resumen", "--familia", "vif\x00\x1b[31m\u202e"], "familia desconocida"),
    "tipo": (["hotspots", "--resolucion", "nueve"], "valor inválido 'nueve'"),
    "rango": (["evolucion", "--periodos", "100000"], "debe estar entre 3 y 60"),
    "periodo": (["resumen", "--periodo", "'; SELECT 1"], "valor desconocido"),
    "fechas_lejanas": (
        ["resumen", "--periodo", "personalizado", "--desde", "0001-01-01", "--hasta", "9999-12-31"],
        "se ajustó a las fechas con datos",
    ),
    "fecha_invalida": (["resumen", "--hasta", "2025-13-45"], "fecha inválida «2025-13-45»"),
    "tabla": (["incidentes"], "valor desconocido 'incidentes'"),
    "opcion": (["resumen", "--rol", "analista"], "opciones desconocidas: --rol"),
}


@pytest.fixture(scope="module")
def ruta_fixture(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("hostil") / "fixture.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture())
    return ruta


def _huella(ruta) -> str:
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


@pytest.mark.parametrize("caso", list(HOSTILES))
def test_argumentos_hostiles(capsys, ruta_fixture, caso):
    argumentos, mensaje = HOSTILES[caso]
    antes = _huella(ruta_fixture)
    try:
        codigo = observatorio.main(["exportar", *argumentos, "--db", str(ruta_fixture)])
    except SystemExit as salida:  # argparse termina así ante un argumento inválido
        codigo = salida.code
    salida = capsys.readouterr()
    assert codigo == 2 and not salida.out
    assert mensaje in salida.err, salida.err
    assert "Traceback" not in salida.err and "error:" not in salida.err
    ultima = salida.err.strip().splitlines()[-1]
    assert ultima.startswith("observatorio") and len(ultima) < 700
    controles = [c for c in salida.err if unicodedata.category(c) in {"Cc", "Cf"} and c != "\n"]
    assert not controles, controles
    assert _huella(ruta_fixture) == antes, "la base no cambia"
