import io
import subprocess
import sys
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

import observatorio
from consultas import cobertura, evaluacion, mapa, resumen, tendencias
from consultas.catalogos import catalogo
from consultas.filtros import Filtros, desde_url
from consultas.periodos import rango
from tests import fixtures


@pytest.fixture(scope="module")
def ruta(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("cli") / "fixture.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture())
    return ruta


def exportar(capsys, *argumentos, tabla: str = "resumen") -> tuple[int, str, str]:
    codigo = observatorio.main(["exportar", tabla, *argumentos])
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


def _csv(capsys, tabla: str, *argumentos) -> tuple[int, pd.DataFrame | None, str]:
    codigo, out, err = exportar(capsys, *argumentos, tabla=tabla)
    return codigo, pd.read_csv(io.StringIO(out)) if out else None, err


def test_exportar_hotspots_es_la_tabla_de_la_pagina(capsys, ruta):
    codigo, csv, _ = _csv(
        capsys, "hotspots", "--db", str(ruta), "--periodo", "aad", "--resolucion", "10"
    )
    assert codigo == 0
    assert list(csv.columns) == ["h3", "casos", "gi_z", "p_valor", "p_fdr", "clase"]
    filtros = Filtros(date(2025, 1, 1), fixtures.CORTE, preset="aad")
    con = duckdb.connect(str(ruta), read_only=True)
    esperado = mapa.puntos_calientes(con, filtros, 10)
    con.close()
    assert csv["h3"].tolist() == esperado["h3"].tolist()
    assert csv["casos"].tolist() == esperado["casos"].tolist()
    assert (csv["casos"] == 0).any(), "el universo incluye las celdas sin casos"
    assert csv["gi_z"].to_numpy() == pytest.approx(esperado["gi_z"].to_numpy())
    assert csv["h3"].str.match(r"^8a[0-9a-f]{13}$").all()


@pytest.fixture(scope="module")
def ruta_encuesta(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("cli") / "encuesta.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture(n=200))
    fixtures.agregar_encuesta(ruta, fixtures.encuesta_fixture())
    return ruta


def percepcion(capsys, *argumentos) -> tuple[int, str, str]:
    return exportar(capsys, *argumentos, tabla="percepcion")


def test_exportar_percepcion_es_la_tabla_de_la_pagina(capsys, ruta_encuesta):
    codigo, out, _ = percepcion(
        capsys, "--db", str(ruta_encuesta), "--ola", "2025-1", "--por", "sector", "--formato", "csv"
    )
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(out))
    assert list(csv.columns) == [
        "ola",
        "unidad",
        "indicador",
        "estimacion",
        "error_estandar",
        "ic_inferior",
        "ic_superior",
        "n",
        "gl",
        "calidad",
    ]
    assert set(csv["unidad"]) == {"Alto", "Bajo"} and set(csv["ola"]) == {"2025-1"}
    assert fixtures.INDICADOR_NUEVO in set(csv["indicador"])
    assert set(csv["calidad"]) <= {"fiable", "poco fiable", "no fiable"}
    encuesta = fixtures.encuesta_fixture()
    alto = encuesta[(encuesta["ola"] == "2025-1") & (encuesta["estrato"] == "alto")]
    fila = csv[(csv["unidad"] == "Alto") & (csv["indicador"] == "conoce_programa")].iloc[0]
    esperado = (alto["factor"] * alto["conoce_programa"]).sum() / alto["factor"].sum()
    assert fila["estimacion"] == pytest.approx(esperado, abs=1e-12)
    assert fila["n"] == len(alto) and fila["gl"] == 14 - 1


def test_exportar_percepcion_por_barrio_y_todas_las_olas(capsys, ruta_encuesta):
    codigo, out, _ = percepcion(capsys, "--db", str(ruta_encuesta), "--por", "barrio")
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(out))
    assert set(csv["ola"]) == set(fixtures.OLAS_FIXTURE)
    assert set(csv["unidad"]) == {"Norte", "Sur", "Oriente", "Poniente"}
    poniente = csv[csv["unidad"] == "Poniente"]
    assert (poniente["n"] == 0).all() and (poniente["calidad"] == "no fiable").all()
    codigo, out, _ = percepcion(
        capsys, "--db", str(ruta_encuesta), "--por", "barrio", "--sector", "bajo"
    )
    assert set(pd.read_csv(io.StringIO(out))["unidad"]) == {"Oriente", "Poniente"}


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (["hotspots", "--resolucion", "12"], "La resolución H3 12 no está disponible"),
        (["hotspots", "--resolucion", "8"], "menos de 30 celdas la prueba Gi* no es significativa"),
        (["evolucion", "--resolucion", "6"], "use un valor entre 7 y 11"),
    ],
)
def test_exportar_mapa_con_errores_explica_en_una_linea(capsys, ruta, argumentos, mensaje):
    codigo, csv, err = _csv(capsys, *argumentos, "--db", str(ruta))
    assert codigo == 2 and csv is None
    assert mensaje in err and err.count("\n") == 1


def test_exportar_evolucion_y_concentracion(capsys, ruta):
    codigo, evolucion, _ = _csv(
        capsys, "evolucion", "--db", str(ruta), "--resolucion", "10", "--periodos", "6"
    )
    assert codigo == 0
    assert list(evolucion.columns[:3]) == ["h3", "barrio", "categoria"]
    assert [c for c in evolucion.columns if c.startswith("z_p")] == [f"z_p{k}" for k in range(1, 7)]
    codigo, curva, _ = _csv(capsys, "concentracion", "--db", str(ruta), "--periodo", "aad")
    assert codigo == 0
    assert curva["casos"].is_monotonic_decreasing
    assert curva["parte_casos"].iloc[-1] == pytest.approx(1.0)
    filtros = Filtros(date(2025, 1, 1), fixtures.CORTE, preset="aad")
    con = duckdb.connect(str(ruta), read_only=True)
    total = mapa.casos_por_celda(con, filtros, 9)["actual"].sum()
    con.close()
    assert curva["casos"].sum() == total


def test_salida_cortada_termina_en_silencio(ruta):
    proceso = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "observatorio",
            "exportar",
            "hotspots",
            "--db",
            str(ruta),
            "--resolucion",
            "11",
            "--periodo",
            "aad",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proceso.stdout.readline().startswith(b"h3,casos")
    proceso.stdout.close()  # como `| head -1`
    _, err = proceso.communicate(timeout=60)
    assert proceso.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (["--ola", "2030-1"], "Ola desconocida «2030-1»"),
        (["--barrio", "atlantida"], "barrio desconocido «atlantida»"),
    ],
)
def test_exportar_percepcion_con_errores(capsys, ruta_encuesta, argumentos, mensaje):
    codigo, out, err = percepcion(capsys, "--db", str(ruta_encuesta), *argumentos)
    assert codigo == 2 and out == ""
    assert mensaje in err and err.count("\n") == 1


def test_exportar_percepcion_sin_encuestas(capsys, ruta):
    codigo, _, err = percepcion(capsys, "--db", str(ruta))
    assert codigo == 2
    assert "no tiene respuestas de encuesta" in err


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


# --- exportar evaluacion ---------------------------------------------------------------------


def test_exportar_evaluacion_columnas_y_calculo(capsys, demo_pequena):
    codigo = observatorio.main(
        ["exportar", "evaluacion", "--db", str(demo_pequena), "--ventana-meses", "12"]
    )
    out = capsys.readouterr().out
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(out))
    assert list(csv.columns) == evaluacion.COLUMNAS
    con = duckdb.connect(str(demo_pequena), read_only=True)
    esperado = evaluacion.exportable(con, 12)
    con.close()
    assert len(csv) == len(esperado) > 0
    calculadas = csv.dropna(subset=["comparacion_antes"])
    conteos = calculadas[["antes", "despues", "comparacion_antes", "comparacion_despues"]]
    assert (conteos == conteos.round()).all().all()  # enteros
    wdd = (calculadas["despues"] - calculadas["antes"]) - (
        calculadas["comparacion_despues"] - calculadas["comparacion_antes"]
    )
    assert calculadas["wdd"].tolist() == wdd.tolist()
    assert calculadas["z"].to_numpy() == pytest.approx(
        (wdd / np.sqrt(conteos.sum(axis=1))).to_numpy()
    )
    assert set(csv["veredicto"]) <= set(evaluacion.VEREDICTOS)


def test_exportar_evaluacion_de_un_barrio_y_errores(capsys, demo_pequena, tmp_path):
    barrio = "hernando-de-magallanes"
    codigo = observatorio.main(
        ["exportar", "evaluacion", "--db", str(demo_pequena), "--barrio", barrio]
    )
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert codigo == 0 and set(csv["barrio"]) == {"Hernando de Magallanes"}
    codigo = observatorio.main(
        ["exportar", "evaluacion", "--db", str(demo_pequena), "--barrio", "x"]
    )
    assert codigo == 2 and "barrio desconocido «x»" in capsys.readouterr().err
    # Una base sin actividades: solo el encabezado.
    sin_programa = tmp_path / "sin_programa.duckdb"
    fixtures.construir(sin_programa, fixtures.incidentes_fixture(), fixtures.SIN_ACTIVIDADES)
    assert observatorio.main(["exportar", "evaluacion", "--db", str(sin_programa)]) == 0
    assert capsys.readouterr().out.strip() == ",".join(evaluacion.COLUMNAS)


def test_exportar_cobertura_es_la_tabla_de_la_pagina(capsys, demo_pequena):
    argumentos = ["--db", str(demo_pequena), "--periodo", "aad", "--sector", "fleming"]
    codigo = observatorio.main(["exportar", "cobertura", *argumentos, "--peso-calientes", "0"])
    assert codigo == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(csv.columns) == cobertura.COLUMNAS
    assert set(csv["sector"]) == {"Fleming"}
    con = duckdb.connect(str(demo_pequena), read_only=True)
    filtros, _ = desde_url({"periodo": ["aad"], "sector": ["fleming"]}, catalogo(con))
    esperado = cobertura.exportable(con, filtros, (), (1, 0, 1))
    con.close()
    assert csv["actividades"].tolist() == esperado["actividades"].tolist()
    assert csv["necesidad"].to_numpy() == pytest.approx(esperado["necesidad"].to_numpy())


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (["--linea", "9"], "Línea desconocida «9»"),
        (["--peso-tasa", "0", "--peso-calientes", "0", "--peso-percepcion", "0"], "pesos en 0"),
        (["--sector", "marte"], "sector desconocido «marte»"),
    ],
)
def test_exportar_cobertura_con_errores(capsys, demo_pequena, argumentos, mensaje):
    codigo = observatorio.main(["exportar", "cobertura", "--db", str(demo_pequena), *argumentos])
    assert codigo == 2 and mensaje in capsys.readouterr().err


def test_exportar_evaluacion_con_franja(capsys, demo_pequena):
    argumentos = ["exportar", "evaluacion", "--db", str(demo_pequena), "--ventana-meses", "12"]
    assert observatorio.main([*argumentos, "--desplazamiento"]) == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(csv.columns) == [
        *evaluacion.COLUMNAS,
        "desplazamiento_antes",
        "desplazamiento_despues",
    ]
    calculadas = csv.dropna(subset=["wdd", "desplazamiento_antes"])
    esperado = (
        calculadas["despues"]
        - calculadas["antes"]
        - (calculadas["comparacion_despues"] - calculadas["comparacion_antes"])
        + (calculadas["desplazamiento_despues"] - calculadas["desplazamiento_antes"])
    )
    assert len(calculadas) and (calculadas["wdd"] == esperado).all()
