"""La precarga de servir.py deja lista la base que abre la primera página, sin cambiar lo que ve."""

import shutil

from consultas import catalogos, privacidad
from tests.app.ayudas import abrir
from ui import conexion


def test_la_primera_pagina_usa_el_catalogo_y_las_geometrias_precargados(
    ruta_fixture, tmp_path, monkeypatch
):
    ruta = tmp_path / "base.duckdb"  # un archivo propio: ninguna otra prueba lo abrió antes
    shutil.copy(ruta_fixture, ruta)
    monkeypatch.setenv("OBSERVATORIO_DB", str(ruta))
    conexion.precargar()
    base = conexion.conexion()
    funciones = (catalogos.catalogo, catalogos.geometrias)
    claves = [(privacidad.nombre(f), None, False) for f in funciones]
    precargado = [base.referencias[clave] for clave in claves]

    at = abrir("paginas/resumen.py")
    assert not at.exception and not at.error
    assert conexion.conexion() is base
    assert at.session_state["catalogo"] is precargado[0]
    assert all(base.referencias[c] is p for c, p in zip(claves, precargado, strict=True))
    assert "Norte" in at.multiselect(key="f_barrios").options


def test_sin_base_la_precarga_no_falla(tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_DB", str(tmp_path / "no_existe.duckdb"))
    conexion.precargar()
    at = abrir("paginas/resumen.py")
    assert "No se encontró la base de datos" in at.error[0].value
