import io
from datetime import date

import duckdb
import pandas as pd
import pytest

import observatorio
from consultas import resumen, tendencias
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


def test_exportar_tendencias_es_la_serie_de_la_pagina(capsys, ruta):
    codigo = observatorio.main(
        ["exportar", "tendencias", "--db", str(ruta), "--periodo", "aad", "--escala", "mes"]
    )
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert codigo == 0
    columnas = ["fecha", "casos", "esperado", "limite_inferior", "limite_superior", "fuera"]
    assert set(columnas) <= set(csv.columns)
    assert csv["fecha"].tolist() == [f"2025-0{m}-01" for m in range(1, 7)]
    con = duckdb.connect(str(ruta), read_only=True)
    filtros = Filtros(date(2025, 1, 1), date(2025, 6, 30), preset="aad")
    historia = tendencias.casos_diarios(con, filtros, "total")
    serie = tendencias.serie(
        historia, filtros.ventana, "mes", tendencias.primer_dia(con, "policial")
    )
    con.close()
    assert csv["casos"].tolist() == serie["casos"].tolist()
    assert csv["limite_superior"].tolist() == serie["limite_superior"].tolist()
    assert csv["fuera"].tolist() == serie["fuera"].tolist()


def test_exportar_tendencias_con_periodo_corto_explica(capsys, ruta):
    codigo = observatorio.main(
        ["exportar", "tendencias", "--db", str(ruta), "--periodo", "7d", "--escala", "mes"]
    )
    salida = capsys.readouterr()
    assert codigo == 2 and salida.out == ""
    assert "no contiene una unidad completa" in salida.err


def test_exportar_comparacion_por_sector(capsys, ruta):
    argumentos = ["exportar", "comparacion", "--db", str(ruta), "--hasta", "2025-05-31"]
    codigo = observatorio.main([*argumentos, "--por", "sector", "--formato", "csv"])
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert codigo == 0
    columnas = [
        "unidad",
        "actual",
        "anterior",
        "variacion_pct",
        "z_poisson",
        "clasificacion",
        "tasa",
    ]
    columnas += ["limite_95_inf", "limite_95_sup", "limite_998_inf", "limite_998_sup"]
    assert set(columnas) <= set(csv.columns)
    assert csv["unidad"].tolist() == ["Alto", "Bajo"]
    ventana = rango("28d", date(2025, 5, 31))
    incidentes = fixtures.incidentes_fixture()
    alto = fixtures.contar(incidentes, ventana, "policial", ["norte", "sur"])
    assert csv["actual"].iloc[0] == alto
    assert csv["tasa"].iloc[0] == pytest.approx(1000 * alto / 3500)
