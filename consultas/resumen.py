"""La página Resumen y `observatorio exportar resumen`: casos, tasas y comparaciones CompStat."""

import duckdb
import numpy as np
import pandas as pd

from consultas.estadistica import clasificar, comparar, tasa_por_mil, variacion_pct, z_poisson
from consultas.filtros import Filtros, limites, limites_con_anterior
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
    # En listas de Python y un solo DataFrame al final: la tabla es pequeña (≈ 60 filas) y
    # sort_values, groupby, assign y un DataFrame de diccionarios tomaban más que el SQL.
    conteo: dict[tuple[str, str], int] = {}
    ordenes = {}
    for ventana, familia, orden, n in zip(
        casos["ventana"].tolist(),
        casos["familia"].tolist(),
        casos["orden"].tolist(),
        casos["casos"].tolist(),
        strict=True,
    ):
        conteo[(ventana, familia)] = n
        conteo[(ventana, TODAS)] = conteo.get((ventana, TODAS), 0) + n
        ordenes[familia] = orden
    familias = [TODAS, *sorted(ordenes, key=ordenes.get)]
    columnas = {c: [] for c in COLUMNAS[:8]}
    for c in comparaciones:
        for nombre in c.referencias:
            for familia in familias:
                for columna, valor in zip(
                    COLUMNAS[:8],
                    (
                        unidad,
                        familia,
                        c.periodo,
                        nombre,
                        c.actual.desde,
                        c.actual.hasta,
                        conteo.get((f"{c.periodo}|actual", familia), 0),
                        conteo.get((f"{c.periodo}|{nombre}", familia), 0),
                    ),
                    strict=True,
                ):
                    columnas[columna].append(valor)
    actual = np.array(columnas["actual"], dtype=np.int64)
    anterior = np.array(columnas["anterior"], dtype=np.int64)
    z = z_poisson(actual, anterior)
    return pd.DataFrame(
        columnas
        | {
            "actual": actual,
            "anterior": anterior,
            "variacion_pct": variacion_pct(actual, anterior),
            "z_poisson": z,
            "clasificacion": clasificar(z, actual, anterior),
        }
    )


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
    df = leer(
        con,
        "casos_por_barrio",
        **limites_con_anterior(filtros.ventana),
        **filtros.parametros(),
    )
    df = comparar(df)
    return df.assign(tasa=tasa_por_mil(df["actual"], df["poblacion"]))
