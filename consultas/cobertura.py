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

from consultas import encuestas, mapa
from consultas.espacial import CALIENTE
from consultas.filtros import Filtros, limites, parametros_actividades
from consultas.sql import leer

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


def cobertura(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, lineas: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Por barrio del territorio: actividades por línea, participantes, hogares alcanzados (por
    100 hogares) y meses desde la última actividad al final del período."""
    tabla = leer(
        con,
        "cobertura_por_barrio",
        desde=filtros.desde,
        ultimo=filtros.hasta,
        lineas=list(lineas),
        barrios=list(filtros.barrios),
        sectores=list(filtros.sectores),
    )
    hogares = tabla["hogares"].astype(float)
    ultima = pd.to_datetime(tabla["ultima"])
    return tabla.rename(columns={"ultima": "ultima_actividad"}).assign(
        hogares_por_100=100 * tabla["hogares_alcanzados"] / hogares.where(hogares > 0),
        meses_desde_ultima=(pd.Timestamp(filtros.hasta) - ultima).dt.days / DIAS_MES,
        ultima_actividad=ultima.dt.date,
    )


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


def _tasa(con, filtros: Filtros, barrios: pd.DataFrame) -> pd.DataFrame:
    desde, hasta = limites(filtros.ventana)
    casos = leer(con, "dmcs_por_barrio", desde=desde, hasta=hasta)
    tabla = barrios[["barrio_id", "poblacion"]].merge(casos, on="barrio_id", how="left")
    casos_dmcs = tabla["casos"].fillna(0).astype(int)
    poblacion = tabla["poblacion"].astype(float)
    return pd.DataFrame(
        {
            "barrio_id": tabla["barrio_id"],
            "casos_dmcs": casos_dmcs,
            "tasa_dmcs": 1000 * casos_dmcs / poblacion.where(poblacion > 0),
        }
    )


def _calientes(con, filtros: Filtros, barrios: pd.DataFrame) -> pd.DataFrame:
    celdas = mapa.puntos_calientes(con, filtros_dmcs(con, filtros), mapa.RESOLUCION_POR_DEFECTO)
    if len(celdas) < mapa.MINIMO_CELDAS:
        celdas = celdas.assign(clase="")  # sin prueba: ninguna celda es caliente
    por_barrio = celdas.assign(caliente=celdas["clase"].str.startswith(CALIENTE)).groupby("barrio")
    conteo = pd.DataFrame(
        {"celdas": por_barrio.size(), "celdas_calientes": por_barrio["caliente"].sum()}
    )
    tabla = barrios[["barrio_id", "nombre"]].merge(
        conteo, left_on="nombre", right_index=True, how="left"
    )
    celdas_barrio = tabla["celdas"].fillna(0).astype(int)
    calientes = tabla["celdas_calientes"].fillna(0).astype(int)
    return pd.DataFrame(
        {
            "barrio_id": tabla["barrio_id"],
            "celdas": celdas_barrio,
            "celdas_calientes": calientes,
            "parte_calientes": calientes / celdas_barrio.where(celdas_barrio > 0),
        }
    )


def ola_vigente(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> str | None:
    """La última ola de la encuesta iniciada al final del período (o ninguna)."""
    todas = encuestas.olas(con)
    if not todas:
        return None
    inicios = leer(con, "inicio_olas", olas=todas)
    vigentes = inicios[pd.to_datetime(inicios["inicio"]) <= pd.Timestamp(filtros.hasta)]
    return str(vigentes["ola"].max()) if len(vigentes) else None


def _percepcion(con, filtros: Filtros, barrios: pd.DataFrame) -> pd.DataFrame:
    vacia = barrios[["barrio_id"]].assign(inseguridad=np.nan, origen_inseguridad="")
    ola = ola_vigente(con, filtros)
    if ola is None or INDICADOR not in encuestas.indicadores(con):
        return vacia
    est = encuestas.estimaciones(con, (ola,), solo=(INDICADOR,))
    est = est[(est["indicador"] == INDICADOR) & (est["calidad"] != encuestas.NO_FIABLE)]
    propia = est[est["nivel"] == "barrio"].set_index("unidad_id")["estimacion"]
    sector = est[est["nivel"] == "sector"].set_index("unidad_id")["estimacion"]
    de_barrio = barrios["barrio_id"].map(propia)
    de_sector = barrios["sector_id"].map(sector)
    origen = np.select(
        [de_barrio.notna(), de_sector.notna()], [f"barrio ({ola})", f"sector ({ola})"], ""
    )
    return vacia.assign(inseguridad=de_barrio.fillna(de_sector), origen_inseguridad=origen)


def puntaje(valores: pd.Series) -> pd.Series:
    """Posición entre los valores con dato: 0 el menor, 1 el mayor; empates al menor rango."""
    n = valores.notna().sum()
    if n <= 1:
        return valores.where(valores.isna(), 0.0)
    return (valores.rank(method="min") - 1) / (n - 1)


def indice(componentes: pd.DataFrame, pesos: tuple[int, int, int]) -> pd.Series:
    """Promedio ponderado de los puntajes con dato; sin ningún componente con peso, sin dato."""
    puntajes = pd.DataFrame(
        {
            "tasa": puntaje(componentes["tasa_dmcs"]),
            "calientes": puntaje(componentes["parte_calientes"]),
            "percepcion": puntaje(componentes["inseguridad"]),
        }
    )
    w = pd.Series(pesos, index=list(COMPONENTES), dtype=float)
    con_dato = puntajes.notna() * w
    suma_pesos = con_dato.sum(axis=1)
    suma = (puntajes.fillna(0) * w).sum(axis=1)
    return suma / suma_pesos.where(suma_pesos > 0)


def componentes(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> pd.DataFrame:
    """Los tres componentes de la necesidad para todos los barrios de la comuna."""
    barrios = leer(con, "barrios")
    tabla = barrios[["barrio_id"]]
    for parte in (_tasa, _calientes, _percepcion):
        tabla = tabla.merge(parte(con, filtros, barrios), on="barrio_id")
    return tabla


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
    comp = componentes(con, filtros)
    comp["necesidad"] = indice(comp, pesos)
    corte = comp["necesidad"].quantile(PARTE_ALTA) if comp["necesidad"].notna().any() else np.nan
    comp["necesidad_alta"] = comp["necesidad"] >= corte
    tabla = cobertura(con, filtros, lineas).merge(comp, on="barrio_id", how="left")
    insuficiente = tabla["hogares_por_100"].fillna(0) < umbral
    return tabla.assign(
        corte_necesidad=corte,
        prioritario=tabla["necesidad_alta"].fillna(False).astype(bool) & insuficiente,
    )


def exportable(con, filtros, lineas=(), pesos=PESOS_POR_DEFECTO, umbral=UMBRAL_POR_DEFECTO):
    """La tabla de `observatorio exportar cobertura`."""
    return necesidad_y_cobertura(con, filtros, lineas, pesos, umbral)[COLUMNAS]


# --- Frases ----------------------------------------------------------------------------------


def _lista(nombres: list[str]) -> str:
    if len(nombres) > 5:
        return f"{', '.join(nombres[:5])} y {len(nombres) - 5} más"
    return nombres[0] if len(nombres) == 1 else f"{', '.join(nombres[:-1])} y {nombres[-1]}"


def frase_cobertura(tabla: pd.DataFrame) -> str:
    con = tabla[tabla["actividades"] > 0]
    if con.empty:
        return f"Ninguno de los {len(tabla)} barrios tuvo actividades del programa en el período."
    total = int(tabla["actividades"].sum())
    mayor = con.sort_values("actividades", ascending=False).iloc[0]
    return (
        f"{len(con)} de {len(tabla)} barrios tuvieron actividades del programa: {total:,} en "
        f"total; la mayor parte en {mayor['barrio']} ({int(mayor['actividades'])})."
    ).replace(",", ".")


def frase_prioritarios(tabla: pd.DataFrame, umbral: float) -> str:
    prioritarios = tabla[tabla["prioritario"]].sort_values("necesidad", ascending=False)
    if prioritarios.empty:
        return (
            "Todos los barrios de necesidad alta alcanzaron al menos "
            f"{umbral:g} hogares por cada 100 en el período."
        )
    return (
        f"{len(prioritarios)} barrio{'s' if len(prioritarios) != 1 else ''} de necesidad alta "
        f"no llega{'n' if len(prioritarios) != 1 else ''} a {umbral:g} hogares alcanzados por "
        f"cada 100: {_lista(list(prioritarios['barrio']))}."
    )
