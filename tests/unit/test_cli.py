import io
from datetime import date

import duckdb
import pandas as pd
import pytest

import observatorio
from consultas import resumen
from consultas.filtros import Filtros
from consultas.periodos import rango
from tests import fixtures


@pytest.fixture(scope="module")
def ruta(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("cli") / "fixture.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture())
    return ruta


def exportar(capsys, *argumentos) -> tuple[int, str, str]:
    codigo = observatorio.main(["exportar", "resumen", *argumentos])
    salida = capsys.readouterr()
    return codigo, salida.out, salida.err


def test_exportar_resumen_es_la_tabla_de_la_pagina(capsys, ruta):
    codigo, out, _ = exportar(
        capsys, "--db", str(ruta), "--hasta", "2025-05-31", "--sector", "alto", "--formato", "csv"
    )
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(out))
    for columna in ["unidad", "familia", "periodo", "actual", "anterior", "variacion_pct"]:
        assert columna in csv.columns
    assert {"z_poisson", "clasificacion"} <= set(csv.columns)
    ventana = rango("28d", date(2025, 5, 31))
    filtros = Filtros(ventana.desde, ventana.hasta, preset="personalizado", sectores=("alto",))
    con = duckdb.connect(str(ruta), read_only=True)
    esperado = resumen.tabla_comparacion(con, filtros, "Sectores Alto")
    con.close()
    assert csv["unidad"].eq("Sectores Alto").all()
    assert csv["actual"].tolist() == esperado["actual"].tolist()
    assert csv["anterior"].tolist() == esperado["anterior"].tolist()
    assert csv["clasificacion"].tolist() == esperado["clasificacion"].tolist()
    assert csv["hasta"].iloc[0] == "2025-05-31"


def test_exportar_sin_hasta_usa_el_corte(capsys, ruta):
    codigo, out, _ = exportar(capsys, "--db", str(ruta), "--periodo", "aad")
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(out))
    seleccion = csv[csv["periodo"] == "Período seleccionado"]
    assert (seleccion["desde"].iloc[0], seleccion["hasta"].iloc[0]) == ("2025-01-01", "2025-06-30")


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (["--sector", "atlantida"], "sector desconocido «atlantida»"),
        (["--fuente", "x'; DROP TABLE incidentes"], "fuente desconocida"),
        (["--periodo", "personalizado", "--desde", "2025-01-01"], "necesita --desde y --hasta"),
    ],
)
def test_exportar_con_errores_explica_en_una_linea(capsys, ruta, argumentos, mensaje):
    codigo, out, err = exportar(capsys, "--db", str(ruta), *argumentos)
    assert codigo == 2
    assert out == ""
    assert mensaje in err and err.count("\n") == 1


def test_exportar_sin_base(capsys, tmp_path):
    codigo, _, err = exportar(capsys, "--db", str(tmp_path / "nada.duckdb"))
    assert codigo == 2
    assert "No existe la base de datos" in err
