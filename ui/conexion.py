"""El único módulo que toca Streamlit y DuckDB a la vez: conexión y consultas en caché."""

import os
from pathlib import Path

import duckdb
import streamlit as st

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

    def __init__(self, ruta: Path, version: tuple[int, int]):
        self.version = version
        self._con = duckdb.connect()
        self._con.execute("ATTACH $ruta AS base (READ_ONLY)", {"ruta": str(ruta)})

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._con.cursor()
        cursor.execute("USE base")
        return cursor


@st.cache_resource(show_spinner=False, max_entries=2)
def _conectar(ruta: str, version: tuple[int, int]) -> Base:
    return Base(Path(ruta), version)


_FIJADA = "_base_de_la_ejecucion"


def conexion() -> Base | None:
    """La base vigente en solo lectura, o None si el archivo no existe."""
    ruta = ruta_base()
    base = None
    for _ in range(3):
        if not ruta.exists():
            return None
        version = firma(ruta)
        base = _conectar(str(ruta), version)
        # Si una importación reemplazó el archivo entre firmarlo y abrirlo, se abre de nuevo:
        # así una versión nunca guarda el contenido de otra.
        if firma(ruta) == version:
            return base
    return base


def fijar() -> Base | None:
    """La base vigente, que queda fija para el resto de esta ejecución (app.py la pide al
    empezar): todas las consultas de una ejecución leen la misma versión aunque una importación
    reemplace el archivo a mitad de camino; la ejecución siguiente ya lee la nueva."""
    base = conexion()
    st.session_state[_FIJADA] = base
    return base


@st.cache_data(show_spinner=False, max_entries=512)
def _en_cache(nombre: str, version: tuple, argumentos: tuple, _base: Base):
    return _FUNCIONES[nombre](_base, *argumentos)


_FUNCIONES: dict = {}


def consultar(funcion, *argumentos):
    """Llama `funcion(con, *argumentos)` sobre la base de esta ejecución, guardando el resultado
    según los argumentos y la versión del archivo de datos, de modo que otra importación nunca
    sirva resultados viejos."""
    nombre = f"{funcion.__module__}.{funcion.__qualname__}"
    _FUNCIONES[nombre] = funcion
    base = st.session_state.get(_FIJADA) or fijar()
    return _en_cache(nombre, base.version, argumentos, base)
