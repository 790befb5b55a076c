"""Benchmark de las estimaciones de la encuesta y de la página Percepción.

Compara, en la misma ejecución, el cálculo vectorizado que usa la página (todos los dominios e
indicadores de una ola a la vez) con una línea base que llama al mismo estimador una vez por
dominio e indicador. Uso: `make bench` (genera una base de demostración si falta).
"""

import os
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from bench.comun import medir
from consultas import encuestas
from consultas.sql import leer
from datos import demo

RUTA = Path("bench/resultados/bench_percepcion.duckdb")
REPETICIONES = 5


def base() -> Path:
    if not RUTA.exists():
        print(f"Generando la demostración en {RUTA}…", file=sys.stderr)
        demo.generar(RUTA, incidentes=100_000)
    return RUTA


def dominios(datos: pd.DataFrame, barrios: pd.DataFrame) -> pd.DataFrame:
    columnas = {"comuna": pd.Series(True, index=datos.index)}
    columnas |= {f"sector:{s}": datos["sector_id"] == s for s in barrios["sector_id"].unique()}
    columnas |= {f"barrio:{b}": datos["barrio_id"] == b for b in barrios["barrio_id"]}
    return pd.DataFrame(columnas)


def linea_base(datos, indicadores, dom) -> int:
    """Una llamada por dominio e indicador: el mismo cálculo, sin vectorizar."""
    filas = 0
    for nombre in dom.columns:
        for indicador in indicadores:
            filas += len(encuestas.estimar(datos, [indicador], dom[[nombre]]))
    return filas


def main() -> None:
    con = duckdb.connect(str(base()), read_only=True)
    olas = tuple(encuestas.olas(con))
    indicadores = list(encuestas.indicadores(con))
    datos = leer(con, "respuestas_encuesta", olas=[olas[0]])
    dom = dominios(datos, leer(con, "barrios"))
    print(
        f"Ola {olas[0]}: {len(datos)} respuestas, {dom.shape[1]} dominios, "
        f"{len(indicadores)} indicadores · mediana (mínimo) en ms"
    )
    for nombre, funcion, argumentos in [
        ("vectorizado (página)", encuestas.estimar, (datos, indicadores, dom)),
        ("línea base: uno a uno", linea_base, (datos, indicadores, dom)),
        ("estimaciones: 1 ola", encuestas.estimaciones, (con, olas[:1])),
        (f"estimaciones: {len(olas)} olas", encuestas.estimaciones, (con, olas)),
    ]:
        mediana, minimo = medir(funcion, *argumentos)
        tiempo = f"{mediana:>8,.0f} ({minimo:,.0f})".replace(",", ".")
        print(f"  {nombre:<28}{tiempo}")
    con.close()
    pagina()


def pagina() -> None:
    os.environ["OBSERVATORIO_DB"] = str(RUTA)
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=300)
    at.run()
    pasos = [
        ("primera carga", lambda: at.switch_page("paginas/percepcion.py").run()),
        ("otro indicador", lambda: at.selectbox(key="p_indicador").set_value("denuncio").run()),
        ("dos olas", lambda: at.multiselect(key="f_olas").set_value(list(at_olas(at))).run()),
        ("sector Fleming", lambda: at.multiselect(key="f_sectores").select("fleming").run()),
    ]
    print("\nPágina Percepción completa (AppTest), en ms:")
    for nombre, paso in pasos:
        inicio = time.perf_counter()
        paso()
        tiempo = f"{1000 * (time.perf_counter() - inicio):>8,.0f}".replace(",", ".")
        print(f"  {nombre:<28}{tiempo}")


def at_olas(at) -> list[str]:
    return at.multiselect(key="f_olas").options[:2]


if __name__ == "__main__":
    main()
