"""Benchmark de la página Tendencias con 1.000.000 y 10.000.000 de incidentes.

Cada consulta se mide junto a su SQL desnudo (lo que agrega Python encima), y la página completa
en AppTest al cambiar filtros. Uso: `make bench` (genera las bases en bench/resultados/ si faltan).
"""

import os
import statistics
import time
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from bench import comun
from consultas import tendencias
from consultas.catalogos import catalogo
from consultas.filtros import Filtros, limites
from consultas.periodos import rango
from consultas.sql import leer

TAMANOS = [1_000_000, 10_000_000]
REPETICIONES = 5
APP = str(Path(__file__).parents[1] / "app.py")


def medir(funcion, *argumentos) -> float:
    return comun.medir(funcion, *argumentos, repeticiones=REPETICIONES)[0]


def consultas(ruta: Path) -> None:
    con = duckdb.connect(str(ruta), read_only=True)
    cat = catalogo(con)
    ventana = rango("aad", cat.corte)
    filtros = Filtros(ventana.desde, ventana.hasta, preset="aad", sectores=("el-golf",))
    parametros = filtros.parametros()
    desde, hasta = limites(ventana)
    desde_anterior, _ = limites(ventana.anterior())
    desde_anio, hasta_anio = limites(ventana.anio_anterior())
    historia = tendencias.casos_diarios(con, filtros, "total")
    primer = tendencias.primer_dia(con, filtros.fuente)
    filas = [
        (
            "historia diaria (total)",
            lambda: tendencias.casos_diarios(con, filtros, "total"),
            lambda: leer(con, "casos_diarios", desglose="total", **parametros),
        ),
        (
            "historia diaria (por tipo)",
            lambda: tendencias.casos_diarios(con, filtros, "delito"),
            lambda: leer(con, "casos_diarios", desglose="delito", **parametros),
        ),
        (
            "hora × día",
            lambda: tendencias.hora_y_dia(con, filtros),
            lambda: leer(con, "casos_por_hora_y_dia", desde=desde, hasta=hasta, **parametros),
        ),
        (
            "comparación por barrio",
            lambda: tendencias.comparacion(con, filtros, "barrio"),
            lambda: leer(
                con,
                "casos_por_barrio_en_ventanas",
                desde=desde,
                hasta=hasta,
                desde_anterior=desde_anterior,
                desde_anio=desde_anio,
                hasta_anio=hasta_anio,
                inicio=min(desde_anterior, desde_anio),
                **(parametros | {"sectores": [], "barrios": []}),
            ),
        ),
        (
            "actividades",
            lambda: tendencias.actividades(con, filtros),
            lambda: leer(
                con,
                "actividades_del_periodo",
                desde=filtros.desde,
                hasta=filtros.hasta,
                sectores=list(filtros.sectores),
                barrios=[],
            ),
        ),
        (
            "primer día de la fuente",
            lambda: tendencias.primer_dia(con, filtros.fuente),
            lambda: leer(con, "primer_dia_fuente", fuente=filtros.fuente),
        ),
    ]
    print(f"{'consulta (sector El Golf, año a la fecha)':<44}{'función':>10}{'SQL solo':>10}")
    for nombre, funcion, sql in filas:
        print(f"{nombre:<44}{medir(funcion):>10,.0f}{medir(sql):>10,.0f}".replace(",", "."))
    for escala in tendencias.ESCALAS:
        tiempo = medir(tendencias.serie, historia, ventana, escala, primer)
        print(f"{'serie y banda por ' + escala + ' (sin SQL)':<44}{tiempo:>10,.0f}{'—':>10}")
    con.close()


def pagina(ruta: Path) -> None:
    """La página en AppTest: primera carga y cambios de filtro, con y sin resultados en caché."""
    os.environ["OBSERVATORIO_DB"] = str(ruta)
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    inicio = time.perf_counter()
    at.switch_page("paginas/tendencias.py").run()
    print(
        f"  {'primera carga':<40}{1000 * (time.perf_counter() - inicio):>8,.0f}".replace(",", ".")
    )
    pasos = [("período año a la fecha", lambda: at.selectbox(key="f_periodo").set_value("aad"))]
    for sector in ["el-golf", "fleming", "apoquindo", "san-carlos"]:
        pasos.append(
            (f"sector {sector}", lambda s=sector: at.multiselect(key="f_sectores").select(s))
        )
        pasos.append(
            (f"sin sector {sector}", lambda s=sector: at.multiselect(key="f_sectores").unselect(s))
        )
    pasos += [
        (
            "familia robos violentos",
            lambda: at.multiselect(key="f_familias").select("robos_violentos"),
        ),
        ("escala día", lambda: at.radio(key="t_escala").set_value("dia")),
        ("escala mes", lambda: at.radio(key="t_escala").set_value("mes")),
        ("series por tipo", lambda: at.radio(key="t_desglose").set_value("delito")),
        ("comparar por sector", lambda: at.radio(key="t_por").set_value("sector")),
        ("período 28 días", lambda: at.selectbox(key="f_periodo").set_value("28d")),
    ]
    tiempos = []
    for nombre, paso in pasos:
        paso()
        inicio = time.perf_counter()
        at.run()
        tiempo = 1000 * (time.perf_counter() - inicio)
        assert not at.exception, at.exception
        tiempos.append(tiempo)
        print(f"  {nombre:<40}{tiempo:>8,.0f}".replace(",", "."))
    print(
        f"  mediana de {len(tiempos)} cambios: {statistics.median(tiempos):,.0f} ms; "
        f"máximo {max(tiempos):,.0f} ms".replace(",", ".")
    )


def main() -> None:
    for n in TAMANOS:
        ruta = comun.base(n)
        print(f"\n{n:,} incidentes · mediana de {REPETICIONES} en ms".replace(",", "."))
        consultas(ruta)
        print("Página Tendencias completa (AppTest), en ms:")
        pagina(ruta)


if __name__ == "__main__":
    main()
