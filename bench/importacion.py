"""Benchmark de `observatorio importar` con un CSV de 1.000.000 de incidentes.

Al lado, en la misma ejecución, la línea base: solo leer el mismo archivo con pandas.read_csv
(sin validar nada), para ver cuánto cuesta la validación fila a fila.
"""

import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from datos import demo, importacion

CARPETA = Path("bench/resultados")
N = 1_000_000
DELITOS = ["Hurtos", "Robo por sorpresa", "Robo con violencia o intimidación", "Lesiones leves"]


def archivo_csv(ruta: Path) -> None:
    """Como lo exporta una oficina: `;`, coma decimal, dd-mm-aaaa HH:MM, 1 % de filas malas."""
    rng = np.random.default_rng(7)
    minutos = rng.integers(0, 365 * 24 * 60, N)
    fechas = pd.Timestamp("2025-11-01") + pd.to_timedelta(minutos, unit="min")
    delitos = np.array(DELITOS)[rng.integers(0, len(DELITOS), N)]
    delitos[rng.random(N) < 0.01] = "Robo de gallinas"
    lat = -33.425 + rng.random(N) * 0.02
    lon = -70.60 + rng.random(N) * 0.04
    df = pd.DataFrame(
        {
            "ID": [f"B-{k:07d}" for k in range(N)],
            "Fecha": fechas.strftime("%d-%m-%Y %H:%M"),
            "Delito": delitos,
            "Latitud": np.char.replace(np.round(lat, 6).astype(str), ".", ","),
            "Longitud": np.char.replace(np.round(lon, 6).astype(str), ".", ","),
        }
    )
    df.to_csv(ruta, sep=";", index=False, encoding="cp1252")


def main() -> None:
    CARPETA.mkdir(parents=True, exist_ok=True)
    base, csv = CARPETA / "importacion.duckdb", CARPETA / "incidentes_1m.csv"
    if not csv.exists():
        archivo_csv(csv)
    demo.generar(CARPETA / "demo.duckdb")
    shutil.copy(CARPETA / "demo.duckdb", base)
    contenido = csv.read_bytes()

    inicio = time.perf_counter()
    pd.read_csv(csv, sep=";", dtype=str, encoding="cp1252")
    lectura = time.perf_counter() - inicio

    inicio = time.perf_counter()
    con = duckdb.connect(str(base), read_only=True)
    v = importacion.validar(con, "incidentes", contenido, csv.name)
    con.close()
    validacion = time.perf_counter() - inicio

    inicio = time.perf_counter()
    importacion.aplicar(base, v)
    aplicacion = time.perf_counter() - inicio

    total = validacion + aplicacion
    print(f"{N:,} filas ({len(v.aceptadas):,} aceptadas, {len(v.rechazadas):,} rechazadas)")
    for nombre, segundos, filas in [
        ("línea base: pandas.read_csv sin validar", lectura, N),
        ("validar (leer, revisar, ubicar, H3)", validacion, N),
        ("aplicar (copia, fusión ordenada, reemplazo)", aplicacion, None),
        ("importación completa", total, N),
    ]:
        tasa = f"{filas / segundos:>10,.0f} filas/s" if filas else ""
        print(f"  {nombre:<44}{segundos:6.1f} s  {tasa}")


if __name__ == "__main__":
    main()
