"""Bases de demostración grandes para los benchmarks, en bench/resultados/ (fuera de git)."""

import statistics
import sys
import time
from pathlib import Path

import duckdb

from datos import demo

CARPETA = Path(__file__).parent / "resultados"


def base(n: int) -> Path:
    """La base de n incidentes; se genera si falta o si la hizo otra versión del generador."""
    ruta = CARPETA / f"bench_{n // 1_000_000}m.duckdb"
    version = demo._version(2026, n, demo.FECHA_CORTE_DEMO)
    if ruta.exists():
        with duckdb.connect(str(ruta), read_only=True) as con:
            fila = con.execute("SELECT valor FROM metadatos WHERE clave = 'version'").fetchone()
        if fila and fila[0] == version:
            return ruta
    print(f"Generando {n:,} incidentes en {ruta}…".replace(",", "."), file=sys.stderr)
    inicio = time.perf_counter()
    demo.generar(ruta, incidentes=n, progreso=True)
    print(f"Generación: {time.perf_counter() - inicio:.1f} s", file=sys.stderr)
    return ruta


def medir(funcion, *argumentos, repeticiones: int = 5) -> tuple[float, float]:
    """Mediana y mínimo de varias llamadas, en ms."""
    tiempos = []
    for _ in range(repeticiones):
        inicio = time.perf_counter()
        funcion(*argumentos)
        tiempos.append(1000 * (time.perf_counter() - inicio))
    return statistics.median(tiempos), min(tiempos)


def ms(valores: tuple[float, float]) -> str:
    return f"{valores[0]:,.0f} ({valores[1]:,.0f})".replace(",", ".")
