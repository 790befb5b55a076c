"""Benchmark de las versiones de los datos (`python -m bench.versiones`).

Sobre las bases grandes de bench/comun.py: una importación que actualiza 1.000 casos del último
mes y agrega 1.000, cuánto crece el archivo y la historia, y la tabla del Resumen leída en la
versión vigente y fijada en la anterior. Línea base en la misma ejecución: la misma tabla sobre
la base antes de importar (sin columnas de versión ni historia).
"""

import shutil
import statistics
import sys
import time
from datetime import date, timedelta

import duckdb

from bench.comun import CARPETA, base, ms
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


def _alternadas(variantes: dict, filtros, rondas: int = 15) -> dict[str, tuple[float, float]]:
    """Mediana y mínimo (ms) de cada variante, medidas por turnos en cada ronda para que la carga
    de la máquina las afecte por igual."""
    tiempos: dict[str, list[float]] = {nombre: [] for nombre in variantes}
    for con in variantes.values():
        _tabla(con, filtros)
    for _ in range(rondas):
        for nombre, con in variantes.items():
            inicio = time.perf_counter()
            _tabla(con, filtros)
            tiempos[nombre].append(1000 * (time.perf_counter() - inicio))
    return {n: (statistics.median(t), min(t)) for n, t in tiempos.items()}


def medir_base(n: int) -> None:
    original = base(n)
    ruta = CARPETA / f"versiones_{n // 1_000_000}m.duckdb"
    shutil.copy(original, ruta)
    ventana = rango("28d", FECHA_CORTE_DEMO)
    filtros = Filtros(ventana.desde, ventana.hasta, preset="personalizado")
    tamano = ruta.stat().st_size

    contenido = _csv(ruta)
    inicio = time.perf_counter()
    with duckdb.connect(str(ruta), read_only=True) as con:
        v = importacion.validar(con, "incidentes", contenido, "cambios.csv")
    importacion.aplicar(ruta, v)
    segundos = time.perf_counter() - inicio

    previa, _ = abrir(original)
    actual, fijada = abrir(ruta, "1")
    with actual.cursor() as cursor:
        historia = cursor.execute("SELECT count(*) FROM incidentes_historia").fetchone()[0]
    tiempos = _alternadas({"antes": previa, "vigente": actual, "fijada": fijada}, filtros)
    igual = _tabla(fijada, filtros).equals(_tabla(previa, filtros))
    previa.close()
    actual.close()

    crece = (ruta.stat().st_size - tamano) / 2**20
    print(
        f"{n:>11,} incidentes · importación de {v.nuevas} nuevas y {v.actualizadas} actualizadas: "
        f"{segundos:.1f} s · historia {historia} filas · archivo +{crece:.1f} MiB "
        f"(de {tamano / 2**20:.0f} MiB; la importación reescribe la tabla ordenada por fecha)\n"
        f"    Resumen, ms mediana (mínimo) de 15 rondas alternadas: antes de importar "
        f"{ms(tiempos['antes'])} · vigente {ms(tiempos['vigente'])} · fijado en la versión 1 "
        f"{ms(tiempos['fijada'])} · igual a antes: {igual}",
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
