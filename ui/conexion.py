"""El único módulo que toca Streamlit y DuckDB a la vez: conexión y consultas en caché."""

import os
from pathlib import Path

import duckdb
import streamlit as st

from consultas import privacidad

RUTA_POR_DEFECTO = Path(__file__).parents[1] / "datos" / "observatorio.duckdb"


def ruta_base() -> Path:
    return Path(os.environ.get("OBSERVATORIO_DB", RUTA_POR_DEFECTO))


def firma(ruta: Path | None = None) -> tuple[int, int]:
    """Versión del archivo de la base: cambia cuando una importación lo reemplaza."""
    estado = (ruta or ruta_base()).stat()
    return estado.st_ino, estado.st_mtime_ns


class Base:
    """Una versión del archivo, en solo lectura, con un cursor nuevo por consulta.

    Cada versión se adjunta (ATTACH) en una instancia DuckDB propia: `duckdb.connect(ruta)`
    devolvería la instancia que el proceso ya tiene abierta para esa ruta, con los datos de antes
    de que una importación reemplazara el archivo.
    """

    def __init__(self, ruta: Path):
        self._con = duckdb.connect()
        self._con.execute("ATTACH $ruta AS base (READ_ONLY)", {"ruta": str(ruta)})

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._con.cursor()
        cursor.execute("USE base")
        return cursor


@st.cache_resource(show_spinner=False, max_entries=2)
def _conectar(ruta: str, version: tuple[int, int]) -> Base:
    return Base(Path(ruta))


def conexion() -> Base | None:
    """La base vigente en solo lectura, o None si el archivo no existe."""
    ruta = ruta_base()
    if not ruta.exists():
        return None
    return _conectar(str(ruta), firma(ruta))


@st.cache_data(show_spinner=False, max_entries=512)
def _en_cache(nombre: str, version: tuple, argumentos: tuple, publico: bool):
    funcion = _FUNCIONES[nombre]
    return privacidad.llamar(funcion, conexion(), *argumentos, publico=publico)


_FUNCIONES: dict = {}


def _publico() -> bool:
    from ui import acceso  # acceso usa este módulo: se importa al llamar

    return acceso.rol() == acceso.PUBLICO


def consultar(funcion, *argumentos):
    """Llama `funcion(con, *argumentos)` guardando el resultado según los argumentos, la versión
    del archivo de datos y si el rol es público, de modo que otra importación nunca sirva
    resultados viejos. Para el rol público, con su regla (consultas/privacidad.py)."""
    nombre = privacidad.nombre(funcion)
    _FUNCIONES[nombre] = funcion
    return _en_cache(nombre, firma(), argumentos, _publico())


def derivar(funcion, *argumentos):
    """`funcion(*argumentos)` (un cálculo sobre resultados ya consultados, sin la base), con la
    regla del público si el rol es público: así se publica lo que sale de un intermedio que la
    página no dibuja (la historia diaria de Tendencias)."""
    resultado = funcion(*argumentos)
    return privacidad.aplicar(funcion, resultado) if _publico() else resultado
