"""El único módulo que toca Streamlit y DuckDB a la vez: conexión y consultas en caché."""

import os
from pathlib import Path

import duckdb
import streamlit as st

RUTA_POR_DEFECTO = Path(__file__).parents[1] / "datos" / "observatorio.duckdb"


def ruta_base() -> Path:
    return Path(os.environ.get("OBSERVATORIO_DB", RUTA_POR_DEFECTO))


def _firma(ruta: Path) -> tuple[int, int]:
    """Cambia cuando una importación reemplaza el archivo: entonces se abre una conexión nueva."""
    estado = ruta.stat()
    return estado.st_ino, estado.st_mtime_ns


@st.cache_resource(show_spinner=False, max_entries=2)
def _conectar(ruta: str, firma: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(ruta, read_only=True)


def conexion() -> duckdb.DuckDBPyConnection | None:
    """Conexión de solo lectura a la base, o None si el archivo no existe."""
    ruta = ruta_base()
    if not ruta.exists():
        return None
    return _conectar(str(ruta), _firma(ruta))


@st.cache_data(show_spinner=False, max_entries=512)
def _en_cache(nombre: str, version: tuple, argumentos: tuple):
    funcion = _FUNCIONES[nombre]
    return funcion(conexion(), *argumentos)


_FUNCIONES: dict = {}


def consultar(funcion, *argumentos):
    """Llama `funcion(con, *argumentos)` guardando el resultado según los argumentos y la versión
    del archivo de datos, de modo que otra importación nunca sirva resultados viejos."""
    nombre = f"{funcion.__module__}.{funcion.__qualname__}"
    _FUNCIONES[nombre] = funcion
    return _en_cache(nombre, _firma(ruta_base()), argumentos)
