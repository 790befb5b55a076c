"""Evaluación de las intervenciones del programa: diferencia de desplazamiento ponderada (WDD) de
Wheeler y Ratcliffe (Crime Science, 2018), DISENO.md §4.

WDD = ΔT − ΔC (+ ΔD si hay un área de desplazamiento), Δ = después − antes; su varianza es la suma
de los conteos (Poisson), z = WDD / √varianza y p bilateral de la normal. Un WDD negativo es una
baja del barrio intervenido mayor que la del grupo de comparación.

Reglas (las mismas que explica la página Cobertura):
- Intervención: la primera actividad de una línea del programa (2.1 a 2.5) en un barrio después de
  CALMA_DIAS días sin actividades de esa línea allí (o la primera registrada). Se evalúa desde el
  día de esa actividad.
- Ventanas: la posterior son `meses` meses desde ese día; la anterior, los mismos días justo
  antes. Se cuentan los casos policiales DMCS.
- Comparación: barrios de otros sectores, con población y sin actividades del programa en ninguna
  de las dos ventanas, cuya tasa DMCS por 1.000 habitantes en la ventana anterior esté entre la
  mitad y el doble de la del barrio; se suman, del más parecido al menos, los primeros cuya suma de
  casos en la ventana anterior queda más cerca de la del barrio (así ambos lados pesan lo mismo en
  el WDD: un grupo mucho mayor agregaría su propio ruido y sus vaivenes).
- Datos insuficientes: la ventana posterior no ha terminado al corte, la anterior empieza antes
  de los datos, el barrio no tiene población, no hay barrios de comparación, o el barrio o la
  comparación tienen menos de MINIMO_CASOS casos en la ventana anterior.
- Área de desplazamiento (opcional): los casos de otros barrios que caen en las celdas H3 de
  resolución 9 que tocan el barrio o son vecinas de ellas (una franja de unos 200 a 400 m
  alrededor). No se usan barrios vecinos enteros: suman muchos más casos que el barrio y su Δ
  dominaría el WDD. Si los casos huyen a la franja, ΔD > 0 compensa la baja del barrio.
"""

import calendar
from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import duckdb
import h3.api.basic_int as h3
import numpy as np
import pandas as pd
import shapely

from consultas import celdas
from consultas.sql import leer, leer_arreglos, sin_nulos

CALMA_DIAS = 365
VENTANA_POR_DEFECTO = 6  # meses
VENTANAS = (3, 6, 9, 12)
MINIMO_CASOS = 20
Z_CRITICO = 1.96
RAZON_TASA = 2.0  # tasa de la comparación entre la mitad y el doble de la del barrio
BAJA, ALZA = "baja significativa", "alza significativa"
SIN_CAMBIO, INSUFICIENTE = "sin cambio distinguible", "datos insuficientes"
VEREDICTOS = (BAJA, ALZA, SIN_CAMBIO, INSUFICIENTE)
COLUMNAS = [
    "barrio",
    "actividad",
    "inicio",
    "antes",
    "despues",
    "comparacion_antes",
    "comparacion_despues",
    "wdd",
    "z",
    "p_valor",
    "veredicto",
]
_CONTEOS = ["antes", "despues", "comparacion_antes", "comparacion_despues"]
_DESPLAZAMIENTO = ["desplazamiento_antes", "desplazamiento_despues"]
RESOLUCION_FRANJA = 9


# --- El cálculo ------------------------------------------------------------------------------


def wdd(antes, despues, comparacion_antes, comparacion_despues, desplazamiento=(0, 0)):
    """ΔT − ΔC + ΔD; `desplazamiento` es (antes, después) del área de desplazamiento."""
    d_antes, d_despues = desplazamiento
    return (
        (np.asarray(despues) - np.asarray(antes))
        - (np.asarray(comparacion_despues) - np.asarray(comparacion_antes))
        + (np.asarray(d_despues) - np.asarray(d_antes))
    )


def varianza(*conteos):
    """Suma de los conteos: cada uno es Poisson, su varianza es su media."""
    return sum(np.asarray(c, dtype=float) for c in conteos)


def z_wdd(diferencia, var):
    diferencia, var = np.asarray(diferencia, dtype=float), np.asarray(var, dtype=float)
    return np.divide(diferencia, np.sqrt(var), out=np.full(var.shape, np.nan), where=var > 0)


def p_bilateral(z):
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    return 2 * stats.norm.sf(np.abs(np.asarray(z, dtype=float)))


def veredicto(z, antes, comparacion_antes):
    """Etiqueta de cada evaluación; con menos de MINIMO_CASOS casos antes en el barrio o en la
    comparación, "datos insuficientes"."""
    z = np.asarray(z, dtype=float)
    pocos = (np.asarray(antes, dtype=float) < MINIMO_CASOS) | (
        np.asarray(comparacion_antes, dtype=float) < MINIMO_CASOS
    )
    return np.select(
        [pocos | np.isnan(z), z <= -Z_CRITICO, z >= Z_CRITICO],
        [INSUFICIENTE, BAJA, ALZA],
        SIN_CAMBIO,
    )


def _calculo(valores: list[np.ndarray], franja: list[np.ndarray]) -> dict:
    """wdd, varianza, z, p_valor y veredicto de los cuatro conteos (y los dos de la franja)."""
    diferencia = wdd(*valores, desplazamiento=franja or (0, 0))
    var = varianza(*valores, *franja)
    z = z_wdd(diferencia, var)
    return {
        "wdd": pd.array(np.where(np.isnan(diferencia), None, diferencia), dtype="Int64"),
        "varianza": var,
        "z": z,
        "p_valor": np.where(np.isnan(z), np.nan, p_bilateral(z)),
        "veredicto": veredicto(z, valores[0], valores[2]),
    }


def calcular(conteos: pd.DataFrame) -> pd.DataFrame:
    """Agrega wdd, varianza, z, p_valor y veredicto a una tabla con los cuatro conteos (y los dos
    del área de desplazamiento, si vienen)."""
    valores = [conteos[c].astype(float).to_numpy() for c in _CONTEOS]
    franja = [conteos[c].astype(float).to_numpy() for c in _DESPLAZAMIENTO if c in conteos]
    return conteos.assign(**_calculo(valores, franja))


# --- Los datos -------------------------------------------------------------------------------


def filas_de(columna: pd.Series, fila: dict) -> np.ndarray:
    """La fila (`fila[valor]`, o −1) de cada valor de una columna de texto: se codifican los
    pocos valores distintos y se busca solo su fila (mapear cada texto es lento)."""
    codigos, unicos = pd.factorize(columna)
    return np.array([fila.get(u, -1) for u in unicos] + [-1], dtype=np.int64)[codigos]


class Conteos:
    """Casos DMCS acumulados por barrio y día: los casos de [desde, hasta) en O(1)."""

    def __init__(self, diarios, barrios: list[str], primera: date, corte: date):
        """`diarios`: columnas barrio_id (o ya su fila en `barrios`), dia y casos (un DataFrame
        o arreglos de numpy)."""
        self.primera, self.corte = primera, corte
        self.fila = {b: k for k, b in enumerate(barrios)}
        dias = (corte - primera).days + 1
        forma = (len(barrios), dias + 1)
        matriz = np.zeros(forma, dtype=np.int64)
        if len(diarios["casos"]):
            if "fila" in diarios:
                filas = np.asarray(diarios["fila"], dtype=np.int64)
            else:
                filas = filas_de(diarios["barrio_id"], self.fila)
            validas = filas >= 0
            dias_datos = np.asarray(diarios["dia"], dtype="datetime64[D]")
            columnas = (dias_datos - np.datetime64(primera, "D")).astype(np.int64) + 1
            # Una suma por casilla: bincount sobre el índice plano (np.add.at es mucho más lento).
            plano = np.ravel_multi_index((filas[validas], columnas[validas]), forma)
            casos = np.asarray(diarios["casos"], dtype=np.int64)[validas]
            matriz = np.bincount(plano, weights=casos, minlength=matriz.size).reshape(forma)
            matriz = matriz.astype(np.int64)
        self.acumulado = matriz.cumsum(axis=1)

    def _indice(self, dia: date) -> int:
        return min(max((dia - self.primera).days, 0), self.acumulado.shape[1] - 1)

    def casos(self, desde: date, hasta: date) -> np.ndarray:
        """Casos de cada barrio en [desde, hasta)."""
        return self.acumulado[:, self._indice(hasta)] - self.acumulado[:, self._indice(desde)]


def sumar_meses(dia: date, meses: int) -> date:
    """El mismo día `meses` meses después (o el último del mes si no existe), como
    pd.DateOffset(months=meses), sin pandas: se calcula para cada intervención."""
    total = dia.month - 1 + meses
    anio, mes = dia.year + total // 12, total % 12 + 1
    return date(anio, mes, min(dia.day, calendar.monthrange(anio, mes)[1]))


def ventanas(inicio: date, meses: int) -> tuple[date, date, date]:
    """(inicio de la ventana anterior, inicio, fin exclusivo de la posterior): iguales en días."""
    fin = sumar_meses(inicio, meses)
    return inicio - (fin - inicio), inicio, fin


def _fechas(con: duckdb.DuckDBPyConnection, meta: dict) -> tuple[date, date]:
    """Primer día con casos y fecha de corte de los casos policiales (de la primera fila de
    `meta`, las columnas de barrios_de_la_evaluacion, o de su consulta si no hay barrios)."""
    if not len(meta["barrio_id"]):
        meta = leer_arreglos(con, "fechas_de_la_evaluacion")
    primera, ultima, corte_policial, corte = (
        _primero(meta[c]) for c in ("primera", "ultima", "corte_policial", "corte")
    )
    ultima = pd.Timestamp(ultima).date() if ultima is not None else date.today()
    corte = next((c for c in (corte_policial, corte) if isinstance(c, str) and c), None)
    corte = date.fromisoformat(corte) if corte else ultima
    primera = pd.Timestamp(primera).date() if primera is not None else corte
    return primera, corte


def _primero(columna: np.ndarray):
    """El primer valor de una columna de `leer_arreglos`, o None si es nulo."""
    return None if np.ma.getmaskarray(columna)[0] else np.ma.getdata(columna)[0]


def _meta(con) -> dict[str, np.ndarray]:
    """Las columnas de barrios_de_la_evaluacion; el texto como object (NaN si falta) y la
    población en decimales, como las daba el DataFrame."""
    meta = leer_arreglos(con, "barrios_de_la_evaluacion")
    for c in ("barrio_id", "nombre", "sector_id", "sector"):
        meta[c] = sin_nulos(meta[c], np.nan)
    meta["poblacion"] = sin_nulos(meta["poblacion"].astype(float), np.nan)
    return meta


class _Barrios:
    """Los barrios como arreglos, armados una vez por evaluación (no por intervención)."""

    def __init__(self, meta: dict):
        self.ids = meta["barrio_id"]
        self.fila = {b: k for k, b in enumerate(self.ids.tolist())}
        self.sector = meta["sector_id"]
        self.nombre = meta["nombre"]
        self.poblacion = np.where(meta["poblacion"] > 0, meta["poblacion"], np.nan)


def _comparacion(barrios: _Barrios, k: int, sector: str, antes: np.ndarray, excluidos: np.ndarray):
    """Índices de los barrios de comparación del barrio k (ver la regla arriba), del más parecido
    al menos; `excluidos` marca los barrios con actividades en las ventanas."""
    tasa = 1000 * antes / barrios.poblacion
    razon = tasa / tasa[k] if tasa[k] > 0 else np.full(len(tasa), np.nan)
    posibles = (
        (barrios.sector != sector) & ~excluidos & (razon >= 1 / RAZON_TASA) & (razon <= RAZON_TASA)
    )
    candidatos = np.flatnonzero(posibles)
    candidatos = candidatos[np.argsort(np.abs(np.log(razon[candidatos])), kind="stable")]
    if len(candidatos) == 0:
        return candidatos
    distancia = np.abs(np.cumsum(antes[candidatos]) - antes[k])
    return candidatos[: int(np.argmin(distancia)) + 1]


def _evaluar_una(caso, barrios: _Barrios, conteos: Conteos, actividades, meses: int) -> dict:
    """`caso`: (barrio_id, sector_id, inicio); `actividades`: (fechas, fila del barrio), en orden
    de fecha."""
    barrio_id, sector, inicio_caso = caso
    desde, inicio, fin = ventanas(inicio_caso, meses)
    fila = {
        "antes_desde": desde,
        "despues_hasta": fin - timedelta(days=1),
        "comparacion": "",
        "motivo": "",
    }
    k = barrios.fila[barrio_id]
    if fin - timedelta(days=1) > conteos.corte:
        return fila | {
            "motivo": f"la ventana posterior termina el {_f(fin - timedelta(days=1))}, después "
            f"del corte de los datos ({_f(conteos.corte)})"
        }
    if desde < conteos.primera:
        return fila | {"motivo": f"la ventana anterior empieza antes del {_f(conteos.primera)}"}
    if not barrios.poblacion[k] > 0:
        return fila | {"motivo": "el barrio no tiene población registrada"}
    antes, despues = conteos.casos(desde, inicio), conteos.casos(inicio, fin)
    fechas, filas_actividad = actividades
    tramo = np.searchsorted(fechas, [np.datetime64(desde), np.datetime64(fin)])
    activos = filas_actividad[tramo[0] : tramo[1]]  # las de [desde, fin)
    excluidos = np.zeros(len(barrios.ids), dtype=bool)
    excluidos[activos[activos >= 0]] = True
    grupo = _comparacion(barrios, k, sector, antes, excluidos)
    fila |= {"antes": int(antes[k]), "despues": int(despues[k])}
    if len(grupo) == 0:
        return fila | {
            "motivo": "no hay barrios de otros sectores sin actividades en las ventanas y con "
            "una tasa parecida"
        }
    fila |= {
        "comparacion_antes": int(antes[grupo].sum()),
        "comparacion_despues": int(despues[grupo].sum()),
        "comparacion": ", ".join(barrios.nombre[grupo]),
    }
    if min(fila["antes"], fila["comparacion_antes"]) < MINIMO_CASOS:
        fila["motivo"] = f"menos de {MINIMO_CASOS} casos en la ventana anterior"
    return fila


def _f(dia: date) -> str:
    return dia.strftime("%d-%m-%Y")


@lru_cache(maxsize=256)
def _franja(geometria: str) -> tuple[int, ...]:
    """Celdas de la franja de un barrio: las de resolución RESOLUCION_FRANJA que lo tocan y sus
    vecinas (en caché: solo dependen del polígono)."""
    tocan = celdas.universo(shapely.from_geojson(geometria), RESOLUCION_FRANJA)
    return tuple(sorted({v for c in tocan for v in h3.grid_disk(int(c), 1)}))


def _franjas(con, barrios: list[str], primera: date, corte: date, tramos) -> Conteos:
    """Casos DMCS diarios de otros barrios en la franja de cada barrio (ver "Área de
    desplazamiento" arriba), contados en una sola consulta para todos los barrios."""
    geometrias = leer(con, "geometrias_barrios").set_index("barrio_id")["geometria"]
    pares = [(c, b, k) for k, b in enumerate(barrios) for c in _franja(geometrias[b])]
    diarios = _diarios(
        con,
        "dmcs_diarios_en_franjas",
        tramos,
        celdas=[c for c, _, _ in pares],
        barrios_franja=[b for _, b, _ in pares],
        filas=[k for _, _, k in pares],
        **celdas.parametros_padre(RESOLUCION_FRANJA),
    )
    return Conteos(diarios, barrios, primera, corte)


def _tramos(inicios, meses: int, primera: date, corte: date) -> list[tuple[datetime, datetime]]:
    """Los tramos [desde, hasta) que cubren las ventanas de las intervenciones, dentro de los
    datos y unidos donde se tocan: fuera de ellos no hay casos que contar (así la ficha de un
    barrio no recorre toda la historia). Sin intervenciones, un tramo vacío."""
    limites = sorted(
        (max(d, primera), min(f, corte + timedelta(days=1)))
        for d, _, f in (ventanas(inicio, meses) for inicio in inicios)
    )
    tramos: list[list[date]] = []
    for desde, hasta in limites:
        if desde >= hasta:
            continue
        if tramos and desde <= tramos[-1][1]:
            tramos[-1][1] = max(tramos[-1][1], hasta)
        else:
            tramos.append([desde, hasta])
    tramos = tramos or [[primera, primera]]
    return [(datetime.combine(d, time()), datetime.combine(h, time())) for d, h in tramos]


def nuevas(barrio: np.ndarray, linea: np.ndarray, fechas: np.ndarray, calma: int = CALMA_DIAS):
    """Qué actividades empiezan una intervención (ver las reglas arriba), ordenadas por barrio,
    línea, fecha y actividad_id: la primera de su barrio y línea, o la que llega tras `calma`
    días o más desde la anterior."""
    nueva = np.ones(len(fechas), dtype=bool)
    misma = (barrio[1:] == barrio[:-1]) & (linea[1:] == linea[:-1])
    nueva[1:] = ~misma | ((fechas[1:] - fechas[:-1]).astype(np.int64) >= calma)
    return nueva


def _texto(valores: np.ndarray):
    """Texto como lo trae DuckDB en un DataFrame: "str", u object si no hay filas (un arreglo y
    no una Series: la tabla se arma sin alinear índices)."""
    return pd.array(valores, dtype="str") if len(valores) else np.asarray(valores, dtype=object)


def _intervenciones(actividades: dict, meta: dict, filas: np.ndarray, pedidos) -> dict:
    """Las columnas de las intervenciones de los barrios `pedidos` (o de todos) de barrios y
    líneas registrados, por fecha, barrio y línea, con el barrio, el sector y la línea por su
    nombre. `actividades`: las columnas de actividades_de_la_evaluacion, con barrio_id sin nulos
    y fecha en días; `filas`: la fila en `meta` del barrio de cada una (−1 si no está)."""
    barrio, fechas = actividades["barrio_id"], actividades["fecha"]
    linea = sin_nulos(actividades["linea"], None)
    con_linea = ~np.ma.getmaskarray(actividades["nombre_linea"])
    elegidas = nuevas(barrio, linea, fechas) & (filas >= 0) & con_linea
    if pedidos:
        pedidos = set(pedidos)
        elegidas &= np.array([b in pedidos for b in barrio], dtype=bool)
    posiciones = np.flatnonzero(elegidas)
    dias = fechas.astype(object)
    nombres = meta["nombre"]
    clave = {p: (dias[p], nombres[filas[p]], linea[p]) for p in posiciones}
    posiciones = np.array(sorted(posiciones, key=clave.__getitem__), dtype=np.int64)
    de_meta = filas[posiciones]
    return {
        "barrio_id": _texto(barrio[posiciones]),
        "barrio": _texto(nombres[de_meta]),
        "sector_id": _texto(meta["sector_id"][de_meta]),
        "sector": _texto(meta["sector"][de_meta]),
        "linea": _texto(linea[posiciones]),
        "nombre_linea": _texto(sin_nulos(actividades["nombre_linea"], None)[posiciones]),
        "actividad": _texto(sin_nulos(actividades["actividad"], None)[posiciones]),
        "inicio": pd.array(dias[posiciones], dtype=object),
    }


def _diarios(con, nombre: str, tramos, **parametros) -> dict[str, np.ndarray]:
    """La consulta `nombre` en cada tramo, juntas (los tramos no se superponen), en arreglos."""
    partes = [leer_arreglos(con, nombre, desde=d, hasta=h, **parametros) for d, h in tramos]
    return {c: np.concatenate([p[c] for p in partes]) for c in partes[0]}


def evaluar(
    con: duckdb.DuckDBPyConnection,
    meses: int = VENTANA_POR_DEFECTO,
    barrios: tuple[str, ...] = (),
    desplazamiento: bool = False,
) -> pd.DataFrame:
    """Una fila por intervención (de los `barrios` pedidos, o de todos), con sus conteos, el
    grupo de comparación, WDD, z, p y veredicto; `motivo` explica los datos insuficientes. Con
    `desplazamiento`, el WDD suma el Δ de la franja alrededor del barrio."""
    meta = _meta(con)
    actividades = leer_arreglos(con, "actividades_de_la_evaluacion")
    actividades["barrio_id"] = sin_nulos(actividades["barrio_id"], None)
    actividades["fecha"] = fechas = actividades["fecha"].astype("datetime64[D]")
    pedidos, barrios = barrios, _Barrios(meta)
    filas_actividad = filas_de(actividades["barrio_id"], barrios.fila)
    casos = _intervenciones(actividades, meta, filas_actividad, pedidos)
    primera, corte = _fechas(con, meta)
    # En listas: recorrer las columnas de pandas elemento a elemento es lento.
    ids_casos, sectores, inicios = (casos[c].tolist() for c in ("barrio_id", "sector_id", "inicio"))
    tramos = _tramos(inicios, meses, primera, corte)
    ids = meta["barrio_id"].tolist()
    diarios = _diarios(con, "dmcs_diarios", tramos, barrios_fila=ids, filas=list(range(len(ids))))
    conteos = Conteos(diarios, ids, primera, corte)
    por_fecha = np.argsort(fechas, kind="stable")  # cada ventana, un tramo (searchsorted)
    activas = (fechas[por_fecha], filas_actividad[por_fecha])
    filas = [
        _evaluar_una(c, barrios, conteos, activas, meses)
        for c in zip(ids_casos, sectores, inicios, strict=True)
    ]
    if desplazamiento:
        barrios_franja = list(dict.fromkeys(ids_casos))
        franjas = _franjas(con, barrios_franja, primera, corte, tramos)
        for barrio_id, inicio, fila in zip(ids_casos, inicios, filas, strict=True):
            desde, inicio, fin = ventanas(inicio, meses)
            k = franjas.fila[barrio_id]
            fila["desplazamiento_antes"] = int(franjas.casos(desde, inicio)[k])
            fila["desplazamiento_despues"] = int(franjas.casos(inicio, fin)[k])
    return _tabla(casos, filas, meses, desplazamiento)


def _tabla(casos: dict, filas: list[dict], meses: int, desplazamiento: bool) -> pd.DataFrame:
    """La tabla de `evaluar`, armada de una vez con sus columnas."""
    columnas = dict(casos)
    for campo in ("antes_desde", "despues_hasta"):
        columnas[campo] = pd.array([f[campo] for f in filas], dtype=object)
    for campo in ("comparacion", "motivo"):
        columnas[campo] = np.array([f[campo] for f in filas], dtype=object)
    conteos = _CONTEOS + (_DESPLAZAMIENTO if desplazamiento else [])
    valores = {c: np.array([f.get(c, np.nan) for f in filas], dtype=float) for c in conteos}
    for campo in conteos:
        columnas[campo] = pd.array(valores[campo], dtype="Int64")
    franja = [valores[c] for c in _DESPLAZAMIENTO if c in valores]
    columnas |= _calculo([valores[c] for c in _CONTEOS], franja)
    # Sin comparación, WDD, z y p ya quedan sin dato (sus conteos faltan): solo cambia el veredicto.
    sin_calculo = np.array([f["motivo"] != "" for f in filas], dtype=bool)
    columnas["veredicto"] = np.where(sin_calculo, INSUFICIENTE, columnas["veredicto"]).astype(
        object
    )
    antes = valores["antes"]
    # La baja más chica que estos conteos distinguen: |WDD| ≥ 1,96 √Var, como % de los casos antes.
    columnas["baja_minima_pct"] = (
        100 * Z_CRITICO * np.sqrt(columnas["varianza"]) / np.where(antes > 0, antes, np.nan)
    )
    columnas["meses"] = np.full(len(filas), meses, dtype=np.int64)
    columnas["con_desplazamiento"] = np.full(len(filas), desplazamiento, dtype=bool)
    orden = [*casos, "antes_desde", "despues_hasta", "comparacion", "motivo", *conteos]
    orden += ["wdd", "varianza", "z", "p_valor", "veredicto", "meses", "baja_minima_pct"]
    tabla = pd.DataFrame({c: columnas[c] for c in [*orden, "con_desplazamiento"]})
    # Sin filas, como las traía DuckDB: el texto en columnas object.
    return (
        tabla if len(tabla) else tabla.astype({c: object for c in tabla if tabla[c].dtype == "str"})
    )


def exportable(
    con, meses: int = VENTANA_POR_DEFECTO, barrios: tuple[str, ...] = (), desplazamiento=False
):
    """La tabla de `observatorio exportar evaluacion` (con la franja, sus dos conteos al final)."""
    tabla = evaluar(con, meses, barrios, desplazamiento)
    return tabla[COLUMNAS + (_DESPLAZAMIENTO if desplazamiento else [])]


# --- Frases ----------------------------------------------------------------------------------


_EN_FRASE = {
    BAJA: ("baja significativa", "bajas significativas"),
    ALZA: ("alza significativa", "alzas significativas"),
    SIN_CAMBIO: ("sin cambio distinguible", "sin cambio distinguible"),
    INSUFICIENTE: ("con datos insuficientes", "con datos insuficientes"),
}


def _lista(partes: list[str]) -> str:
    return partes[0] if len(partes) == 1 else f"{', '.join(partes[:-1])} y {partes[-1]}"


def frase(tabla: pd.DataFrame) -> str:
    """Qué dice la evaluación, en una oración a partir de los datos."""
    if tabla.empty:
        return "No hay intervenciones que evaluar con estos filtros."
    # En listas de Python: value_counts y el filtro de pandas costaban más que la frase.
    veredictos, barrios = tabla["veredicto"].tolist(), tabla["barrio"].tolist()
    conteo = Counter(veredictos)
    partes = [f"{conteo[v]} {_EN_FRASE[v][int(conteo[v] != 1)]}" for v in VEREDICTOS if v in conteo]
    n = len(tabla)
    texto = f"{n} {'intervenciones' if n != 1 else 'intervención'}: {_lista(partes)}"
    bajas = [b for b, v in zip(barrios, veredictos, strict=True) if v == BAJA]
    if bajas:
        texto += ". Bajas significativas en " + _lista(list(dict.fromkeys(bajas)))
    return texto + "."


def ordenar(tabla: pd.DataFrame) -> pd.DataFrame:
    """Primero las bajas, luego las alzas, sin cambio y datos insuficientes; cada grupo, de la
    intervención más reciente a la más antigua (los empates, en su orden)."""
    rango = {v: k for k, v in enumerate(VEREDICTOS)}
    grupo = [rango.get(v, len(VEREDICTOS)) for v in tabla["veredicto"].tolist()]
    dias = [-d.toordinal() for d in tabla["inicio"].tolist()]
    return tabla.take(np.lexsort((dias, grupo)))
