"""Benchmark de la página Mapa a 1.000.000 y 10.000.000 de incidentes.

Para cada tamaño: el SQL desnudo de la agregación por celda (línea base, en la misma ejecución)
junto a la función que usa la página (SQL + universo + Gi* + FDR), la evolución, y la página
completa en AppTest tras cada cambio de filtro (mediana y máximo de 3 vueltas, con la caché de
Streamlit vaciada entre vueltas), con el tamaño del mapa que se envía al navegador.
Uso: `make bench` (genera las bases si faltan).
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.comun import base, medir, ms
from consultas import celdas, mapa
from consultas.catalogos import catalogo
from consultas.filtros import Filtros, limites
from consultas.periodos import rango
from consultas.sql import consulta

TAMANOS = [1_000_000, 10_000_000]
VIOLENTOS = "robos_violentos"
VUELTAS = 3


def sql_desnudo(con, filtros: Filtros, resolucion: int):
    """Solo la agregación por celda, sin universo ni estadística: lo mínimo que hay que pagar."""
    desde, hasta = limites(filtros.ventana)
    desde_anterior, _ = limites(filtros.ventana.anterior())
    parametros = celdas.parametros_padre(resolucion) | filtros.parametros()
    parametros |= {"desde": desde, "hasta": hasta, "desde_anterior": desde_anterior}
    return con.execute(consulta("casos_por_celda"), parametros).df()


def consultas(ruta: Path) -> None:
    con = duckdb.connect(str(ruta), read_only=True)
    cat = catalogo(con)
    ventana = rango("28d", cat.corte)
    casos = {
        "comuna, 28 días, r9": (Filtros(ventana.desde, ventana.hasta), 9),
        "comuna, año, r9": (Filtros(date(cat.corte.year, 1, 1), cat.corte), 9),
        "comuna, 28 días, r10": (Filtros(ventana.desde, ventana.hasta), 10),
        "sector El Golf, 28 d, r10": (
            Filtros(ventana.desde, ventana.hasta, sectores=("el-golf",)),
            10,
        ),
    }
    columnas = ["SQL desnudo", "Gi* completo", "evolución 12×28"]
    print(f"{'consulta, ms: mediana (mín)':<28}" + "".join(f"{c:>18}" for c in columnas))
    for nombre, (filtros, resolucion) in casos.items():
        desnudo = medir(sql_desnudo, con, filtros, resolucion)
        completo = medir(mapa.puntos_calientes, con, filtros, resolucion)
        evolucion = medir(mapa.evolucion, con, filtros, resolucion, 12, 28)
        print(f"{nombre:<28}" + "".join(f"{ms(m):>18}" for m in (desnudo, completo, evolucion)))
    con.close()


def carga_mapas(at: AppTest) -> int:
    return sum(len(m.proto.json) for m in at.get("deck_gl_json_chart"))


def pagina(ruta: Path) -> None:
    os.environ["OBSERVATORIO_DB"] = str(ruta)
    pasos = [
        ("período año a la fecha", lambda at: at.selectbox(key="f_periodo").set_value("aad")),
        ("más sector Fleming", lambda at: at.multiselect(key="f_sectores").select("fleming")),
        (
            "familia robos violentos",
            lambda at: at.multiselect(key="f_familias").select("robos_violentos"),
        ),
        ("capa puntos calientes", lambda at: at.radio(key="m_capa").set_value("calientes")),
        ("resolución 10", lambda at: at.selectbox(key="m_resolucion").set_value(10)),
        ("último trimestre", lambda at: at.selectbox(key="f_periodo").set_value("trimestre")),
    ]
    tiempos = {nombre: [] for nombre, _ in pasos}
    cargas = {}
    primera = []
    for _ in range(VUELTAS):
        st.cache_data.clear()
        at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=300)
        at.switch_page("paginas/mapa.py")
        inicio = time.perf_counter()
        at.run()
        primera.append(1000 * (time.perf_counter() - inicio))
        for nombre, paso in pasos:
            paso(at)
            inicio = time.perf_counter()
            at.run()
            tiempos[nombre].append(1000 * (time.perf_counter() - inicio))
            assert not at.exception, at.exception
            cargas[nombre] = carga_mapas(at)
    todos = [t for lista in tiempos.values() for t in lista]
    print(f"\nPágina Mapa completa (AppTest, {VUELTAS} vueltas), ms mediana (máx) · mapas enviados")
    print(f"  {'primera carga':<30}{ms((statistics.median(primera), max(primera))):>14}")
    for nombre, lista in tiempos.items():
        carga = f"{cargas[nombre] / 1e6:,.2f} MB".replace(".", ",")
        print(f"  {nombre:<30}{ms((statistics.median(lista), max(lista))):>14}{carga:>12}")
    print(f"  {'todas las reruns':<30}{ms((statistics.median(todos), max(todos))):>14}")


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or TAMANOS:
        ruta = base(n)
        print(f"\n=== Mapa · {n:,} incidentes ===".replace(",", "."))
        consultas(ruta)
        pagina(ruta)


if __name__ == "__main__":
    main()
