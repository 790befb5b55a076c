"""Benchmark de las versiones de los datos (`python -m bench.versiones`).

Sobre las bases grandes de bench/comun.py: una importación que actualiza 1.000 casos del último
mes y agrega 1.000, cuánto crece el archivo y la historia, y la tabla del Resumen leída en la
versión vigente y fijada en la anterior. Línea base en la misma ejecución: la misma tabla sobre
la base antes de importar (sin columnas de versión ni historia).
"""

import shutil
import sys
import time
from datetime import date, timedelta

import duckdb

from bench.comun import CARPETA, base, medir, ms
from consultas import resumen
from consultas.filtros import Filtros
from consultas.periodos import rango
from consultas.versiones import abrir
from datos import importacion
from datos.demo import FECHA_CORTE_DEMO

CAMBIOS = 1_000


def _csv(ruta) -> bytes:
    """1.000 casos policiales del último mes con otro delito, y 1.000 casos nuevos."""
    ventana = rango("28d", FECHA_CORTE_DEMO)
    with duckdb.connect(str(ruta), read_only=True) as con:
        casos = con.execute(
            "SELECT incidente_id, fecha_hora, delito, lat, lon FROM incidentes "
            "WHERE fuente = 'policial' AND fecha_hora >= $desde ORDER BY incidente_id LIMIT $n",
            {"desde": ventana.desde, "n": CAMBIOS},
        ).fetchall()
    filas = ["id;fecha_hora;delito;lat;lon"]
    for ident, fecha, delito, lat, lon in casos:
        otro = "robo_sorpresa" if delito == "hurto" else "hurto"
        filas.append(f"{ident};{fecha:%Y-%m-%d %H:%M};{otro};{lat};{lon}")
    dia = FECHA_CORTE_DEMO - timedelta(days=1)
    lat, lon = casos[0][3], casos[0][4]
    filas += [f"BENCH-{k};{dia} 12:00;hurto;{lat};{lon}" for k in range(CAMBIOS)]
    return ("\n".join(filas) + "\n").encode()


def _tabla(con, filtros):
    return resumen.tabla_comparacion(con, filtros, "Comuna")


def medir_base(n: int) -> None:
    ruta = CARPETA / f"versiones_{n // 1_000_000}m.duckdb"
    shutil.copy(base(n), ruta)
    ventana = rango("28d", FECHA_CORTE_DEMO)
    filtros = Filtros(ventana.desde, ventana.hasta, preset="personalizado")

    previa, _ = abrir(ruta)
    _tabla(previa, filtros)
    linea_base = medir(_tabla, previa, filtros)
    esperada = _tabla(previa, filtros)
    previa.close()
    tamano = ruta.stat().st_size

    contenido = _csv(ruta)
    inicio = time.perf_counter()
    with duckdb.connect(str(ruta), read_only=True) as con:
        v = importacion.validar(con, "incidentes", contenido, "cambios.csv")
    importacion.aplicar(ruta, v)
    segundos = time.perf_counter() - inicio

    actual, fijada = abrir(ruta, "1")
    with actual.cursor() as cursor:
        historia = cursor.execute("SELECT count(*) FROM incidentes_historia").fetchone()[0]
    _tabla(actual, filtros), _tabla(fijada, filtros)
    vigente = medir(_tabla, actual, filtros)
    anterior = medir(_tabla, fijada, filtros)
    igual = _tabla(fijada, filtros).equals(esperada)
    actual.close()

    crece = (ruta.stat().st_size - tamano) / 2**20
    print(
        f"{n:>11,} incidentes · importación de {v.nuevas} nuevas y {v.actualizadas} actualizadas: "
        f"{segundos:.1f} s · historia {historia} filas · archivo +{crece:.1f} MiB "
        f"(de {tamano / 2**20:.0f} MiB)\n"
        f"    Resumen, ms mediana (mínimo): antes de importar {ms(linea_base)} · vigente "
        f"{ms(vigente)} · fijado en la versión 1 {ms(anterior)} · igual a antes: {igual}",
        flush=True,
    )
    ruta.unlink()


def main() -> None:
    tamanos = [int(a) for a in sys.argv[1:]] or [1_000_000, 10_000_000]
    print(f"Versiones de los datos ({date.today():%d-%m-%Y})")
    for n in tamanos:
        medir_base(n)


if __name__ == "__main__":
    main()
