"""La página Resumen y `observatorio exportar resumen`: casos, tasas y comparaciones CompStat."""

import duckdb
import pandas as pd

from consultas.estadistica import comparar, tasa_por_mil
from consultas.filtros import Filtros, limites
from consultas.periodos import Comparacion, comparacion_seleccion, comparaciones_compstat
from consultas.sql import leer

TODAS = "Todas las familias"
COLUMNAS = [
    "unidad",
    "familia",
    "periodo",
    "comparacion",
    "desde",
    "hasta",
    "actual",
    "anterior",
    "variacion_pct",
    "z_poisson",
    "clasificacion",
]


def poblacion(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> int:
    return int(leer(con, "poblacion", **filtros.parametros())["poblacion"].iloc[0])


def _casos_por_ventana(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, comparaciones: list[Comparacion]
) -> pd.DataFrame:
    """Casos por (ventana, familia) de todas las ventanas, en una sola consulta."""
    ventanas = {}
    for c in comparaciones:
        ventanas[(c.periodo, "actual")] = c.actual
        ventanas.update({(c.periodo, nombre): v for nombre, v in c.referencias.items()})
    claves = [f"{periodo}|{nombre}" for periodo, nombre in ventanas]
    bordes = [limites(v) for v in ventanas.values()]
    return leer(
        con,
        "casos_por_ventana_y_familia",
        ventanas=claves,
        desdes=[d for d, _ in bordes],
        hastas=[h for _, h in bordes],
        inicio=min(d for d, _ in bordes),
        fin=max(h for _, h in bordes),
        **filtros.parametros(),
    )


def tabla_comparacion(
    con: duckdb.DuckDBPyConnection,
    filtros: Filtros,
    unidad: str,
    comparaciones: list[Comparacion] | None = None,
) -> pd.DataFrame:
    """Tabla larga: una fila por familia (y "Todas"), período y comparación."""
    if comparaciones is None:
        comparaciones = [
            comparacion_seleccion(filtros.ventana),
            *comparaciones_compstat(filtros.hasta),
        ]
    casos = _casos_por_ventana(con, filtros, comparaciones)
    familias = [TODAS, *casos.sort_values("orden")["familia"].drop_duplicates()]
    conteo = casos.set_index(["ventana", "familia"])["casos"].to_dict()
    conteo |= casos.groupby("ventana")["casos"].sum().rename(lambda v: (v, TODAS)).to_dict()
    filas = []
    for c in comparaciones:
        for nombre in c.referencias:
            for familia in familias:
                filas.append(
                    {
                        "unidad": unidad,
                        "familia": familia,
                        "periodo": c.periodo,
                        "comparacion": nombre,
                        "desde": c.actual.desde,
                        "hasta": c.actual.hasta,
                        "actual": conteo.get((f"{c.periodo}|actual", familia), 0),
                        "anterior": conteo.get((f"{c.periodo}|{nombre}", familia), 0),
                    }
                )
    return comparar(pd.DataFrame(filas))[COLUMNAS]


def fila(tabla: pd.DataFrame, periodo: str, comparacion: str, familia: str = TODAS) -> pd.Series:
    """La fila de una comparación de la tabla, o una serie vacía si no existe."""
    filas = tabla[
        (tabla["periodo"] == periodo)
        & (tabla["comparacion"] == comparacion)
        & (tabla["familia"] == familia)
    ]
    return filas.iloc[0] if len(filas) else pd.Series(dtype=object)


def barrios_comparados(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> pd.DataFrame:
    """Por barrio: casos del período y del período anterior, tasa por 1.000 y z de Poisson."""
    desde, hasta = limites(filtros.ventana)
    desde_anterior, _ = limites(filtros.ventana.anterior())
    df = leer(
        con,
        "casos_por_barrio",
        desde=desde,
        hasta=hasta,
        desde_anterior=desde_anterior,
        **filtros.parametros(),
    )
    df = comparar(df)
    return df.assign(tasa=tasa_por_mil(df["actual"], df["poblacion"]))
