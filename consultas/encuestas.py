"""La página Percepción y `observatorio exportar percepcion`: estimaciones de la encuesta.

Cada indicador 0/1 es una proporción ponderada (estimador de razón) con error estándar por
linealización de Taylor: conglomerados (UPM) con reemplazo dentro de cada estrato, factor
n_h/(n_h−1), sin corrección por población finita, como `svymean` de R y samplics. Sectores y
barrios son dominios sobre el diseño completo (DISENO.md §4): la variable linealizada vale cero
fuera del dominio y se conservan todos los estratos y conglomerados de la ola.

Las respuestas llegan sumadas por celda (conglomerado y barrio de una ola, `Celdas`): las sumas por
dominio y por conglomerado que piden la estimación y su varianza salen de esas sumas.
"""

from dataclasses import dataclass, fields
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from consultas.estadistica import ALZA, BAJA, NORMAL, UMBRAL_Z
from consultas.sql import leer, leer_arreglos, sin_nulos

FIABLE, POCO_FIABLE, NO_FIABLE = "fiable", "poco fiable", "no fiable"
N_MINIMO, GL_MINIMO = 60, 9
NO_COMPARABLE = "no comparable"
COMUNA = "comuna"
NIVELES = ("comuna", "sector", "barrio")
COLUMNAS = [
    "ola",
    "unidad",
    "indicador",
    "estimacion",
    "error_estandar",
    "ic_inferior",
    "ic_superior",
    "n",
    "gl",
    "calidad",
]
_DISENO = {"respuesta_id", "ola", "fecha", "barrio_id", "estrato", "conglomerado", "factor"}
# Los tipos de la tabla vacía de una encuesta sin indicadores, los de siempre.
_SIN_INDICADORES = {"indicador": "float64", "gl": "float64", "nombre": "str"}
_ENTEROS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "BOOLEAN"}


def calidad(p, se, n, gl) -> np.ndarray:
    """Etiqueta de calidad INE para proporciones: "no fiable" con n < 60 o gl < 9; si no,
    "fiable" cuando SE ≤ q^(2/3)/9 con q = min(p, 1 − p), y si no "poco fiable"."""
    p, se, n, gl = (np.asarray(x, dtype=float) for x in (p, se, n, gl))
    insuficiente = (n < N_MINIMO) | (gl < GL_MINIMO) | np.isnan(p) | np.isnan(se)
    q = np.minimum(p, 1 - p)
    return np.where(insuficiente, NO_FIABLE, np.where(se <= q ** (2 / 3) / 9, FIABLE, POCO_FIABLE))


def estimar(datos: pd.DataFrame, indicadores: list[str], dominios: pd.DataFrame) -> pd.DataFrame:
    """Estimación de cada indicador en cada dominio de una ola, todo a la vez.

    `datos`: una fila por respuesta con `estrato`, `conglomerado`, `factor` y los indicadores (0, 1
    o faltante). `dominios`: una columna booleana por dominio, alineada con `datos`. Un valor
    faltante deja la respuesta fuera del dominio de ese indicador. Un estrato con un solo
    conglomerado no aporta varianza. gl = conglomerados − estratos con respuestas en el dominio.
    """
    nombres = list(dominios.columns)
    k, j = len(nombres), len(indicadores)
    y = datos[indicadores].astype("float64").to_numpy().reshape(len(datos), j)
    en = dominios.to_numpy(bool)[:, :, None] & ~np.isnan(y)[:, None, :]  # filas × dominios × ind.
    pesos = np.where(en, datos["factor"].to_numpy(float)[:, None, None], 0.0)
    y0 = np.nan_to_num(y)[:, None, :]
    total = pesos.sum(axis=0)
    p = np.divide((pesos * y0).sum(axis=0), total, out=np.full((k, j), np.nan), where=total > 0)
    z_upm = con_datos = estrato = None
    if len(datos):
        z = pesos * (y0 - np.nan_to_num(p)) / np.where(total > 0, total, 1.0)
        upm, orden, cortes = _conglomerados(datos)
        z_upm = np.add.reduceat(z[orden], cortes, axis=0).reshape(len(cortes), -1)
        con_datos = np.add.reduceat(en[orden].astype(np.int64), cortes, axis=0) > 0
        con_datos = con_datos.reshape(len(cortes), -1)
        estrato = pd.factorize(datos["estrato"].to_numpy()[orden][cortes])[0]
    return pd.DataFrame(
        {"dominio": np.repeat(nombres, j), "indicador": np.tile(indicadores, k)}
        | _intervalos(p, en.sum(axis=0), z_upm, con_datos, estrato)
    )


def _conglomerados(datos: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conglomerado (estrato, conglomerado) de cada fila, el orden que los agrupa y dónde empieza
    cada uno en ese orden."""
    upm = datos.groupby(["estrato", "conglomerado"], sort=False).ngroup().to_numpy()
    orden = np.argsort(upm, kind="stable")
    cortes = np.flatnonzero(np.r_[True, np.diff(upm[orden]) != 0])
    return upm, orden, cortes


def _intervalos(p, n, z_upm, con_datos, estrato) -> dict[str, np.ndarray]:
    """Error estándar, intervalo, n, gl y calidad de las proporciones `p` (dominios × indicadores)
    a partir de la variable linealizada sumada por conglomerado (`z_upm`, conglomerados × celdas
    de `p`), de qué conglomerados tienen respuestas en cada celda y del estrato de cada uno."""
    k, j = p.shape
    varianza, gl = np.zeros((k, j)), np.zeros((k, j), dtype=int)
    if z_upm is not None:
        por_estrato = np.bincount(estrato)
        n_h = por_estrato[estrato]
        factor = np.divide(n_h, n_h - 1, out=np.zeros(len(n_h)), where=n_h > 1)
        # Por estrato; cada columna se suma sola (su resultado no depende de las otras): la Ficha,
        # que estima solo tres unidades, da los mismos números que todas las de Percepción.
        orden = np.argsort(estrato, kind="stable")
        cortes = np.flatnonzero(np.r_[True, np.diff(estrato[orden]) != 0])
        h = estrato[orden][cortes]
        suma = np.zeros((len(por_estrato), z_upm.shape[1]))
        suma[h] = np.add.reduceat(z_upm[orden], cortes, axis=0)
        desvio = z_upm - (suma / np.maximum(por_estrato, 1)[:, None])[estrato]
        varianza = (factor[:, None] * desvio**2).sum(axis=0).reshape(k, j)
        estratos = np.logical_or.reduceat(con_datos[orden], cortes, axis=0).sum(axis=0)
        gl = con_datos.sum(axis=0).reshape(k, j) - estratos.reshape(k, j)
    se = np.where(np.isnan(p), np.nan, np.sqrt(varianza))
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    t = stats.t.ppf(0.975, np.maximum(gl, 1))
    margen = np.where(gl > 0, t * se, np.nan)
    return {
        "estimacion": p.ravel(),
        "error_estandar": se.ravel(),
        "ic_inferior": (p - margen).ravel(),
        "ic_superior": (p + margen).ravel(),
        "n": n.ravel(),
        "gl": gl.ravel(),
        "calidad": calidad(p, se, n, gl).ravel(),
    }


def estimar_niveles(
    datos: pd.DataFrame, indicadores: list[str], niveles: list[tuple[np.ndarray, int]]
) -> pd.DataFrame:
    """Lo mismo que `estimar` cuando los dominios son particiones (comuna, sectores, barrios):
    cada nivel es (dominio de cada fila, de 0 a m − 1, o −1 si la fila no está en ninguno; m).
    Suma por dominio sin armar la matriz filas × dominios × indicadores; mismas sumas en el mismo
    orden, así que el resultado es el mismo de `estimar` con una columna por dominio. Las páginas
    estiman desde las sumas por celda (`Celdas`); esta versión por respuesta es su referencia en
    las pruebas."""
    filas, j = len(datos), len(indicadores)
    y = np.zeros((filas, j))
    for i, columna in enumerate(indicadores):
        y[:, i] = datos[columna].to_numpy(float, na_value=np.nan)
    valido = ~np.isnan(y)
    y0 = np.nan_to_num(y)
    pesos = np.where(valido, datos["factor"].to_numpy(float)[:, None], 0.0)
    upm = orden = cortes = None
    if filas:
        upm, orden, cortes = _conglomerados(datos)  # upm: de 0 a len(cortes) − 1
    partes_p, partes_n, partes_z, partes_c = [], [], [], []
    for codigos, m in niveles:
        dentro = codigos >= 0
        c = np.where(dentro, codigos, 0)

        def por_dominio(valores, c=c, dentro=dentro, m=m):
            sumas = [np.bincount(c[dentro], valores[dentro, i], minlength=m) for i in range(j)]
            return _columnas(sumas, m)

        total = por_dominio(pesos)
        p = np.divide(por_dominio(pesos * y0), total, out=np.full((m, j), np.nan), where=total > 0)
        partes_p.append(p)
        partes_n.append(por_dominio(valido.astype(float)).astype(np.int64))
        if filas:
            z = pesos * (y0 - np.nan_to_num(p)[c]) / np.where(total > 0, total, 1.0)[c]
            filas_d = orden[dentro[orden]]  # las del nivel, agrupadas por conglomerado
            celda = upm[filas_d] * m + c[filas_d]
            u = len(cortes) * m
            z_d = [np.bincount(celda, z[filas_d, i], minlength=u) for i in range(j)]
            v_d = [np.bincount(celda, valido[filas_d, i], minlength=u) for i in range(j)]
            partes_z.append(_columnas(z_d, u).reshape(len(cortes), m * j))
            partes_c.append(_columnas(v_d, u).reshape(len(cortes), m * j) > 0)
    p = np.vstack(partes_p) if partes_p else np.zeros((0, j))
    z_upm = con_datos = estrato = None
    if filas:
        z_upm, con_datos = np.hstack(partes_z), np.hstack(partes_c)
        estrato = pd.factorize(datos["estrato"].to_numpy()[orden][cortes])[0]
    return pd.DataFrame(
        {"indicador": np.tile(indicadores, len(p))}
        | _intervalos(p, np.vstack(partes_n) if partes_n else p, z_upm, con_datos, estrato)
    )


@dataclass
class Celdas:
    """Las respuestas sumadas por celda (conglomerado y barrio de una ola) en SQL
    (`sumas_por_celda`): todo lo que la estimación y su error estándar necesitan, en unos cientos
    de filas en vez de una por respuesta. `peso`, `peso_si` y `respondieron` son celdas ×
    indicadores: suma de factores de quienes respondieron, de factor × valor y cuántos."""

    columnas: list[str]
    ola: np.ndarray
    upm: np.ndarray
    estrato: np.ndarray
    sector_id: np.ndarray
    barrio_id: np.ndarray
    peso: np.ndarray
    peso_si: np.ndarray
    respondieron: np.ndarray

    @classmethod
    def leer(cls, con, candidatas: list[str], consulta: str = "celdas_encuesta", **parametros):
        """Las celdas de la consulta con las columnas `candidatas` que son indicadores 0/1 (solo
        0, 1 o faltante en todas las respuestas leídas), en el orden de la tabla."""
        if not candidatas:
            vacio = np.zeros(0, dtype=np.int64)
            sin = np.zeros((0, 0))
            return cls([], vacio.astype(object), vacio, vacio, vacio, vacio, sin, sin, sin)
        # En arreglos: un DataFrame de texto en pandas costaba más que la consulta.
        tabla = leer_arreglos(con, consulta, columnas=candidatas, **parametros)
        j = len(candidatas)
        claves = list(tabla)
        nombres = claves[5 : 5 + j]  # COLUMNS() las expande en el orden de la tabla
        sumas = np.column_stack([sin_nulos(tabla[c].astype(float), np.nan) for c in claves[5:]])
        sumas = sumas.reshape(len(sumas), 4, j)
        binarias = sumas[:, 3, :].all(axis=0)
        ola = sin_nulos(tabla["ola"], np.nan)
        return cls(
            [c for c, ok in zip(nombres, binarias, strict=True) if ok],
            ola,
            *_numerar(
                ola, sin_nulos(tabla["estrato"], np.nan), sin_nulos(tabla["conglomerado"], np.nan)
            ),
            sin_nulos(tabla["sector_id"], None),
            sin_nulos(tabla["barrio_id"], np.nan),
            *(sumas[:, k, binarias] for k in range(3)),
        )

    def de_la_ola(self, ola: str) -> "Celdas":
        """Las celdas de una ola, con sus conglomerados y estratos numerados desde 0."""
        fila = self.ola == ola
        celdas = Celdas(self.columnas, *(getattr(self, c)[fila] for c in _CAMPOS_CELDAS))
        if fila.any():
            celdas.upm = celdas.upm - celdas.upm[0]
            celdas.estrato = celdas.estrato - celdas.estrato[0]
        return celdas

    def estimar(self, niveles: list[tuple[np.ndarray, int]]) -> dict[str, np.ndarray]:
        """Lo mismo que `estimar_niveles` con las respuestas de estas celdas (de una sola ola):
        cada nivel es (dominio de cada celda, de 0 a m − 1, o −1 si no está en ninguno; m). Las
        sumas por dominio y por conglomerado son las mismas, agrupadas antes por celda."""
        celdas, j = self.peso.shape
        u = int(self.upm.max()) + 1 if celdas else 0
        partes_p, partes_n, partes_z, partes_c = [], [], [], []
        for codigos, m in niveles:
            dentro = codigos >= 0
            c, upm = codigos[dentro], self.upm[dentro]
            peso, peso_si, respondieron = (
                x[dentro] for x in (self.peso, self.peso_si, self.respondieron)
            )
            total = _sumar(peso, c, m)
            p = np.divide(
                _sumar(peso_si, c, m), total, out=np.full((m, j), np.nan), where=total > 0
            )
            partes_p.append(p)
            partes_n.append(_sumar(respondieron, c, m).astype(np.int64))
            z = (peso_si - np.nan_to_num(p)[c] * peso) / np.where(total > 0, total, 1.0)[c]
            partes_z.append(_sumar(z, upm * m + c, u * m).reshape(u, m * j))
            partes_c.append(_sumar(respondieron, upm * m + c, u * m).reshape(u, m * j) > 0)
        p = np.vstack(partes_p) if partes_p else np.zeros((0, j))
        z_upm = con_datos = estrato = None
        if celdas:
            z_upm, con_datos = np.hstack(partes_z), np.hstack(partes_c)
            estrato = np.zeros(u, dtype=np.int64)
            estrato[self.upm] = self.estrato
        n = np.vstack(partes_n) if partes_n else p
        return _intervalos(p, n, z_upm, con_datos, estrato)


_CAMPOS_CELDAS = [f.name for f in fields(Celdas)][1:]


def _numerar(ola: np.ndarray, estrato: np.ndarray, conglomerado: np.ndarray):
    """Número de conglomerado y de estrato de cada celda, en celdas ordenadas por ola, estrato y
    conglomerado: cuenta cada cambio, desde 0 en la primera ola (las demás siguen la cuenta)."""
    if not len(ola):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    nueva_ola = np.r_[True, ola[1:] != ola[:-1]]
    nuevo_estrato = nueva_ola | np.r_[True, estrato[1:] != estrato[:-1]]
    nueva_upm = nuevo_estrato | np.r_[True, conglomerado[1:] != conglomerado[:-1]]
    return np.cumsum(nueva_upm) - 1, np.cumsum(nuevo_estrato) - 1


def _posiciones(ids: np.ndarray, valores: np.ndarray) -> np.ndarray:
    """La posición de cada valor en `ids` (−1 si no está), como `pd.Index.get_indexer`."""
    donde = {v: i for i, v in enumerate(ids.tolist())}
    return np.fromiter((donde.get(v, -1) for v in valores.tolist()), np.int64, len(valores))


def _sumar(valores: np.ndarray, grupo: np.ndarray, m: int) -> np.ndarray:
    """Suma de las filas de `valores` (filas × columnas) por `grupo` (de 0 a m − 1), en el orden de
    las filas: m × columnas."""
    j = valores.shape[1]
    celda = (grupo[:, None] * j + np.arange(j)).ravel()  # las mismas sumas que columna a columna
    return np.bincount(celda, valores.ravel(), minlength=m * j).reshape(m, j)


def _columnas(columnas: list[np.ndarray], filas: int) -> np.ndarray:
    """Las columnas lado a lado (filas × 0 si no hay ninguna: una encuesta sin indicadores)."""
    return np.stack(columnas, axis=1) if columnas else np.zeros((filas, 0))


def olas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Olas con respuestas, la más reciente primero."""
    return leer(con, "olas")["ola"].tolist()


def indicadores(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Columnas de indicadores de la tabla (enteros fuera del diseño) -> nombre visible; una
    columna sin nombre en la tabla `indicadores` se muestra con su propio nombre."""
    columnas = leer_arreglos(con, "indicadores_encuesta")
    return {
        columna: columna if nombre is None else nombre
        for columna, tipo, nombre in zip(
            columnas["columna"].tolist(),
            columnas["tipo"].tolist(),
            sin_nulos(columnas["nombre"], None).tolist(),
            strict=True,
        )
        if tipo in _ENTEROS and columna not in _DISENO
    }


def binaria(columna: pd.Series) -> bool:
    """Solo 0, 1 o faltante: un entero con otros valores no es un indicador."""
    valores = columna.to_numpy(float, na_value=np.nan)
    return bool(np.isin(valores[~np.isnan(valores)], [0, 1]).all())


def estimaciones(
    con: duckdb.DuckDBPyConnection, olas_: tuple[str, ...], solo: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Todas las estimaciones de las olas pedidas: comuna, cada sector y cada barrio (aunque no
    tengan respuestas: quedan "no fiable" con n = 0), cada indicador (o solo los de `solo`: la
    estimación de un indicador no depende de los demás)."""
    if not olas_:
        return pd.DataFrame(columns=[*COLUMNAS, "nivel", "unidad_id", "sector_id", "nombre"])
    nombres = indicadores(con)
    sumas = Celdas.leer(con, [c for c in nombres if not solo or c in solo], olas=list(olas_))
    unidades = {c: sin_nulos(v, np.nan) for c, v in leer_arreglos(con, "unidades_encuesta").items()}
    nivel = unidades["nivel"]
    ids = unidades["unidad_id"]
    ids_sector, ids_barrio = ids[nivel == "sector"], ids[nivel == "barrio"]
    partes = []
    for ola in olas_:
        de_la_ola = sumas.de_la_ola(ola)
        niveles = [
            (np.zeros(len(de_la_ola.upm), dtype=np.int64), 1),
            (_posiciones(ids_sector, de_la_ola.sector_id), len(ids_sector)),
            (_posiciones(ids_barrio, de_la_ola.barrio_id), len(ids_barrio)),
        ]
        partes.append(de_la_ola.estimar(niveles))
    campos = {c: np.concatenate([p[c] for p in partes]) for c in partes[0]}
    cada = len(sumas.columnas)  # una fila por unidad e indicador, en cada ola
    filas = (1 + len(ids)) * cada * len(olas_)
    por_unidad = {
        "nivel": np.r_[[COMUNA], nivel],
        "unidad_id": np.r_[[COMUNA], ids],
        "unidad": np.r_[[COMUNA], unidades["unidad"]],
        "sector_id": np.r_[[np.nan], unidades["sector_id"]],
    }
    indicador = np.tile(np.array(sumas.columnas, dtype=object), filas // max(cada, 1))
    est = pd.DataFrame(
        {"indicador": indicador}
        | campos
        | {"ola": np.repeat(np.array(olas_, dtype=object), filas // len(olas_))}
        | {c: np.tile(np.repeat(v, cada), len(olas_)) for c, v in por_unidad.items()}
        | {"nombre": np.array([nombres[c] for c in indicador], dtype=object)}
    )
    return est if cada else est.astype(_SIN_INDICADORES)


def filtrar(
    est: pd.DataFrame, sectores: tuple[str, ...] = (), barrios: tuple[str, ...] = ()
) -> pd.DataFrame:
    """La comuna, los sectores elegidos (o los de los barrios elegidos, o todos) y los barrios
    elegidos (o los de los sectores elegidos, o todos)."""
    nivel, unidad, sector = (est[c].to_numpy(object) for c in ("nivel", "unidad_id", "sector_id"))
    es_barrio = nivel == "barrio"
    if barrios:
        barrio_ok = _en(unidad, barrios)
        sectores_vistos = set(sectores) | set(sector[es_barrio & barrio_ok].tolist())
    else:
        sectores_vistos = set(sectores)
        barrio_ok = _en(sector, sectores) if sectores else True
    sector_ok = _en(unidad, sectores_vistos) if sectores_vistos else True
    return est[(nivel == COMUNA) | ((nivel == "sector") & sector_ok) | (es_barrio & barrio_ok)]


def _en(valores: np.ndarray, elegidos) -> np.ndarray:
    """Si cada valor está entre los elegidos (como `Series.isin`, sin pasar por pandas)."""
    elegidos = set(elegidos)
    return np.fromiter((v in elegidos for v in valores.tolist()), bool, len(valores))


def exportable(
    con: duckdb.DuckDBPyConnection,
    olas_: tuple[str, ...],
    nivel: str = COMUNA,
    sectores: tuple[str, ...] = (),
    barrios: tuple[str, ...] = (),
) -> pd.DataFrame:
    """La tabla de `observatorio exportar percepcion`."""
    est = filtrar(estimaciones(con, olas_), sectores, barrios)
    return est.loc[est["nivel"] == nivel, COLUMNAS].reset_index(drop=True)


def estratos_un_conglomerado(con: duckdb.DuckDBPyConnection, olas_: tuple[str, ...]):
    return leer(con, "estratos_un_conglomerado", olas=list(olas_))


def comparar(est: pd.DataFrame, antes: str, despues: str) -> pd.DataFrame:
    """Cambio entre dos olas (muestras independientes): diferencia, SE = √(se₁² + se₂²), z y la
    misma etiqueta que los cambios de casos; con una de las dos "no fiable", no se compara."""
    claves = ["nivel", "unidad_id", "unidad", "sector_id", "indicador", "nombre"]
    campos = ["estimacion", "error_estandar", "calidad", "n"]
    a = est.loc[est["ola"] == antes, claves + campos]
    b = est.loc[est["ola"] == despues, claves + campos]
    t = a.merge(b, on=claves, suffixes=("_antes", "_despues"), how="inner")
    diferencia = t["estimacion_despues"] - t["estimacion_antes"]
    error = np.hypot(t["error_estandar_antes"], t["error_estandar_despues"])
    z = np.divide(diferencia, error, out=np.zeros(len(t)), where=error.to_numpy() > 0)
    fiables = (t["calidad_antes"] != NO_FIABLE) & (t["calidad_despues"] != NO_FIABLE)
    etiqueta = np.select(
        [~fiables, z >= UMBRAL_Z, z <= -UMBRAL_Z], [NO_COMPARABLE, ALZA, BAJA], NORMAL
    )
    return t.assign(diferencia=diferencia, error_diferencia=error, z=z, clasificacion=etiqueta)


def cifra_negra(con: duckdb.DuckDBPyConnection, ola: str) -> pd.DataFrame:
    """Comuna y sectores: hogares víctimas según la encuesta y casos policiales DMCS por 1.000
    hogares en los 12 meses antes del inicio de la ola, y la proporción de víctimas que denunció."""
    grupos = leer(con, "casos_y_hogares_de_la_ola", ola=ola)
    hasta = grupos["hasta"].iloc[0]
    if pd.isna(hasta):
        return pd.DataFrame(
            columns=["nivel", "unidad_id", "unidad", "desde", "hasta", "hogares", "casos"]
        )
    desde, primera = grupos["desde"].iloc[0], grupos["primera"].iloc[0]
    sector = grupos["es_sector"].fillna(False).to_numpy(bool)
    ids = grupos["sector_id"].to_numpy(object)[sector]
    hogares, casos = _hogares_y_casos(grupos, cubierto=pd.notna(primera) and primera <= desde)
    sumas = Celdas.leer(con, [c for c in indicadores(con) if c in _CIFRA_NEGRA], olas=[ola])
    if _CIFRA_NEGRA[0] not in sumas.columnas:  # sin hogares víctimas no hay cifra negra
        return pd.DataFrame(
            columns=[*_UNIDAD, "hogares", "casos", *_CAMPOS_CIFRA, "desde", "hasta"]
        )
    est = sumas.estimar(
        [
            (np.zeros(len(sumas.upm), dtype=np.int64), 1),
            (_posiciones(ids, sumas.sector_id), len(ids)),
        ]
    )
    victimas, denuncio = (_de_cada_unidad(est, sumas.columnas, c) for c in _CIFRA_NEGRA)
    return pd.DataFrame(
        {
            "nivel": np.r_[[COMUNA], np.full(len(ids), "sector", dtype=object)],
            "unidad_id": np.r_[[COMUNA], ids],
            "unidad": np.r_[[COMUNA], grupos["unidad"].to_numpy(object)[sector]],
            "sector_id": np.r_[[np.nan], ids],
            "hogares": hogares,
            "casos": casos,
        }
        | victimas
        | {f"{c}_denuncio": v for c, v in denuncio.items()}
        | {
            "desde": desde.date(),
            "hasta": (hasta - pd.Timedelta(days=1)).date(),
            "casos_por_mil": 1000 * casos / np.where(hogares > 0, hogares, np.nan),
        }
    )


_CIFRA_NEGRA = ("victima_hogar_12m", "denuncio")
_UNIDAD = ["nivel", "unidad_id", "unidad", "sector_id"]
_CAMPOS_CIFRA = ["estimacion", "ic_inferior", "ic_superior", "n", "calidad"]


def _hogares_y_casos(grupos: pd.DataFrame, cubierto: bool) -> tuple[np.ndarray, np.ndarray]:
    """Hogares y casos de la comuna (todos los grupos de barrios) y de cada sector. Enteros
    mientras no falte ninguno, como con el merge por la izquierda de antes: un sector sin barrios
    no tiene ni hogares ni casos; un grupo de barrios sin casos suma 0, pero deja los casos en
    decimales. Sin datos policiales de los 12 meses completos, los casos quedan sin dato."""
    de_barrios = grupos["hogares"].notna().to_numpy()
    sector = grupos["es_sector"].fillna(False).to_numpy(bool)
    sin_casos = grupos["casos"].isna().to_numpy()
    hogares = grupos["hogares"].to_numpy(float, na_value=np.nan)
    casos = np.where(sin_casos, 0.0, grupos["casos"].to_numpy(float, na_value=np.nan))
    hogares = np.r_[hogares[de_barrios].sum(), hogares[sector]]
    casos = np.r_[casos[de_barrios].sum(), np.where(de_barrios, casos, np.nan)[sector]]
    enteros = not np.isnan(hogares).any()
    if enteros:
        hogares = hogares.astype(np.int64)
    if not cubierto:
        return hogares, np.full(len(casos), np.nan)
    if enteros and not sin_casos[de_barrios].any():
        return hogares, casos.astype(np.int64)
    return hogares, casos


def _de_cada_unidad(est: dict, columnas: list[str], indicador: str) -> dict:
    """Los campos de la cifra negra de un indicador en cada unidad (sin dato si no está)."""
    if indicador not in columnas:
        vacio = np.full(len(est["estimacion"]) // max(len(columnas), 1), np.nan)
        return {c: pd.array(vacio, dtype="str") if c == "calidad" else vacio for c in _CAMPOS_CIFRA}
    i, j = columnas.index(indicador), len(columnas)
    return {c: est[c][i::j] for c in _CAMPOS_CIFRA}


def fecha_corte(metadatos: dict[str, str]) -> date | None:
    texto = metadatos.get("fecha_corte_encuestas")
    return date.fromisoformat(texto) if texto else None
