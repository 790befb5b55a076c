"""La Ficha de barrio: un barrio en una página, para el diagnóstico participativo. Los casos son
los de la fuente elegida, todas las familias (la ficha no usa los filtros de delitos)."""

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from consultas import cobertura, encuestas, espacial, mapa, resumen
from consultas.encuestas import COMUNA
from consultas.estadistica import clasificar, tasa_por_mil, variacion_pct, z_poisson
from consultas.filtros import Filtros, limites, limites_con_anterior
from consultas.periodos import Ventana
from consultas.sql import leer, leer_arreglos, sin_nulos

MESES_TENDENCIA = 24
TOP_DELITOS = 10
DIAS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def de_la_ficha(filtros: Filtros) -> Filtros:
    """Los filtros de la ficha: la fuente y el período elegidos, toda la comuna, todos los tipos."""
    return replace(filtros, sectores=(), barrios=(), familias=(), delitos=())


def casos(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> dict:
    """Casos del barrio en el período y en el anterior, su z de Poisson y su tasa, y la tasa de
    la comuna como referencia: su fila de `resumen.barrios_comparados` (con el mismo nombre, su
    posición en esa tabla) sin leer la tabla entera, que en pandas costaba más que el SQL."""
    datos = leer_arreglos(
        con,
        "casos_del_barrio",
        barrio=barrio,
        fuente=filtros.fuente,
        **limites_con_anterior(filtros.ventana),
    )
    if not len(datos["barrio_id"]):  # un barrio fuera de la tabla: la fila vacía
        return _casos_de_la_tabla(con, filtros, barrio)
    actual, anterior = datos["actual"], datos["anterior"]
    z = z_poisson(actual.astype(float), anterior.astype(float))
    valores = {c: datos[c][0] for c in ("barrio_id", "nombre", "sector", "poblacion")} | {
        "actual": actual[0],
        "anterior": anterior[0],
        "variacion_pct": variacion_pct(actual, anterior)[0],
        "z_poisson": z[0],
        "clasificacion": str(clasificar(z, actual, anterior)[0]),
        "tasa": tasa_por_mil(actual, datos["poblacion"])[0],
    }
    comuna = datos["poblacion_comuna"][0]
    return {
        "fila": pd.Series(
            list(valores.values()),
            index=list(valores),
            dtype=object,
            name=int(datos["posicion"][0]),
        ),
        "tasa_comuna": 1000 * datos["actual_comuna"][0] / comuna if comuna else np.nan,
    }


def _casos_de_la_tabla(con, filtros: Filtros, barrio: str) -> dict:
    todos = resumen.barrios_comparados(con, de_la_ficha(filtros))
    fila = todos[todos["barrio_id"] == barrio]
    poblacion = todos["poblacion"].sum()
    return {
        "fila": fila.iloc[0] if len(fila) else pd.Series(dtype=object),
        "tasa_comuna": 1000 * todos["actual"].sum() / poblacion if poblacion else np.nan,
    }


def tendencia(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> pd.DataFrame:
    """Casos y tasa por 1.000 habitantes por mes, del barrio y de la comuna, en los
    MESES_TENDENCIA meses que terminan con el período (el último mes puede estar incompleto)."""
    inicio = pd.Timestamp(filtros.hasta).replace(day=1) - pd.DateOffset(months=MESES_TENDENCIA - 1)
    ventana = Ventana(inicio.date(), filtros.hasta)
    desde, hasta = limites(ventana)
    datos = leer_arreglos(
        con,
        "casos_mensuales_barrio",
        barrio=barrio,
        fuente=filtros.fuente,
        desde=desde,
        hasta=hasta,
    )
    # En arreglos: las mismas cuentas que sobre las columnas del DataFrame, sin armarlo dos veces.
    pob_barrio, pob_comuna = (
        sin_nulos(datos[c].astype(float), 0)[0] if len(datos[c]) else 0.0
        for c in ("poblacion_barrio", "poblacion_comuna")
    )
    del_barrio, de_la_comuna = datos["barrio"], datos["comuna"]
    return pd.DataFrame(
        {
            "mes": datos["mes"],
            "barrio": del_barrio,
            "comuna": de_la_comuna,
            "tasa_barrio": 1000 * del_barrio / pob_barrio if pob_barrio > 0 else np.nan,
            "tasa_comuna": 1000 * de_la_comuna / pob_comuna if pob_comuna > 0 else np.nan,
        }
    )


def _parametros(filtros: Filtros, barrio: str) -> dict:
    desde, hasta = limites(filtros.ventana)
    return {"barrio": barrio, "fuente": filtros.fuente, "desde": desde, "hasta": hasta}


def delitos(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> pd.DataFrame:
    return leer(con, "delitos_del_barrio", limite=TOP_DELITOS, **_parametros(filtros, barrio))


def horas(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> pd.DataFrame:
    """Matriz día de la semana (filas, lunes primero) × hora (0 a 23) de casos del barrio."""
    tabla = leer(con, "hora_dia_barrio", **_parametros(filtros, barrio))
    matriz = np.zeros((7, 24), dtype=int)
    matriz[tabla["dia"].to_numpy() - 1, tabla["hora"].to_numpy()] = tabla["casos"].to_numpy()
    return pd.DataFrame(matriz, index=DIAS, columns=range(24))


def celdas_calientes(con: duckdb.DuckDBPyConnection, filtros: Filtros, nombre: str) -> pd.DataFrame:
    """Celdas del barrio que son punto caliente (Gi* de resolución 9 sobre toda la comuna): las
    filas de `mapa.puntos_calientes` (con su índice), armadas solo para esas celdas."""
    columnas = mapa.columnas_calientes(con, de_la_ficha(filtros), mapa.RESOLUCION_POR_DEFECTO)
    todas = len(columnas["celda"])
    if todas < mapa.MINIMO_CELDAS:
        return _filas(columnas, np.zeros(0, dtype=np.int64), pd.RangeIndex(0))
    del_barrio = np.flatnonzero(columnas["barrio"] == nombre)
    clases = columnas["clase"][del_barrio].tolist()
    elegidas = del_barrio[[c.startswith(espacial.CALIENTE) for c in clases]]
    tabla = _filas(columnas, elegidas, pd.RangeIndex(todas).take(elegidas))
    return tabla.sort_values("gi_z", ascending=False)


def _filas(columnas: dict[str, np.ndarray], filas: np.ndarray, indice: pd.Index) -> pd.DataFrame:
    """Las `filas` de las columnas en una tabla, con el texto en "str" como en la tabla entera."""
    return pd.DataFrame(
        {
            c: pd.array(v[filas], dtype="str") if v.dtype.kind in "OU" else v[filas]
            for c, v in ((c, np.asarray(v)) for c, v in columnas.items())
        },
        index=indice,
    )


def _unidades(con, barrio: str) -> tuple[dict[str, list], list[int]]:
    """La comuna, el sector del barrio y el barrio, con las columnas de las filas de
    `encuestas.estimaciones` (nivel, unidad_id, unidad, sector_id), y su posición entre todas sus
    unidades (la comuna, los sectores y los barrios por nombre)."""
    columnas = leer_arreglos(con, "unidades_del_barrio", barrio=barrio)
    if not len(columnas["barrio_id"]):  # un barrio que no existe: solo la comuna
        return {
            "nivel": [COMUNA],
            "unidad_id": [COMUNA],
            "unidad": [COMUNA],
            "sector_id": [None],
        }, [0]
    f = {c: v[0] for c, v in columnas.items()}
    unidades = {
        "nivel": [COMUNA, "sector", "barrio"],
        "unidad_id": [COMUNA, f["sector_id"], f["barrio_id"]],
        "unidad": [COMUNA, f["sector"], f["nombre"]],
        "sector_id": [None, f["sector_id"], f["sector_id"]],
    }
    sector = 1 + int(f["posicion_sector"])
    return unidades, [0, sector, 1 + int(f["sectores"]) + int(f["posicion_barrio"])]


def encuesta(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> pd.DataFrame:
    """Indicadores de la última ola iniciada al final del período: el barrio, su sector y la
    comuna, con intervalo y calidad. Las mismas filas (y su índice) que las de
    `encuestas.estimaciones` de esas tres unidades, estimando solo esas (la estimación de un
    dominio no depende de los demás)."""
    nombres = encuestas.indicadores(con)
    sumas = encuestas.Celdas.leer(con, list(nombres), "celdas_ola_vigente", hasta=filtros.hasta)
    if len(sumas.ola):
        ola = sumas.ola[0]
    elif nombres:  # ninguna ola iniciada al final del período
        ola = None
    else:  # sin columnas de indicadores no hay celdas: la ola vigente se busca aparte
        ola = cobertura.ola_vigente(con, filtros)
    if ola is None:
        return pd.DataFrame()
    unidades, posiciones = _unidades(con, barrio)
    por_nivel = {"sector": sumas.sector_id, "barrio": sumas.barrio_id}
    # Cada unidad es un nivel de un solo dominio: las mismas sumas, en el mismo orden, que
    # `encuestas.estimaciones` hace para esa unidad entre todas las de su nivel.
    niveles = [
        (np.zeros(len(sumas.upm), np.int64), 1)
        if nivel == COMUNA
        else (np.where(por_nivel[nivel] == uid, 0, -1), 1)
        for nivel, uid in zip(unidades["nivel"], unidades["unidad_id"], strict=True)
    ]
    columnas, cada = sumas.columnas, len(sumas.columnas)
    indicador = np.tile(columnas, len(niveles))
    texto = {c: np.repeat(np.array(v, dtype=object), cada) for c, v in unidades.items()}
    return pd.DataFrame(
        {"indicador": indicador}
        | sumas.estimar(niveles)
        | {"ola": pd.array([ola] * len(indicador), dtype="str")}
        | {c: pd.array(v, dtype="str") for c, v in texto.items()}
        | {"nombre": pd.array([nombres[c] for c in indicador], dtype="str")},
        index=[p * cada + i for p in posiciones for i in range(cada)],
    )


def actividades(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str) -> pd.DataFrame:
    return cobertura.actividades_por_tipo(con, replace(de_la_ficha(filtros), barrios=(barrio,)))


def ultima_actividad(con: duckdb.DuckDBPyConnection, filtros: Filtros, barrio: str):
    valor = leer(con, "ultima_actividad_del_barrio", barrio=barrio, ultimo=filtros.hasta)
    valor = valor["ultima"].iloc[0]
    return None if pd.isna(valor) else pd.Timestamp(valor).date()


def _numero(valor: float, decimales: int = 0) -> str:
    texto = f"{valor:,.{decimales}f}"
    return texto.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def frase_casos(nombre: str, datos: dict) -> str:
    """Casos del barrio, su cambio y su tasa contra la de la comuna, en una oración."""
    fila = datos["fila"]
    if fila.empty:
        return f"No hay datos de casos para {nombre}."
    texto = (
        f"{nombre} tuvo {_numero(fila['actual'])} casos en el período contra "
        f"{_numero(fila['anterior'])} en el período anterior ({fila['clasificacion']})"
    )
    tasa, comuna = fila["tasa"], datos["tasa_comuna"]
    if pd.isna(tasa):
        return texto + "; sin población registrada no tiene tasa."
    relacion = "sobre" if tasa > comuna else "bajo"
    return (
        f"{texto}: {_numero(tasa, 2)} por 1.000 habitantes, {relacion} la tasa de la comuna "
        f"({_numero(comuna, 2)})."
    )
