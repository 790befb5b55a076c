"""La página Cobertura y `observatorio exportar cobertura`: actividades del programa por barrio y
su cruce con un índice de necesidad.

Índice de necesidad de cada barrio (se compara con todos los barrios de la comuna, aunque la página
muestre un sector):

    necesidad = Σ pesoₖ · puntajeₖ / Σ pesoₖ   (sobre los componentes con dato)

- tasa: casos policiales DMCS por 1.000 habitantes en el período (sin población, sin dato);
- calientes: parte de las celdas H3 de resolución 9 del barrio que son punto caliente (Gi* con
  FDR, al 90 % o más) con los casos DMCS del período en toda la comuna;
- percepcion: proporción que se siente insegura en su barrio, en la última ola iniciada al final
  del período; la del barrio si es al menos «poco fiable», si no la de su sector si lo es, y si
  no, sin dato (el componente se deja fuera de ese barrio y los pesos se reparten entre los otros).

El puntaje de un componente es la posición del barrio entre los barrios con dato: 0 el menor de la
comuna, 1 el mayor ((rango − 1) / (n − 1), empates al menor rango).
"""

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from consultas import celdas, encuestas, espacial, mapa
from consultas.espacial import CALIENTE
from consultas.filtros import Filtros, limites_con_anterior, parametros_actividades
from consultas.sql import leer, leer_arreglos, sin_nulos

LINEAS = ("2.1", "2.2", "2.3", "2.4", "2.5")
COMPONENTES = {
    "tasa": "Tasa DMCS por 1.000 hab.",
    "calientes": "Celdas calientes",
    "percepcion": "Inseguridad percibida",
}
PESOS_POR_DEFECTO = (1, 1, 1)  # tasa, calientes, percepción
UMBRAL_POR_DEFECTO = 10  # hogares alcanzados por 100 hogares
PARTE_ALTA = 2 / 3  # necesidad alta: el tercio superior de la comuna
INDICADOR = "inseguro_barrio"
DIAS_MES = 30.4375
COLUMNAS = [
    "barrio",
    "sector",
    "poblacion",
    "hogares",
    "actividades",
    *LINEAS,
    "participantes",
    "hogares_alcanzados",
    "hogares_por_100",
    "ultima_actividad",
    "meses_desde_ultima",
    "casos_dmcs",
    "tasa_dmcs",
    "celdas",
    "celdas_calientes",
    "parte_calientes",
    "inseguridad",
    "origen_inseguridad",
    "necesidad",
    "prioritario",
]


def _leer_cobertura(con, filtros: Filtros, lineas, barrios, sectores) -> pd.DataFrame:
    return leer(
        con,
        "cobertura_por_barrio",
        desde=filtros.desde,
        ultimo=filtros.hasta,
        lineas=list(lineas),
        barrios=list(barrios),
        sectores=list(sectores),
    )


def _con_medidas(tabla: pd.DataFrame, filtros: Filtros) -> pd.DataFrame:
    hogares = tabla["hogares"].to_numpy(float)
    ultima = pd.to_datetime(tabla["ultima"])
    return tabla.rename(columns={"ultima": "ultima_actividad"}).assign(
        hogares_por_100=100 * tabla["hogares_alcanzados"].to_numpy() / _con_dato(hogares),
        meses_desde_ultima=(pd.Timestamp(filtros.hasta) - ultima).dt.days / DIAS_MES,
        ultima_actividad=ultima.dt.date,
    )


def cobertura(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, lineas: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Por barrio del territorio: actividades por línea, participantes, hogares alcanzados (por
    100 hogares) y meses desde la última actividad al final del período."""
    tabla = _leer_cobertura(con, filtros, lineas, filtros.barrios, filtros.sectores)
    return _con_medidas(tabla, filtros)


def actividades_por_tipo(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, lineas: tuple[str, ...] = ()
) -> pd.DataFrame:
    return leer(con, "actividades_por_tipo", **parametros_actividades(filtros, lineas))


# --- Componentes de la necesidad -------------------------------------------------------------


def filtros_dmcs(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> Filtros:
    """Los casos de la necesidad: policiales DMCS del período, en toda la comuna."""
    delitos = tuple(leer(con, "delitos_dmcs")["delito"])
    return replace(
        filtros, fuente="policial", familias=(), delitos=delitos, sectores=(), barrios=()
    )


def _alinear(claves, de, valores, relleno=0) -> np.ndarray:
    """Los `valores` de cada clave de `claves` según la columna `de` (`relleno` si falta): el
    cruce de un merge izquierdo, en arreglos."""
    posicion = {c: k for k, c in enumerate(np.asarray(de, dtype=object).tolist())}
    valores = np.asarray(valores)
    claves = np.asarray(claves, dtype=object).tolist()
    tomar = np.array([posicion.get(c, -1) for c in claves], dtype=np.int64)
    return np.where(tomar >= 0, valores[tomar] if len(valores) else relleno, relleno)


def _con_dato(valores: np.ndarray) -> np.ndarray:
    """Los valores positivos; los demás (y los faltantes), sin dato: un denominador."""
    return np.where(valores > 0, valores, np.nan)


def _tasa_y_calientes(con, filtros: Filtros, barrios) -> dict[str, np.ndarray]:
    """Los componentes tasa y calientes de una sola lectura de los casos DMCS por celda y barrio:
    los mismos números que `dmcs_por_barrio` y que `mapa.puntos_calientes` con `filtros_dmcs`
    (el mismo universo, Gi*, FDR y barrio del centro de cada celda). `barrios`: columnas
    barrio_id, nombre y poblacion (de un DataFrame o en arreglos)."""
    resolucion = mapa.RESOLUCION_POR_DEFECTO
    conteo = leer_arreglos(
        con,
        "dmcs_por_celda_y_barrio",
        **limites_con_anterior(filtros.ventana),
        **celdas.parametros_padre(resolucion),
    )
    casos = conteo["casos"].astype(np.int64)
    ids = np.asarray(barrios["barrio_id"], dtype=object)
    posicion = {b: k for k, b in enumerate(ids.tolist())}
    con_barrio = sin_nulos(conteo["barrio_id"], None).tolist()
    fila = np.fromiter((posicion.get(b, -1) for b in con_barrio), np.int64, len(con_barrio))
    casos_dmcs = np.bincount(fila[fila >= 0], weights=casos[fila >= 0], minlength=len(ids))
    casos_dmcs = casos_dmcs.astype(int)
    observadas, en_celda = np.unique(conteo["celda"].astype(np.uint64), return_inverse=True)
    geo = mapa.geometrias(con, replace(filtros, sectores=(), barrios=()))
    universo, pesos = mapa._universo(geo.territorio, resolucion, observadas)
    actual = np.zeros(len(universo), np.int64)
    actual[np.searchsorted(universo, observadas)] = np.bincount(en_celda, weights=casos)
    caliente = np.zeros(len(universo), dtype=bool)
    if len(universo) >= mapa.MINIMO_CELDAS:  # sin prueba: ninguna celda es caliente
        z = espacial.gi_estrella(actual, pesos)
        clases = espacial.clase(z, espacial.fdr(espacial.p_bilateral(z)))
        caliente = np.char.startswith(clases.astype(str), CALIENTE)
    codigos, nombres = pd.factorize(mapa._ubicacion(geo.barrios, universo)["barrio"])
    en_barrio = codigos >= 0
    por_barrio = np.bincount(codigos[en_barrio], minlength=len(nombres))
    calientes_por_barrio = np.bincount(
        codigos[en_barrio], weights=caliente[en_barrio], minlength=len(nombres)
    ).astype(int)
    celdas_barrio = _alinear(barrios["nombre"], nombres, por_barrio).astype(int)
    calientes = _alinear(barrios["nombre"], nombres, calientes_por_barrio).astype(int)
    poblacion = np.asarray(barrios["poblacion"], dtype=float)
    return {
        "casos_dmcs": casos_dmcs,
        "tasa_dmcs": 1000 * casos_dmcs / _con_dato(poblacion),
        "celdas": celdas_barrio,
        "celdas_calientes": calientes,
        "parte_calientes": calientes / _con_dato(celdas_barrio.astype(float)),
    }


def ola_vigente(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> str | None:
    """La última ola de la encuesta iniciada al final del período (o ninguna)."""
    ola = leer(con, "ola_vigente", hasta=filtros.hasta)["ola"].iloc[0]
    return None if pd.isna(ola) else str(ola)


def _inseguridad(sumas: encuestas.Celdas, barrios) -> tuple[np.ndarray, np.ndarray]:
    """Estimación de INDICADOR (sin dato si es "no fiable") de cada barrio y de su sector en las
    celdas de la ola: los mismos dominios y las mismas sumas que `encuestas.estimaciones`, solo
    los que la necesidad usa (la estimación de un dominio no depende de los demás)."""
    nada = np.full(len(barrios["barrio_id"]), np.nan)
    if INDICADOR not in sumas.columnas:  # no es un indicador 0/1
        return nada, nada
    propios = {c: np.asarray(barrios[c], dtype=object) for c in ("barrio_id", "sector_id")}
    # Cada unidad una vez, en su orden; las posiciones con diccionarios (`encuestas._posiciones`,
    # como `pd.Index.get_indexer` sin armar índices de pandas).
    ids = {c: np.array(list(dict.fromkeys(v.tolist())), dtype=object) for c, v in propios.items()}
    niveles = [
        (encuestas._posiciones(ids["barrio_id"], sumas.barrio_id), len(ids["barrio_id"])),
        (encuestas._posiciones(ids["sector_id"], sumas.sector_id), len(ids["sector_id"])),
    ]
    est = sumas.estimar(niveles)
    valores = np.where(est["calidad"] != encuestas.NO_FIABLE, est["estimacion"], np.nan)
    de_barrio, de_sector = valores[: len(ids["barrio_id"])], valores[len(ids["barrio_id"]) :]
    propia = de_barrio[encuestas._posiciones(ids["barrio_id"], propios["barrio_id"])]
    sector = de_sector[encuestas._posiciones(ids["sector_id"], propios["sector_id"])]
    return propia, sector


def _percepcion(con, filtros: Filtros, barrios) -> dict[str, np.ndarray]:
    """Las columnas inseguridad y origen_inseguridad de cada barrio (`barrios`: columnas barrio_id
    y sector_id, de un DataFrame o en arreglos)."""
    n = len(barrios["barrio_id"])
    vacia = {"inseguridad": np.full(n, np.nan), "origen_inseguridad": np.full(n, "")}
    try:
        sumas = encuestas.Celdas.leer(con, [INDICADOR], "celdas_ola_vigente", hasta=filtros.hasta)
    except duckdb.BinderException:  # la encuesta no tiene la columna INDICADOR
        return vacia
    if not len(sumas.ola):  # ninguna ola iniciada al final del período
        return vacia
    ola = str(sumas.ola[0])
    de_barrio, de_sector = _inseguridad(sumas, barrios)
    origen = np.select(
        [~np.isnan(de_barrio), ~np.isnan(de_sector)], [f"barrio ({ola})", f"sector ({ola})"], ""
    )
    return {
        "inseguridad": np.where(np.isnan(de_barrio), de_sector, de_barrio),
        "origen_inseguridad": origen,
    }


def puntaje(valores: pd.Series) -> pd.Series:
    """Posición entre los valores con dato: 0 el menor, 1 el mayor; empates al menor rango."""
    n = valores.notna().sum()
    if n <= 1:
        return valores.where(valores.isna(), 0.0)
    return (valores.rank(method="min") - 1) / (n - 1)


def indice(componentes: pd.DataFrame, pesos: tuple[int, int, int]) -> pd.Series:
    """Promedio ponderado de los puntajes con dato; sin ningún componente con peso, sin dato."""
    return pd.Series(_indice(componentes, pesos), index=componentes.index)


def _indice(componentes, pesos: tuple[int, int, int]) -> np.ndarray:
    puntajes = np.column_stack(
        [
            puntaje(pd.Series(componentes[c])).to_numpy(float)
            for c in ("tasa_dmcs", "parte_calientes", "inseguridad")
        ]
    )
    w = np.asarray(pesos, dtype=float)
    suma_pesos = (~np.isnan(puntajes) * w).sum(axis=1)
    suma = (np.nan_to_num(puntajes, nan=0.0) * w).sum(axis=1)
    return suma / np.where(suma_pesos > 0, suma_pesos, np.nan)


def _componentes(con, filtros: Filtros, barrios) -> dict[str, np.ndarray]:
    return _tasa_y_calientes(con, filtros, barrios) | _percepcion(con, filtros, barrios)


def componentes(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> pd.DataFrame:
    """Los tres componentes de la necesidad para todos los barrios de la comuna."""
    barrios = leer(con, "barrios")
    return pd.DataFrame({"barrio_id": barrios["barrio_id"]} | _componentes(con, filtros, barrios))


def necesidad_y_cobertura(
    con: duckdb.DuckDBPyConnection,
    filtros: Filtros,
    lineas: tuple[str, ...] = (),
    pesos: tuple[int, int, int] = PESOS_POR_DEFECTO,
    umbral: float = UMBRAL_POR_DEFECTO,
) -> pd.DataFrame:
    """Cobertura de los barrios del territorio con los componentes, el índice de necesidad (sobre
    la comuna), si la necesidad es alta (tercio superior) y si es un barrio prioritario sin
    cobertura suficiente (necesidad alta y menos de `umbral` hogares alcanzados por 100)."""
    # Una sola lectura de la cobertura de toda la comuna: da también los barrios de los
    # componentes, y el territorio se elige después (las mismas filas, en el mismo orden). En
    # arreglos y una sola tabla al final: renombrar, unir y asignar en pandas costaba más que
    # las consultas.
    comuna = leer_arreglos(
        con,
        "cobertura_por_barrio",
        desde=filtros.desde,
        ultimo=filtros.hasta,
        lineas=list(lineas),
        barrios=[],
        sectores=[],
    )
    if not len(comuna["barrio_id"]):  # sin barrios: la tabla vacía con los tipos de siempre
        return _necesidad_sin_barrios(con, filtros, lineas, pesos, umbral)
    comp = _componentes(con, filtros, comuna | {"nombre": comuna["barrio"]})
    comp["necesidad"] = _indice(comp, pesos)
    necesidad = pd.Series(comp["necesidad"])
    corte = necesidad.quantile(PARTE_ALTA) if necesidad.notna().any() else np.nan
    comp["necesidad_alta"] = comp["necesidad"] >= corte
    dentro = np.ones(len(comuna["barrio_id"]), dtype=bool)
    if filtros.barrios:
        dentro &= np.isin(comuna["barrio_id"], list(filtros.barrios))
    if filtros.sectores:
        dentro &= np.isin(comuna["sector_id"], list(filtros.sectores))
    ultima = pd.Series(sin_nulos(comuna.pop("ultima"), np.datetime64("NaT"))[dentro])
    columnas = {c: v[dentro] for c, v in comuna.items()}
    hogares = columnas["hogares"].astype(float)
    hogares_por_100 = 100 * columnas["hogares_alcanzados"] / _con_dato(hogares)
    columnas |= {
        "ultima_actividad": ultima.dt.date.to_numpy(object),
        "hogares_por_100": hogares_por_100,
        "meses_desde_ultima": (
            (pd.Timestamp(filtros.hasta) - ultima).dt.days / DIAS_MES
        ).to_numpy(),
    }
    columnas |= {c: v[dentro] for c, v in comp.items()}
    insuficiente = np.nan_to_num(hogares_por_100, nan=0) < umbral
    columnas |= {"corte_necesidad": corte, "prioritario": columnas["necesidad_alta"] & insuficiente}
    return pd.DataFrame(columnas)


def _necesidad_sin_barrios(con, filtros: Filtros, lineas, pesos, umbral) -> pd.DataFrame:
    """`necesidad_y_cobertura` de una base sin barrios, con los DataFrame de DuckDB (tabla vacía
    con sus tipos)."""
    comuna = _leer_cobertura(con, filtros, lineas, (), ())
    comp = pd.DataFrame(_componentes(con, filtros, comuna.rename(columns={"barrio": "nombre"})))
    comp["necesidad"] = indice(comp, pesos)
    corte = comp["necesidad"].quantile(PARTE_ALTA) if comp["necesidad"].notna().any() else np.nan
    comp["necesidad_alta"] = comp["necesidad"] >= corte
    tabla = pd.concat([_con_medidas(comuna, filtros), comp], axis=1)
    insuficiente = tabla["hogares_por_100"].fillna(0).to_numpy() < umbral
    return tabla.assign(
        corte_necesidad=corte,
        prioritario=tabla["necesidad_alta"].to_numpy(bool) & insuficiente,
    )


def exportable(con, filtros, lineas=(), pesos=PESOS_POR_DEFECTO, umbral=UMBRAL_POR_DEFECTO):
    """La tabla de `observatorio exportar cobertura`."""
    return necesidad_y_cobertura(con, filtros, lineas, pesos, umbral)[COLUMNAS]


# --- Frases ----------------------------------------------------------------------------------


def _lista(nombres: list[str]) -> str:
    if len(nombres) > 5:
        return f"{', '.join(nombres[:5])} y {len(nombres) - 5} más"
    return nombres[0] if len(nombres) == 1 else f"{', '.join(nombres[:-1])} y {nombres[-1]}"


def _ordenadas(tabla: pd.DataFrame, filas: np.ndarray, columna: str) -> np.ndarray:
    """Las posiciones `filas` de la más alta a la más baja en `columna`, en el mismo orden que
    tabla[filas].sort_values(columna, ascending=False) (el mismo algoritmo, sobre una Serie):
    sin filtrar ni ordenar la tabla entera, que tomaba ms."""
    valores = pd.Series(tabla[columna].to_numpy()[filas])
    return filas[valores.sort_values(ascending=False).index.to_numpy()]


def frase_cobertura(tabla: pd.DataFrame) -> str:
    con = np.flatnonzero((tabla["actividades"] > 0).to_numpy(bool))
    if not len(con):
        return f"Ninguno de los {len(tabla)} barrios tuvo actividades del programa en el período."
    total = int(tabla["actividades"].sum())
    mayor = _ordenadas(tabla, con, "actividades")[0]
    return (
        f"{len(con)} de {len(tabla)} barrios tuvieron actividades del programa: {total:,} en "
        f"total; la mayor parte en {tabla['barrio'].iloc[mayor]} "
        f"({int(tabla['actividades'].iloc[mayor])})."
    ).replace(",", ".")


def frase_prioritarios(tabla: pd.DataFrame, umbral: float) -> str:
    filas = np.flatnonzero(tabla["prioritario"].to_numpy(bool))
    prioritarios = _ordenadas(tabla, filas, "necesidad")
    if not len(prioritarios):
        return (
            "Todos los barrios de necesidad alta alcanzaron al menos "
            f"{umbral:g} hogares por cada 100 en el período."
        )
    return (
        f"{len(prioritarios)} barrio{'s' if len(prioritarios) != 1 else ''} de necesidad alta "
        f"no llega{'n' if len(prioritarios) != 1 else ''} a {umbral:g} hogares alcanzados por "
        f"cada 100: {_lista(tabla['barrio'].to_numpy(object)[prioritarios].tolist())}."
    )
