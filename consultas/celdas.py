"""Celdas H3: padres por bits, universo de celdas de un territorio y vecindades.

Cada incidente guarda su celda de resolución 11 (`h3_11`). La celda de una resolución menor r se
obtiene sin recalcular nada: se escribe r en el campo de resolución (bits 52-55) y se ponen en 7
(binario 111) los dígitos de r+1 a 15, tres bits cada uno. Es lo que hace `h3.cell_to_parent`.
"""

from itertools import chain
from typing import TYPE_CHECKING

import h3.api.basic_int as h3_int
import numpy as np
import shapely

if TYPE_CHECKING:
    from scipy import sparse

RESOLUCION_FINA = 11
RESOLUCIONES = range(7, RESOLUCION_FINA + 1)
_CAMPO_RESOLUCION = 0xF << 52


def parametros_padre(resolucion: int) -> dict[str, int]:
    """Constantes para el padre en SQL: `(h3_11 | $digitos) & $sin_resolucion | $resolucion_h3`."""
    digitos = (1 << (3 * (15 - resolucion))) - 1
    return {
        "digitos": digitos,
        "sin_resolucion": ((1 << 64) - 1) ^ _CAMPO_RESOLUCION,
        "resolucion_h3": resolucion << 52,
    }


def padre(celdas, resolucion: int):
    """La celda de `resolucion` que contiene cada celda (enteros H3 de resolución mayor o igual)."""
    p = parametros_padre(resolucion)
    celdas = np.asarray(celdas, dtype=np.uint64)
    return (celdas | np.uint64(p["digitos"])) & np.uint64(p["sin_resolucion"]) | np.uint64(
        p["resolucion_h3"]
    )


def universo(territorio: shapely.Geometry, resolucion: int) -> np.ndarray:
    """Todas las celdas de `resolucion` que tocan el territorio, ordenadas (enteros H3)."""
    forma = h3_int.geo_to_h3shape(territorio.__geo_interface__)
    celdas = h3_int.h3shape_to_cells_experimental(forma, resolucion, contain="overlap")
    return np.sort(np.array(celdas, dtype=np.uint64))


def vecindad(celdas: np.ndarray) -> "sparse.csr_matrix":
    """Pesos binarios: cada celda consigo misma y sus vecinas del anillo 1 dentro de `celdas`."""
    from scipy import sparse  # al usarse: scipy pesa en el arranque

    celdas = np.asarray(celdas, dtype=np.uint64)
    n = len(celdas)
    discos = [_disco(c) for c in celdas.tolist()]
    filas = np.repeat(np.arange(n), [len(d) for d in discos])
    vecinas = np.fromiter(chain.from_iterable(discos), dtype=np.uint64, count=len(filas))
    orden = np.argsort(celdas, kind="stable")
    lugar = np.minimum(np.searchsorted(celdas, vecinas, sorter=orden), max(n - 1, 0))
    columnas = orden[lugar] if n else lugar
    dentro = celdas[columnas] == vecinas if n else np.zeros(0, dtype=bool)
    return sparse.csr_matrix(
        (np.ones(int(dentro.sum())), (filas[dentro], columnas[dentro])), shape=(n, n)
    )


# El anillo 1 de cada celda ya vista: depende solo de la celda (no de los datos), y los universos
# de territorios y períodos distintos comparten casi todas sus celdas. Acotado por si acaso.
_DISCOS: dict[int, list[int]] = {}
_MAXIMO_DISCOS = 500_000


def _disco(celda: int) -> list[int]:
    disco = _DISCOS.get(celda)
    if disco is None:
        if len(_DISCOS) >= _MAXIMO_DISCOS:
            _DISCOS.clear()
        disco = _DISCOS[celda] = h3_int.grid_disk(celda, 1)
    return disco


def texto(celdas) -> list[str]:
    """Identificadores H3 estándar (hexadecimales, lo mismo que h3.int_to_str), como los usa
    deck.gl y cualquier otra herramienta."""
    return [format(c, "x") for c in np.asarray(celdas, dtype=np.uint64).tolist()]
