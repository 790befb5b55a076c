"""Carga de consultas SQL con nombre desde consultas/sql/*.sql (al estilo de aiosql).

Cada bloque empieza con `-- name: nombre`. Un bloque puede incluir otro escribiendo su nombre entre
llaves dobles en su propia línea (`{{filtro_incidentes}}`): así un filtro se escribe una sola vez.
Los valores del usuario van siempre como parámetros `$nombre`, nunca dentro del texto.
"""

import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

CARPETA = Path(__file__).parent / "sql"
_BLOQUE = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_INCLUSION = re.compile(r"\{\{(\w+)\}\}")
_PARAMETRO = re.compile(r"\$(\w+)")

# Funciones (nombre, texto, valores, segundos) que se llaman tras cada consulta: así `make bench`
# mide el SQL de cada página sin tocar las páginas. Vacía en la app.
observadores: list[Callable[[str, str, dict, float], None]] = []


@cache
def _bloques() -> dict[str, str]:
    bloques: dict[str, str] = {}
    for archivo in sorted(CARPETA.glob("*.sql")):
        partes = _BLOQUE.split(archivo.read_text(encoding="utf-8"))
        for nombre, texto in zip(partes[1::2], partes[2::2], strict=True):
            if nombre in bloques:
                raise ValueError(f"Consulta repetida: {nombre}")
            bloques[nombre] = texto.strip().rstrip(";")
    return bloques


@cache
def consulta(nombre: str) -> str:
    """Texto de la consulta `nombre` con sus inclusiones resueltas."""
    return _INCLUSION.sub(lambda m: consulta(m.group(1)), _bloques()[nombre])


def _preparar(nombre: str, parametros: dict) -> tuple[str, dict]:
    """Texto y parámetros de una consulta. Solo se envían los parámetros que la consulta usa, para
    que una función pueda pasar el mismo conjunto de filtros a consultas que usan partes de él."""
    texto = consulta(nombre)
    usados = set(_PARAMETRO.findall(texto))
    faltan = usados - parametros.keys()
    if faltan:
        raise KeyError(f"Faltan parámetros para {nombre}: {sorted(faltan)}")
    return texto, {k: v for k, v in parametros.items() if k in usados}


def leer(con: duckdb.DuckDBPyConnection, nombre: str, **parametros) -> pd.DataFrame:
    """Ejecuta la consulta en un cursor propio y devuelve un DataFrame."""
    return _traer(con, nombre, parametros, duckdb.DuckDBPyConnection.df)


def leer_arreglos(con: duckdb.DuckDBPyConnection, nombre: str, **parametros) -> dict:
    """Como `leer`, pero cada columna como arreglo de numpy (texto como object): para resultados
    largos que se procesan en numpy, sin armar un DataFrame."""
    return _traer(con, nombre, parametros, duckdb.DuckDBPyConnection.fetchnumpy)


def sin_nulos(columna: np.ndarray, vacio) -> np.ndarray:
    """Una columna de `leer_arreglos` con `vacio` en sus nulos (fetchnumpy los trae como arreglo
    con máscara). No np.ma.filled(columna, None): en una columna de texto pone «?», no None."""
    if not np.ma.isMaskedArray(columna):
        return columna
    valores = columna.data.copy()
    valores[np.ma.getmaskarray(columna)] = vacio
    return valores


def _traer(con, nombre: str, parametros: dict, obtener):
    texto, valores = _preparar(nombre, parametros)
    inicio = time.perf_counter()
    prestado = getattr(con, "prestado", None)  # Base y Fijada reusan cursores abiertos
    with prestado() if prestado else con.cursor() as cursor:
        resultado = obtener(cursor.execute(texto, valores))
    for observar in observadores:
        observar(nombre, texto, valores, time.perf_counter() - inicio)
    return resultado


def ejecutar(
    con: duckdb.DuckDBPyConnection,
    nombre: str,
    tablas: dict[str, pd.DataFrame] | None = None,
    **parametros,
) -> pd.DataFrame | None:
    """Ejecuta un bloque (puede tener varias sentencias si no lleva parámetros) con `tablas`
    registradas como vistas en su cursor. Devuelve el resultado de la última sentencia, si hay."""
    texto, valores = _preparar(nombre, parametros)
    with con.cursor() as cursor:
        for vista, df in (tablas or {}).items():
            cursor.register(vista, df)
        cursor.execute(texto, valores or None)
        return cursor.df() if cursor.description else None
