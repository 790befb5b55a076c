"""La página Mapa y sus exportaciones: casos por celda H3, puntos calientes (Gi*), su evolución y
la concentración de los casos."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

import duckdb
import h3.api.basic_int as h3
import numpy as np
import pandas as pd
import shapely

from consultas import celdas, espacial
from consultas.estadistica import clasificar, variacion_pct, z_poisson
from consultas.filtros import Filtros, limites, limites_con_anterior, parametros_actividades
from consultas.sql import leer, leer_arreglos

RESOLUCION_POR_DEFECTO = 9
MINIMO_CELDAS = 30  # con menos celdas, Gi* no tiene con qué comparar
LIMITE_PUNTOS = 5_000  # sobre este número de casos el mapa muestra celdas, no puntos
COLUMNAS_HOTSPOTS = ["h3", "casos", "gi_z", "p_valor", "p_fdr", "clase"]
COLUMNAS_EVOLUCION = [
    "h3",
    "barrio",
    "categoria",
    "periodos_calientes",
    "periodos_frios",
    "casos",
    "casos_ultimo",
    "z_ultimo",
    "tendencia_z",
    "p_tendencia",
]  # y z_p1 … z_pN: el z de Gi* de cada período, del más antiguo al último


class ResolucionInvalida(ValueError):
    pass


def validar_resolucion(resolucion: int) -> int:
    if resolucion not in celdas.RESOLUCIONES:
        raise ResolucionInvalida(
            f"La resolución H3 {resolucion} no está disponible: use un valor entre "
            f"{celdas.RESOLUCIONES[0]} y {celdas.RESOLUCIONES[-1]}."
        )
    return resolucion


class Geometrias(NamedTuple):
    territorio: shapely.Geometry
    barrios: tuple[tuple[str, str], ...]  # (nombre, GeoJSON) de cada barrio, por barrio_id


def geometrias(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> Geometrias:
    """El territorio (el contorno comunal, o la unión de los barrios de los sectores o barrios
    elegidos) y los polígonos de todos los barrios, en una sola consulta."""
    tabla = leer_arreglos(con, "geometrias_mapa", **filtros.parametros())
    hay = ~np.ma.getmaskarray(tabla["barrio_id"])  # la fila sin barrio si no hay barrios
    ids, nombres, poligonos, elegido = (
        np.ma.getdata(tabla[c])[hay] for c in ("barrio_id", "nombre", "geometria", "elegido")
    )
    if filtros.sectores or filtros.barrios:
        territorio = _union(tuple(poligonos[elegido.astype(bool)].tolist()))
    else:
        territorio = _de_geojson(tabla["comuna"][0])
    orden = np.argsort(ids, kind="stable")
    barrios = zip(nombres[orden].tolist(), poligonos[orden].tolist(), strict=True)
    return Geometrias(territorio, tuple(barrios))


# Las geometrías leídas de su texto (se repiten en cada consulta del mismo territorio): en caché
# según el texto mismo, así otra versión de los datos trae otro texto y otra entrada.
@lru_cache(maxsize=64)
def _de_geojson(texto: str) -> shapely.Geometry:
    return shapely.from_geojson(texto)


@lru_cache(maxsize=64)
def _union(textos: tuple[str, ...]) -> shapely.Geometry:
    return shapely.union_all(shapely.from_geojson(list(textos)))


def territorio(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> shapely.Geometry:
    """El contorno comunal, o la unión de los barrios de los sectores o barrios elegidos."""
    return geometrias(con, filtros).territorio


def _parametros_celda(filtros: Filtros, resolucion: int) -> dict:
    return celdas.parametros_padre(validar_resolucion(resolucion)) | filtros.parametros()


def casos_por_celda(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int
) -> pd.DataFrame:
    """Casos de cada celda con casos, en el período y en el anterior de igual largo."""
    return leer(
        con,
        "casos_por_celda",
        **limites_con_anterior(filtros.ventana),
        **_parametros_celda(filtros, resolucion),
    )


@lru_cache(maxsize=64)
def _cubierta(territorio_wkb: bytes, resolucion: int) -> np.ndarray:
    return celdas.universo(shapely.from_wkb(territorio_wkb), resolucion)


@lru_cache(maxsize=64)
def _pesos(universo_bytes: bytes):
    return celdas.vecindad(np.frombuffer(universo_bytes, dtype=np.uint64))


def _universo(territorio: shapely.Geometry, resolucion: int, observadas):
    """Celdas que cubren el territorio, más las celdas con casos que caen en su margen (las
    importaciones aceptan puntos hasta 500 m fuera del contorno simplificado, y el ancestro H3
    de un punto junto al borde puede quedar fuera), y sus pesos. Ambos se guardan en caché: son
    lo caro del mapa y se repiten en cada consulta del mismo territorio."""
    cubren = _cubierta(shapely.to_wkb(territorio), resolucion)
    universo = np.union1d(cubren, np.asarray(observadas, dtype=np.uint64))
    return universo, _pesos(universo.tobytes())


@lru_cache(maxsize=64)
def _ubicar(celdas_bytes: bytes) -> tuple[list[str], np.ndarray]:
    """Identificador estándar y centro (lat, lon) de cada celda; en caché porque el universo de
    un territorio se repite en cada consulta."""
    lista = np.frombuffer(celdas_bytes, dtype=np.uint64)
    centros = np.array([h3.cell_to_latlng(int(c)) for c in lista]).reshape(-1, 2)
    return celdas.texto(lista), centros


def _ubicacion(barrios: tuple[tuple[str, str], ...], lista: np.ndarray) -> dict:
    """Columnas h3, lat, lon y barrio de cada celda; `barrios` como en Geometrias. El barrio es
    el que contiene el centro; en el borde de la comuna, el más cercano."""
    textos, centros = _ubicar(lista.tobytes())
    barrio = _barrios_en_cache(centros.tobytes(), barrios)
    return {"h3": textos, "lat": centros[:, 0], "lon": centros[:, 1], "barrio": barrio}


@lru_cache(maxsize=64)
def _barrios_en_cache(centros_bytes: bytes, geometrias: tuple[tuple[str, str], ...]) -> np.ndarray:
    centros = np.frombuffer(centros_bytes).reshape(-1, 2)
    if centros.size == 0 or not geometrias:
        return np.full(len(centros), "", dtype=object)
    nombres = np.array([nombre for nombre, _ in geometrias], dtype=object)
    poligonos = shapely.from_geojson([geometria for _, geometria in geometrias])
    barrio = np.full(len(centros), "", dtype=object)
    # Cada punto dentro de un polígono (sin el borde, como contains_xy); si cae en dos, el último.
    puntos, poligono = shapely.STRtree(poligonos).query(
        shapely.points(centros[:, 1], centros[:, 0]), predicate="within"
    )
    ultimo = np.full(len(centros), -1)
    np.maximum.at(ultimo, puntos, poligono)
    barrio[ultimo >= 0] = nombres[ultimo[ultimo >= 0]]
    fuera = np.flatnonzero(barrio == "")
    if len(fuera):
        puntos = shapely.points(centros[fuera, 1], centros[fuera, 0])
        distancias = np.stack([shapely.distance(p, puntos) for p in poligonos])
        barrio[fuera] = nombres[np.argmin(distancias, axis=0)]
    return barrio


def puntos_calientes(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int
) -> pd.DataFrame:
    """Una fila por celda del universo (también las sin casos): casos, cambio contra el período
    anterior, z de Gi*, p bilateral, p ajustado por FDR y clase."""
    return pd.DataFrame(columnas_calientes(con, filtros, resolucion))


def columnas_calientes(con, filtros: Filtros, resolucion: int) -> dict[str, np.ndarray]:
    """Las columnas de `puntos_calientes` en arreglos (la Ficha arma la tabla solo con las filas
    de un barrio: el texto de todas las celdas en pandas costaba más que el SQL)."""
    conteo = leer_arreglos(
        con,
        "casos_por_celda",
        **limites_con_anterior(filtros.ventana),
        **_parametros_celda(filtros, resolucion),
    )
    geo = geometrias(con, filtros)
    universo, pesos = _universo(geo.territorio, resolucion, conteo["celda"])
    # En arreglos: merge, fillna y assign sobre pandas tomaban más que el SQL. El universo
    # contiene todas las celdas observadas.
    fila = np.searchsorted(universo, conteo["celda"].astype(np.uint64))
    actual, anterior = np.zeros(len(universo), np.int64), np.zeros(len(universo), np.int64)
    actual[fila], anterior[fila] = conteo["actual"], conteo["anterior"]
    z = espacial.gi_estrella(actual, pesos)
    p = espacial.p_bilateral(z)
    p_fdr = espacial.fdr(p)
    cambio = z_poisson(actual.astype(float), anterior.astype(float))
    return {
        "celda": universo,
        "actual": actual,
        "anterior": anterior,
        "variacion_pct": variacion_pct(actual, anterior),
        "z_poisson": cambio,
        "clasificacion": clasificar(cambio, actual, anterior),
        "casos": actual,
        "gi_z": z,
        "p_valor": p,
        "p_fdr": p_fdr,
        "clase": espacial.clase(z, p_fdr),
    } | _ubicacion(geo.barrios, universo)


def curva_concentracion(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int
) -> pd.DataFrame:
    """Una fila por celda con casos, de la que más tiene a la que menos: la curva de
    concentración (parte acumulada de celdas y de casos)."""
    conteo = casos_por_celda(con, filtros, resolucion)
    conteo = conteo[conteo["actual"] > 0].sort_values(["actual", "celda"], ascending=[False, True])
    n, total = len(conteo), conteo["actual"].sum()
    return pd.DataFrame(
        {
            "orden": np.arange(1, n + 1),
            "h3": celdas.texto(conteo["celda"]),
            "casos": conteo["actual"].to_numpy(),
            "parte_celdas": np.arange(1, n + 1) / n if n else [],
            "parte_casos": conteo["actual"].cumsum().to_numpy() / total if n else [],
        }
    )


def concentracion(con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int) -> dict:
    """La ley de concentración de espacial.concentracion sobre las celdas con casos, más lo que la
    regla del público necesita: cuántas celdas (las primeras) tienen 5 casos o más, y en qué
    celda cae cada corte."""
    casos = casos_por_celda(con, filtros, resolucion)["actual"].to_numpy()
    datos = espacial.concentracion(casos)
    return datos | {
        "visibles": int((casos >= 5).sum()),
        "celda_top5": int(np.ceil(0.05 * datos["celdas"])),
        "celda_top10": int(np.ceil(0.10 * datos["celdas"])),
    }


def _finales(hasta: date, periodos: int, dias: int) -> list[date]:
    return [hasta - timedelta(days=dias * (periodos - 1 - k)) for k in range(periodos)]


def _tramos(finales: list[date], dias: int) -> dict:
    return {
        "periodo": range(len(finales)),
        "desde": [f - timedelta(days=dias - 1) for f in finales],
        "hasta": finales,
    }


def periodos_evolucion(hasta: date, periodos: int, dias: int) -> pd.DataFrame:
    """Los `periodos` períodos de `dias` días que terminan en `hasta` (el 0 es el más antiguo)."""
    return pd.DataFrame(_tramos(_finales(hasta, periodos, dias), dias))


def evolucion(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int, periodos: int, dias: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gi* de cada celda en cada período y su categoría de evolución (espacial.REGLAS).

    Devuelve (una fila por celda del universo, una fila por período con sus casos y celdas
    calientes). Los períodos terminan en la fecha final del filtro, no en su fecha inicial.
    """
    finales = _finales(filtros.hasta, periodos, dias)
    conteo = leer_arreglos(
        con,
        "casos_por_celda_y_periodo",
        desde=datetime.combine(finales[0] - timedelta(days=dias - 1), time()),
        hasta=datetime.combine(filtros.hasta + timedelta(days=1), time()),
        ultimo=filtros.hasta,
        periodos=periodos,
        dias=dias,
        **_parametros_celda(filtros, resolucion),
    )
    geo = geometrias(con, filtros)
    celda = conteo["celda"].astype(np.uint64)
    universo, pesos = _universo(geo.territorio, resolucion, celda)
    matriz = np.zeros((len(universo), periodos))
    # Una fila de la consulta por celda y período (GROUP BY): se escribe, no hace falta sumar.
    matriz[np.searchsorted(universo, celda), conteo["periodo"]] = conteo["casos"]
    z = espacial.gi_estrella_columnas(matriz, pesos)
    p_fdr = espacial.fdr_columnas(espacial.p_bilateral(z))
    significativas = p_fdr < (100 - min(espacial.NIVELES)) / 100  # al 90 % o más
    calientes, frios = significativas & (z > 0), significativas & (z < 0)
    tendencia, p_tendencia = espacial.mann_kendall_filas(np.nan_to_num(z))
    tabla = pd.DataFrame(
        {
            "celda": universo,
            "categoria": espacial.categorias(calientes, frios, tendencia, p_tendencia),
            "periodos_calientes": calientes.sum(axis=1),
            "periodos_frios": frios.sum(axis=1),
            "casos": matriz.sum(axis=1).astype(int),
            "casos_ultimo": matriz[:, -1].astype(int),
            "z_ultimo": z[:, -1],
            "tendencia_z": tendencia,
            "p_tendencia": p_tendencia,
        }
        | {f"z_p{t + 1}": z[:, t] for t in range(periodos)}
        | _ubicacion(geo.barrios, universo)
    )
    tramos = pd.DataFrame(
        _tramos(finales, dias)
        | {"casos": matriz.sum(axis=0).astype(int), "calientes": calientes.sum(axis=0)}
    )
    return tabla, tramos


def puntos(con: duckdb.DuckDBPyConnection, filtros: Filtros, limite: int = LIMITE_PUNTOS):
    """Hasta `limite` casos individuales con su ubicación (solo para el rol analista)."""
    desde, hasta = limites(filtros.ventana)
    return leer(
        con, "puntos_incidentes", desde=desde, hasta=hasta, limite=limite, **filtros.parametros()
    )


def camaras_por_celda(con: duckdb.DuckDBPyConnection, filtros: Filtros, resolucion: int):
    """Registros de cámaras municipales por celda en el período y el territorio filtrados."""
    solo_camaras = replace(filtros, fuente="camaras", familias=(), delitos=())
    tabla = casos_por_celda(con, solo_camaras, resolucion)
    ubicacion = _ubicacion(geometrias(con, filtros).barrios, tabla["celda"].to_numpy(np.uint64))
    return tabla.assign(**ubicacion)


def actividades_por_barrio(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, lineas: tuple[str, ...] = ()
) -> pd.DataFrame:
    return leer(con, "actividades_por_barrio", **parametros_actividades(filtros, lineas))


def lineas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return leer(con, "lineas")


# --- Frases que acompañan a cada gráfico (también son su texto alternativo) ------------------

PROMEDIO_MINIMO = 0.5  # casos por celda bajo el cual Gi* con la normal exagera


def _numero(valor: float) -> str:
    return f"{valor:,.0f}".replace(",", ".")


def _lista(nombres: list[str]) -> str:
    return nombres[0] if len(nombres) == 1 else f"{', '.join(nombres[:-1])} y {nombres[-1]}"


def frase_mapa(tabla: pd.DataFrame, resolucion: int) -> str:
    """Qué muestra el mapa, en palabras: casos, celdas y dónde están los puntos calientes."""
    total = int(tabla["casos"].sum())
    con_casos = int((tabla["casos"] > 0).sum())
    texto = (
        f"{_numero(total)} casos en {_numero(con_casos)} de las {_numero(len(tabla))} celdas "
        f"de resolución {resolucion} del territorio."
    )
    if len(tabla) < MINIMO_CELDAS:
        return texto
    calientes = tabla[tabla["clase"] == f"{espacial.CALIENTE} 99 %"]
    if calientes.empty:
        return texto + " Ninguna celda es punto caliente al 99 %."
    barrios = calientes.groupby("barrio")["gi_z"].max().sort_values(ascending=False)
    celdas_txt = "1 celda es" if len(calientes) == 1 else f"{len(calientes)} celdas son"
    return texto + (
        f" {celdas_txt} punto caliente al 99 %, sobre todo en {_lista(list(barrios.index[:3]))}."
    )


def frase_evolucion(tabla: pd.DataFrame, periodos: str) -> str:
    conteo = tabla["categoria"].value_counts()
    partes = [
        f"{conteo[c]} {c}" for c in espacial.CATEGORIAS if c != espacial.SIN_PATRON and c in conteo
    ]
    if not partes:
        return f"En los {periodos} ninguna celda fue punto caliente con un patrón reconocible."
    return f"En los {periodos}, celdas por categoría: {_lista(partes)}."


def frase_concentracion(concentracion: dict) -> str:
    if not concentracion["celdas"]:
        return "No hay casos para medir su concentración."
    if pd.isna(concentracion["top10"]) or pd.isna(concentracion["casos"]):
        return (
            "La parte de los casos en el 10 % de las celdas con más casos no se publica: ese corte "
            "cae entre celdas con menos de 5 casos."
        )
    parte = f"{100 * concentracion['top10']:.0f}".replace(".", ",")
    return (
        f"El 10 % de las celdas con casos que más casos tienen reúne el {parte} % de los "
        f"{_numero(concentracion['casos'])} casos."
    )
