"""Carga de consultas SQL con nombre desde consultas/sql/*.sql (al estilo de aiosql).

Cada bloque empieza con `-- name: nombre`. Un bloque puede incluir otro escribiendo su nombre entre
llaves dobles en su propia línea (`{{filtro_incidentes}}`): así un filtro se escribe una sola vez.
Los valores del usuario van siempre como parámetros `$nombre`, nunca dentro del texto.
"""

import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

CARPETA = Path(__file__).parent / "sql"
_BLOQUE = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_INCLUSION = re.compile(r"\{\{(\w+)\}\}")
_PARAMETRO = re.compile(r"\$(\w+)")


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


def leer(con: duckdb.DuckDBPyConnection, nombre: str, **parametros) -> pd.DataFrame:
    """Ejecuta la consulta en un cursor propio y devuelve un DataFrame.

    Solo se envían los parámetros que la consulta usa, para que una función pueda pasar el mismo
    conjunto de filtros a consultas que usan distintas partes de él.
    """
    texto = consulta(nombre)
    usados = set(_PARAMETRO.findall(texto))
    faltan = usados - parametros.keys()
    if faltan:
        raise KeyError(f"Faltan parámetros para {nombre}: {sorted(faltan)}")
    with con.cursor() as cursor:
        return cursor.execute(texto, {k: v for k, v in parametros.items() if k in usados}).df()
