"""Las piezas de `make bench` que tocan la app, y los atajos de rendimiento de las consultas."""

import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import pydeck as pdk
import pytest

from bench import comun, paginas
from consultas import evaluacion, sql, tendencias
from ui import mapa


def test_observadores_reciben_cada_consulta_con_sus_parametros(base):
    con, incidentes = base
    vistas = []

    def observar(nombre, texto, valores, segundos):
        vistas.append((nombre, texto, valores, segundos))

    sql.observadores.append(observar)
    try:
        primer = sql.leer(con, "primer_dia_fuente", fuente="policial")
    finally:
        sql.observadores.remove(observar)
    assert len(vistas) == 1
    nombre, texto, valores, segundos = vistas[0]
    assert nombre == "primer_dia_fuente"
    assert texto == sql.consulta("primer_dia_fuente")
    assert valores == {"fuente": "policial"}
    assert segundos >= 0
    # El mismo texto y parámetros, solos en DuckDB, dan lo mismo que la app (el «SQL desnudo»).
    assert con.execute(texto, valores).fetchone()[0] == primer["primer_dia"].iloc[0].date()


def test_primer_dia_sin_recorrer_la_tabla_es_el_mismo(base):
    con, incidentes = base
    for fuente in [*incidentes["fuente"].unique(), "sin_datos"]:
        casos = incidentes.loc[incidentes["fuente"] == fuente, "fecha_hora"]
        esperado = casos.min().date() if len(casos) else None
        assert tendencias.primer_dia(con, fuente) == esperado


def test_tramos_de_la_evaluacion_unen_las_ventanas_que_se_tocan():
    inicios = [date(2024, 1, 1), date(2024, 3, 1), date(2026, 1, 1)]
    tramos = evaluacion._tramos(inicios, 1, date(2023, 1, 1), date(2026, 12, 31))
    # 1-ene-2024: [1-dic-2023, 1-feb-2024); 1-mar-2024: [30-ene-2024, 1-abr-2024) se le une.
    assert tramos == [
        (datetime(2023, 12, 1), datetime(2024, 4, 1)),
        (datetime(2025, 12, 1), datetime(2026, 2, 1)),
    ]
    # Las ventanas se recortan a los datos, y sin intervenciones queda un tramo vacío.
    recortado = evaluacion._tramos([date(2024, 1, 1)], 1, date(2024, 1, 10), date(2024, 1, 20))
    assert recortado == [(datetime(2024, 1, 10), datetime(2024, 1, 21))]
    vacio = evaluacion._tramos([], 6, date(2024, 1, 1), date(2024, 12, 31))
    assert vacio[0][0] == vacio[0][1]


def test_tamanos_y_nombres_de_las_bases_de_bench(monkeypatch):
    monkeypatch.delenv("BENCH_TAMANOS", raising=False)
    assert comun.tamanos() == [100_000, 1_000_000, 10_000_000]
    monkeypatch.setenv("BENCH_TAMANOS", "100000, 1_000_000")
    assert comun.tamanos() == [100_000, 1_000_000]
    monkeypatch.setenv("BENCH_TAMANOS", "mucho")
    with pytest.raises(SystemExit, match="BENCH_TAMANOS inválido"):
        comun.tamanos()
    assert [comun.nombre(n) for n in (100_000, 1_000_000, 50_000_000, 1234)] == [
        "100k",
        "1m",
        "50m",
        "1234",
    ]


def test_mapa_se_envia_sin_sangria_y_con_el_mismo_contenido():
    geometria = json.dumps(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    )
    geometrias = pd.DataFrame({"barrio_id": ["a"], "nombre": ["A"], "geometria": [geometria]})
    valores = pd.DataFrame({"barrio_id": ["a"], "valor": [1.0], "texto": ["uno"]})
    deck = mapa.coropleta(geometrias, valores, geometria)
    compacto, de_pydeck = deck.to_json(), pdk.Deck.to_json(deck)
    assert "\n" not in compacto and "\n" in de_pydeck
    assert len(compacto) < len(de_pydeck)
    assert json.loads(compacto) == json.loads(de_pydeck)


def test_sin_nulos_pone_el_valor_pedido_en_los_nulos(base):
    con, _ = base
    columnas = con.execute(
        "SELECT * FROM (VALUES ('a', 1, DATE '2026-01-02'), (NULL, NULL, NULL)) t(texto, n, dia)"
    ).fetchnumpy()
    # np.ma.filled(texto, None) daría «?» en el nulo.
    assert sql.sin_nulos(columnas["texto"], None).tolist() == ["a", None]
    numeros = sql.sin_nulos(columnas["n"].astype(float), np.nan)
    assert numeros[0] == 1 and np.isnan(numeros[1])
    dias = sql.sin_nulos(columnas["dia"], np.datetime64("NaT"))
    assert dias[0] == np.datetime64("2026-01-02") and np.isnat(dias[1])
    sin_mascara = np.array(["x", "y"], dtype=object)
    assert sql.sin_nulos(sin_mascara, None) is sin_mascara


def test_el_bench_compila_cada_script_una_vez_como_el_servidor(monkeypatch, tmp_path):
    """AppTest recompila el script en cada run(); con `una_cache_de_scripts`, una vez."""
    from streamlit.runtime.scriptrunner import script_cache
    from streamlit.testing.v1 import AppTest, app_test, local_script_runner

    monkeypatch.setattr(app_test, "ScriptCache", app_test.ScriptCache)  # se restauran al final
    monkeypatch.setattr(local_script_runner, "ScriptCache", local_script_runner.ScriptCache)
    compilados = []

    def contar(fuente, ruta, *resto, **opciones):
        compilados.append(ruta)
        return compile(fuente, ruta, *resto, **opciones)

    monkeypatch.setattr(script_cache, "compile", contar, raising=False)
    guion = tmp_path / "app.py"
    guion.write_text("import streamlit as st\n\nst.write('hola')\n", encoding="utf-8")

    def dos_veces() -> None:
        at = AppTest.from_file(str(guion))
        at.run()
        at.run()
        assert at.markdown[0].value == "hola"

    dos_veces()
    assert len(compilados) == 2
    compilados.clear()
    paginas.una_cache_de_scripts()
    dos_veces()
    assert compilados == [str(guion)]
