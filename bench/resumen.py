"""Benchmark de las consultas del Resumen sobre 10.000.000 de incidentes.

Compara, en la misma ejecución, la consulta única por ventanas que usa la página con una línea
base ingenua (una consulta por ventana). Uso: `make bench` (genera la base grande si falta).
"""

import os
import time
from datetime import date
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from bench import comun
from bench.comun import medir
from consultas import resumen
from consultas.catalogos import catalogo
from consultas.filtros import Filtros, limites
from consultas.periodos import comparacion_seleccion, comparaciones_compstat, rango
from consultas.sql import leer

N = 10_000_000
REPETICIONES = 5


def linea_base(con, filtros: Filtros) -> int:
    """Una consulta por ventana, como la escribiría alguien sin pensar en el costo."""
    comparaciones = [comparacion_seleccion(filtros.ventana), *comparaciones_compstat(filtros.hasta)]
    total = 0
    for c in comparaciones:
        for ventana in [c.actual, *c.referencias.values()]:
            desde, hasta = limites(ventana)
            df = leer(con, "casos_por_familia", desde=desde, hasta=hasta, **filtros.parametros())
            total += len(df)
    return total


def main() -> None:
    ruta = comun.base(N)
    con = duckdb.connect(str(ruta), read_only=True)
    n = con.execute("SELECT count(*) FROM incidentes").fetchone()[0]
    cat = catalogo(con)
    ventana = rango("28d", cat.corte)
    casos = {
        "comuna, 28 días": Filtros(ventana.desde, ventana.hasta),
        "sector El Golf": Filtros(ventana.desde, ventana.hasta, sectores=("el-golf",)),
        "robos violentos, año": Filtros(
            date(cat.corte.year, 1, 1), cat.corte, familias=("robos_violentos",)
        ),
        "central 1402, barrio": Filtros(
            ventana.desde, ventana.hasta, fuente="central_1402", barrios=("los-dominicos",)
        ),
    }
    print(
        f"{n:,} incidentes · {REPETICIONES} repeticiones · mediana (mínimo) en ms".replace(",", ".")
    )
    print(f"{'filtros':<24}{'tabla (1 consulta)':>22}{'línea base (13)':>22}{'barrios':>18}")
    for nombre, filtros in casos.items():
        tabla = medir(resumen.tabla_comparacion, con, filtros, "x")
        ingenua = medir(linea_base, con, filtros)
        barrios = medir(resumen.barrios_comparados, con, filtros)
        celdas = [f"{m:,.0f} ({b:,.0f})" for m, b in (tabla, ingenua, barrios)]
        print(f"{nombre:<24}{celdas[0]:>22}{celdas[1]:>22}{celdas[2]:>18}")
    con.close()
    pagina(ruta)


def pagina(ruta: Path) -> None:
    """La página completa en AppTest: primera carga y cambios de filtro (con y sin caché)."""
    os.environ["OBSERVATORIO_DB"] = str(ruta)
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=300)
    pasos = [
        ("primera carga", lambda: at.run()),
        ("período año a la fecha", lambda: at.selectbox(key="f_periodo").set_value("aad").run()),
        ("más sector Fleming", lambda: at.multiselect(key="f_sectores").select("fleming").run()),
        (
            "vuelta a toda la comuna",
            lambda: at.multiselect(key="f_sectores").unselect("fleming").run(),
        ),
    ]
    print("\nPágina Resumen completa (AppTest), en ms:")
    for nombre, paso in pasos:
        inicio = time.perf_counter()
        paso()
        print(f"  {nombre:<28}{1000 * (time.perf_counter() - inicio):>8,.0f}".replace(",", "."))


if __name__ == "__main__":
    main()
