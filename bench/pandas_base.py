"""Línea base: las mismas agregaciones de una página hechas en pandas, en un proceso propio.

Se leen en pandas las columnas de `incidentes` que la página necesita (como lo haría un tablero que
carga los datos en memoria) y se hacen con groupby los conteos que la página pide a DuckDB, con los
filtros por defecto (casos policiales, últimos 28 días, toda la comuna). Se mide la carga, las
agregaciones y la memoria máxima del proceso.

Uso: python -m bench.pandas_base N pagina salida.json (lo llama bench/informe.py).
"""

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench import comun
from consultas import celdas
from consultas.catalogos import catalogo
from consultas.filtros import limites
from consultas.periodos import comparacion_seleccion, comparaciones_compstat, rango

BASICAS = ["fecha_hora", "fuente", "familia", "delito", "barrio_id"]
COLUMNAS = {
    "resumen": BASICAS,
    "tendencias": BASICAS,
    "mapa": [*BASICAS, "h3_11"],
    "percepcion": ["fecha_hora", "fuente", "delito", "barrio_id"],
    "cobertura": ["fecha_hora", "fuente", "delito", "barrio_id", "h3_11"],
    "barrio": [*BASICAS, "h3_11"],
    "datos": ["fecha_hora", "fuente"],
}


def entre(df: pd.DataFrame, ventana) -> pd.DataFrame:
    desde, hasta = limites(ventana)
    return df[(df["fecha_hora"] >= desde) & (df["fecha_hora"] < hasta)]


def por_barrio(df: pd.DataFrame, actual, anterior) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "actual": entre(df, actual).groupby("barrio_id").size(),
            "anterior": entre(df, anterior).groupby("barrio_id").size(),
        }
    )


def por_celda(df: pd.DataFrame, resolucion: int = 9) -> pd.Series:
    return df.groupby(celdas.padre(df["h3_11"].to_numpy(), resolucion)).size()


def resumen(df, ctx) -> list:
    policial = df[df["fuente"] == "policial"]
    comparaciones = [comparacion_seleccion(ctx["ventana"]), *comparaciones_compstat(ctx["corte"])]
    ventanas = [v for c in comparaciones for v in (c.actual, *c.referencias.values())]
    familias = [entre(policial, v).groupby("familia").size() for v in ventanas]
    return [*familias, por_barrio(policial, ctx["ventana"], ctx["ventana"].anterior())]


def tendencias(df, ctx) -> list:
    policial = df[df["fuente"] == "policial"]
    v = ctx["ventana"]
    periodo = entre(policial, v)
    return [
        policial["fecha_hora"].min(),
        policial.groupby([policial["fecha_hora"].dt.floor("D"), "delito"]).size(),
        periodo.groupby(
            [periodo["fecha_hora"].dt.day_of_week, periodo["fecha_hora"].dt.hour]
        ).size(),
        por_barrio(policial, v, v.anterior()),
        entre(policial, v.anio_anterior()).groupby("barrio_id").size(),
    ]


def mapa(df, ctx) -> list:
    policial = df[df["fuente"] == "policial"]
    v = ctx["ventana"]
    hasta = datetime.combine(ctx["corte"] + timedelta(days=1), datetime.min.time())
    desde = hasta - timedelta(days=12 * 28)
    tramo = policial[(policial["fecha_hora"] >= desde) & (policial["fecha_hora"] < hasta)]
    periodo = (hasta - tramo["fecha_hora"]).dt.days // 28
    celda = celdas.padre(tramo["h3_11"].to_numpy(), 9)
    return [
        por_celda(entre(policial, v)),
        por_celda(entre(policial, v.anterior())),
        tramo.groupby([celda, periodo.to_numpy()]).size(),
    ]


def dmcs(df, ctx) -> pd.DataFrame:
    return df[(df["fuente"] == "policial") & df["delito"].isin(ctx["dmcs"])]


def percepcion(df, ctx) -> list:
    casos = dmcs(df, ctx)
    hasta = pd.Timestamp(ctx["inicio_ola"])
    anio = casos[
        (casos["fecha_hora"] >= hasta - pd.DateOffset(years=1)) & (casos["fecha_hora"] < hasta)
    ]
    return [anio["barrio_id"].map(ctx["sector"]).value_counts()]


def cobertura(df, ctx) -> list:
    casos = dmcs(df, ctx)
    periodo = entre(casos, ctx["ventana"])
    return [
        periodo.groupby("barrio_id").size(),
        por_celda(periodo),
        casos.groupby(["barrio_id", casos["fecha_hora"].dt.floor("D")]).size(),
    ]


def barrio(df, ctx) -> list:
    policial = df[df["fuente"] == "policial"]
    v = ctx["ventana"]
    del_barrio = entre(policial[policial["barrio_id"] == "el-golf"], v)
    meses = policial[
        policial["fecha_hora"] >= pd.Timestamp(ctx["corte"]) - pd.DateOffset(months=24)
    ]
    mes = meses["fecha_hora"].dt.to_period("M")
    casos = dmcs(df, ctx)
    return [
        por_barrio(policial, v, v.anterior()),
        meses.groupby([mes, meses["barrio_id"] == "el-golf"]).size(),
        del_barrio.groupby("delito").size().nlargest(10),
        del_barrio.groupby(
            [del_barrio["fecha_hora"].dt.day_of_week, del_barrio["fecha_hora"].dt.hour]
        ).size(),
        por_celda(entre(policial, v)),
        casos.groupby(["barrio_id", casos["fecha_hora"].dt.floor("D")]).size(),
    ]


def datos(df, ctx) -> list:
    return [df.groupby("fuente")["fecha_hora"].max(), df["fecha_hora"].min()]


AGREGACIONES = {
    "resumen": resumen,
    "tendencias": tendencias,
    "mapa": mapa,
    "percepcion": percepcion,
    "cobertura": cobertura,
    "barrio": barrio,
    "datos": datos,
}


def contexto(con) -> dict:
    cat = catalogo(con)
    barrios = cat.barrios.set_index("barrio_id")["sector_id"]
    inicio = con.execute("SELECT min(fecha) FROM encuesta_respuestas WHERE ola = ?", [cat.olas[0]])
    return {
        "corte": cat.corte,
        "ventana": rango("28d", cat.corte),
        "dmcs": set(cat.delitos.loc[cat.delitos["grupo_dmcs"].notna(), "delito"]),
        "sector": barrios,
        "inicio_ola": inicio.fetchone()[0],
    }


def main() -> None:
    n, pagina, salida = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    ruta = comun.base(n)
    rss_antes = comun.rss_maximo_mb()
    con = duckdb.connect(str(ruta), read_only=True)
    ctx = contexto(con)
    inicio = time.perf_counter()
    df = con.execute(f"SELECT {', '.join(COLUMNAS[pagina])} FROM incidentes").df()
    carga = 1000 * (time.perf_counter() - inicio)
    con.close()
    inicio = time.perf_counter()
    resultados = AGREGACIONES[pagina](df, ctx)
    agregacion = 1000 * (time.perf_counter() - inicio)
    comun.escribir(
        salida,
        {
            "pagina": pagina,
            "filas": len(df),
            "columnas": COLUMNAS[pagina],
            "carga_ms": round(carga, 1),
            "agregacion_ms": round(agregacion, 1),
            "total_ms": round(carga + agregacion, 1),
            "memoria_df_mb": round(df.memory_usage(deep=True).sum() / 2**20, 1),
            "rss_antes_mb": rss_antes,
            "rss_maximo_mb": comun.rss_maximo_mb(),
            "resultados": len(resultados),
            "control": int(
                np.int64(sum(len(r) if hasattr(r, "__len__") else 1 for r in resultados))
            ),
        },
    )


if __name__ == "__main__":
    main()
