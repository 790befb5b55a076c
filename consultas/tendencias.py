"""La página Tendencias y `observatorio exportar tendencias|comparacion`: series con su banda de
variación esperada, grillas de estacionalidad y comparación por territorio con gráfico de embudo.

Las reglas de la banda y del embudo están en REGLA_BANDA y REGLA_EMBUDO, que la página cita.
"""

import threading
from dataclasses import replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from consultas.estadistica import (
    MINIMO_CASOS,
    POCOS,
    clasificar,
    comparar,
    tasa_por_mil,
    variacion_pct,
    z_poisson,
)
from consultas.filtros import Filtros, limites
from consultas.periodos import Ventana
from consultas.sql import leer

ESCALAS = {"dia": "Día", "semana": "Semana", "mes": "Mes"}
DESGLOSES = {"total": "Total", "familia": "Por familia", "delito": "Por tipo"}
TERRITORIOS = {"barrio": "Barrio", "sector": "Sector"}
TOTAL = "Total"

# Unidades de la media móvil (la unidad y las anteriores); también el largo de "las últimas".
MEDIA_MOVIL = {"dia": 7, "semana": 4, "mes": 3}
# Un año atrás en unidades de la escala; 364 días = 52 semanas conserva el día de la semana.
UN_ANIO = {"dia": 364, "semana": 52, "mes": 12}
# Vecinas de una unidad en la banda; para un día, el mismo día de la semana anterior y siguiente.
VECINO = {"dia": 7, "semana": 1, "mes": 1}
ANIOS_BANDA = 3
MINIMO_REFERENCIAS = 3
NIVEL_BANDA = 0.95
NIVELES_EMBUDO = (0.95, 0.998)

SOBRE = "sobre lo esperado"
BAJO = "bajo lo esperado"
DENTRO = "dentro de lo esperado"
SIN_HISTORIA = "sin historia"

SOBRE_998 = "sobre el límite de 99,8 %"
SOBRE_95 = "sobre el límite de 95 %"
DENTRO_EMBUDO = "dentro de los límites"
BAJO_95 = "bajo el límite de 95 %"
BAJO_998 = "bajo el límite de 99,8 %"
SIN_POBLACION = "sin población"

REGLA_BANDA = (
    "Banda de lo esperado: para cada unidad se toman la misma unidad y sus dos vecinas (la "
    "anterior y la siguiente; para un día, el mismo día de la semana anterior y siguiente) en cada "
    "uno de los 3 años previos, hasta 9 valores, ajustados al largo de la unidad (un año atrás son "
    "52 semanas: se conserva el día de la semana). Con su media m y su varianza s² se usa la "
    "binomial negativa de esa media y varianza si s² > m, y Poisson de media m si no. La banda va "
    "del percentil 2,5 al 97,5; un conteo fuera de ella queda «fuera de lo esperado». Sin al menos "
    f"3 valores de historia no hay banda; con menos de {MINIMO_CASOS} casos entre el conteo y lo "
    "esperado no se marca nada (pocos casos)."
)
REGLA_EMBUDO = (
    "Embudo: cada punto es la tasa del período por 1.000 habitantes contra la población. Las "
    "curvas son los límites de control de 95 % y 99,8 % alrededor de la tasa comunal (todos los "
    "barrios, mismos delitos y período): cuantiles exactos de Poisson de los casos esperados con "
    "la tasa comunal, interpolados según Spiegelhalter (2005). Un territorio pequeño tiene límites "
    "más anchos, así el azar no lo marca. Con 20 territorios, uno fuera del 95 % es esperable por "
    "azar; fuera del 99,8 % pide atención."
)
COLUMNAS_SERIE = [
    "grupo",
    "fecha",
    "fin",
    "casos",
    "media_movil",
    "hace_1_anio",
    "hace_2_anios",
    "hace_3_anios",
    "esperado",
    "limite_inferior",
    "limite_superior",
    "posicion",
    "fuera",
]


# ---------------------------------------------------------------------------------------------
# Consultas (cada una se guarda en caché en la página por sus argumentos).


def sin_periodo(filtros: Filtros) -> Filtros:
    """Los filtros sin el período: la historia diaria no depende de él, y así la caché la sirve
    también cuando solo cambia el período."""
    return replace(filtros, desde=date.min, hasta=date.min, preset="")


def casos_diarios(con: duckdb.DuckDBPyConnection, filtros: Filtros, desglose: str) -> pd.DataFrame:
    """Casos por día de toda la historia (dia, grupo, casos); grupo según `desglose`."""
    df = leer(con, "casos_diarios", desglose=desglose, **filtros.parametros())
    return df.assign(dia=pd.to_datetime(df["dia"]))


def primer_dia(con: duckdb.DuckDBPyConnection, fuente: str) -> date | None:
    """Primer día con casos de la fuente (del agregado diario: sin recorrer los casos)."""
    valor = leer(con, "primer_dia_fuente", fuente=fuente)["primer_dia"].iloc[0]
    return None if pd.isna(valor) else pd.Timestamp(valor).date()


def hora_y_dia(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> pd.DataFrame:
    """Casos del período en una grilla día de la semana (1 = lunes, filas) × hora (columnas)."""
    desde, hasta = limites(filtros.ventana)
    df = leer(con, "casos_por_hora_y_dia", desde=desde, hasta=hasta, **filtros.parametros())
    # En numpy: pivot_table y reindex tomaban más que el SQL.
    grilla = np.zeros((7, 24), dtype=np.int64)
    dia, hora = df["dia_semana"].to_numpy(np.int64) - 1, df["hora"].to_numpy(np.int64)
    np.add.at(grilla, (dia, hora), df["casos"].to_numpy(np.int64))
    return pd.DataFrame(
        grilla,
        index=pd.RangeIndex(1, 8, name="dia_semana"),
        columns=pd.RangeIndex(24, name="hora"),
    )


def actividades(con: duckdb.DuckDBPyConnection, filtros: Filtros) -> pd.DataFrame:
    """Actividades del programa en el territorio y período de los filtros."""
    df = leer(
        con,
        "actividades_del_periodo",
        desde=filtros.desde,
        hasta=filtros.hasta,
        sectores=list(filtros.sectores),
        barrios=list(filtros.barrios),
    )
    return df.assign(fecha=pd.to_datetime(df["fecha"]))


def comparacion(
    con: duckdb.DuckDBPyConnection, filtros: Filtros, por: str = "barrio"
) -> pd.DataFrame:
    """Por barrio o sector del territorio elegido: casos del período, del período anterior y del
    mismo período del año anterior, con variación, z de Poisson y su etiqueta (las de Resumen),
    tasa por 1.000 habitantes y límites del embudo alrededor de la tasa comunal."""
    ventana = filtros.ventana
    desde, hasta = limites(ventana)
    desde_anterior, _ = limites(ventana.anterior())
    desde_anio, hasta_anio = limites(ventana.anio_anterior())
    barrios = leer(
        con,
        "casos_por_barrio_en_ventanas",
        desde=desde,
        hasta=hasta,
        desde_anterior=desde_anterior,
        desde_anio=desde_anio,
        hasta_anio=hasta_anio,
        inicio=min(desde_anterior, desde_anio),
        **(filtros.parametros() | {"sectores": [], "barrios": []}),
    )
    # En arreglos de numpy y un solo DataFrame al final: filtrar, agrupar y agregar columnas a
    # pandas, sobre unas 40 filas, tomaba más que el SQL.
    conteos = ["poblacion", "actual", "anterior", "anio_anterior"]
    valores = {c: barrios[c].to_numpy() for c in conteos}
    poblacion_comuna = valores["poblacion"].sum()
    tasa_comuna = 1000 * valores["actual"].sum() / poblacion_comuna if poblacion_comuna else np.nan
    if filtros.barrios or filtros.sectores:
        columna, elegidos = (
            ("barrio_id", filtros.barrios) if filtros.barrios else ("sector_id", filtros.sectores)
        )
        dentro = np.isin(barrios[columna].to_numpy(object), list(elegidos))
        barrios, valores = barrios[dentro], {c: v[dentro] for c, v in valores.items()}
    if por == "sector":
        ids, fila = np.unique(barrios["sector_id"].to_numpy(object), return_inverse=True)
        nombres = dict(zip(barrios["sector_id"].tolist(), barrios["sector"].tolist(), strict=True))
        columnas = {"unidad_id": ids, "unidad": np.array([nombres[i] for i in ids], dtype=object)}
        for c in conteos:
            suma = np.zeros(len(ids), dtype=np.int64)
            np.add.at(suma, fila, valores[c])
            columnas[c] = suma.astype(valores[c].dtype)
    else:
        columnas = {
            "unidad_id": barrios["barrio_id"].to_numpy(object),
            "unidad": barrios["nombre"].to_numpy(object),
            "sector": barrios["sector"].to_numpy(object),
        } | valores
    actual = columnas["actual"].astype(float)
    for sufijo, anterior in [("", "anterior"), ("_anual", "anio_anterior")]:
        antes = columnas[anterior].astype(float)
        z = z_poisson(actual, antes)
        columnas[f"variacion{sufijo}_pct"] = variacion_pct(actual, antes)
        columnas["z_poisson" if not sufijo else "z_anual"] = z
        columnas[f"clasificacion{sufijo}"] = clasificar(z, actual, antes)
    columnas["tasa"] = tasa_por_mil(columnas["actual"], columnas["poblacion"])
    columnas["tasa_comuna"] = np.full(len(actual), tasa_comuna, dtype=float)
    for nivel in NIVELES_EMBUDO:
        inferior, superior = limites_embudo(columnas["poblacion"], tasa_comuna, nivel)
        nombre = _nombre_nivel(nivel)
        columnas[f"limite_{nombre}_inf"], columnas[f"limite_{nombre}_sup"] = inferior, superior
    columnas["embudo"] = posicion_embudo(columnas)
    return pd.DataFrame(columnas)


# ---------------------------------------------------------------------------------------------
# Series: funciones puras sobre la historia diaria.


def unidades(ventana: Ventana, escala: str) -> pd.DataFrame:
    """Unidades completas del período, de la más antigua a la más reciente (fecha y fin,
    inclusivas). Las semanas se cuentan hacia atrás desde el último día: la última es la de los
    últimos 7 días, como en Resumen. Los meses son meses calendario enteros. Lo que no completa
    una unidad no se muestra: una semana a medias parecería una baja."""
    desde, hasta = pd.Timestamp(ventana.desde), pd.Timestamp(ventana.hasta)
    if escala == "dia":
        dias = pd.date_range(desde, hasta, freq="D")
        return pd.DataFrame({"fecha": dias, "fin": dias})
    if escala == "semana":
        fines = pd.date_range(end=hasta, periods=ventana.dias // 7, freq="7D")
        return pd.DataFrame({"fecha": fines - pd.Timedelta(days=6), "fin": fines})
    # Los meses en numpy (period_range y sus start_time/end_time tomaban ~3 ms), con la unidad
    # de tiempo que daban (microsegundos).
    meses = np.arange(np.datetime64(ventana.desde, "M"), np.datetime64(ventana.hasta, "M") + 1)
    inicios, fines = _dias_de(meses)
    completos = (inicios >= np.datetime64(ventana.desde, "D")) & (
        fines <= np.datetime64(ventana.hasta, "D")
    )
    return pd.DataFrame(
        {
            "fecha": inicios[completos].astype("datetime64[us]"),
            "fin": fines[completos].astype("datetime64[us]"),
        }
    )


def _dias_de(meses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Primer y último día (datetime64[D]) de cada mes (datetime64[M])."""
    ultimos = (meses + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return meses.astype("datetime64[D]"), ultimos


def _en_numpy(u: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Inicio y fin (datetime64[D]) de las unidades, para desplazarlas con `_atras`."""
    return u["fecha"].to_numpy("datetime64[D]"), u["fin"].to_numpy("datetime64[D]")


def _atras(u: tuple[np.ndarray, np.ndarray], escala: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Inicio y fin (datetime64[D]) de cada unidad `n` unidades antes; `u` son sus inicios y fines
    en numpy (`_en_numpy`), convertidos una vez. En numpy: la aritmética de fechas de pandas
    tomaba la mitad del tiempo de la serie."""
    fechas, fines = u
    if escala == "mes":
        return _dias_de(fechas.astype("datetime64[M]") - n)
    paso = np.timedelta64(n * (7 if escala == "semana" else 1), "D")
    return fechas - paso, fines - paso


class _Historia:
    """Suma acumulada por día y grupo: los casos de cualquier tramo de días salen de una resta."""

    def __init__(self, historia: pd.DataFrame, primer_dia: date, hasta: date):
        self.inicio = np.datetime64(primer_dia, "D")
        # La tabla día × grupo (grupos en orden alfabético, días de primer_dia a hasta) armada
        # en numpy: pivot_table tomaba más que todo el resto de la serie.
        codigos, grupos = pd.factorize(historia["grupo"], sort=True)
        dia = historia["dia"].to_numpy("datetime64[D]") - np.datetime64(primer_dia, "D")
        dia = dia.astype(np.int64)
        n = (hasta - primer_dia).days + 1
        dentro = (dia >= 0) & (dia < n) & (codigos >= 0)
        tabla = np.zeros((max(n, 0), len(grupos)))
        np.add.at(tabla, (dia[dentro], codigos[dentro]), historia["casos"].to_numpy(float)[dentro])
        if len(grupos) == 0:
            grupos, tabla = [TOTAL], np.zeros((max(n, 0), 1))
        self.grupos = list(grupos)
        self.acumulado = np.vstack([np.zeros((1, len(self.grupos))), tabla.cumsum(axis=0)])

    def casos(self, inicios: np.ndarray, fines: np.ndarray) -> np.ndarray:
        """Casos de cada tramo [inicio, fin] (datetime64[D]; filas) por grupo (columnas); NaN si
        el tramo cae fuera de los días con datos."""
        ultimo = len(self.acumulado) - 1
        i = (inicios - self.inicio).astype(np.int64)
        f = (fines - self.inicio).astype(np.int64) + 1
        suma = self.acumulado[np.clip(f, 0, ultimo)] - self.acumulado[np.clip(i, 0, ultimo)]
        suma[(i < 0) | (f > ultimo)] = np.nan
        return suma


_ULTIMA = threading.local()


def _historia(historia: pd.DataFrame, primer_dia: date, hasta: date) -> _Historia:
    """La suma acumulada de la última historia pedida en este hilo, si es la misma (el mismo
    objeto, primer día y fin): Tendencias la usa para la serie, las últimas unidades y el mes ×
    año de una ejecución, y armarla toma ~2 ms."""
    ultima = getattr(_ULTIMA, "historia", None)
    if ultima is not None and ultima[0] is historia and ultima[1:3] == (primer_dia, hasta):
        return ultima[3]
    h = _Historia(historia, primer_dia, hasta)
    _ULTIMA.historia = (historia, primer_dia, hasta, h)
    return h


def cuantil_poisson(q: float, media) -> np.ndarray:
    """El menor k con P(X ≤ k) ≥ q para X ~ Poisson(media), igual a stats.poisson.ppf (NaN si la
    media es NaN o negativa). stats.poisson.ppf invierte la gamma incompleta por iteración, ≈ 10
    µs por valor con medias de cientos (varios ms por página entre el embudo y la banda); aquí se
    parte de la aproximación de Cornish-Fisher y se corrige de a uno con la acumulada exacta. Las
    medias fuera de [0, 10⁹] y lo que no converja en unos pasos van a scipy."""
    from scipy import special, stats

    m = np.asarray(media, float)
    resultado = np.full(m.shape, np.nan)
    rapidas = (m >= 0) & (m <= 1e9)
    mu = m[rapidas]
    z = special.ndtri(q)
    k = np.maximum(np.floor(mu + z * np.sqrt(mu) + (z * z - 1) / 6), 0)
    for _ in range(100):
        subir = special.pdtr(k, mu) < q
        bajar = (k > 0) & (special.pdtr(k - 1, mu) >= q)
        if not (subir.any() or bajar.any()):
            break
        k = k + subir - bajar
    else:
        rapidas[rapidas] = False  # sin converger: todas a scipy
    resultado[rapidas] = k if rapidas.any() else resultado[rapidas]
    otras = ~rapidas & ~np.isnan(m)
    if otras.any():
        resultado[otras] = stats.poisson.ppf(q, m[otras])
    return resultado


def limites_banda(esperado, varianza, nivel: float = NIVEL_BANDA):
    """Percentiles (1 − nivel)/2 y (1 + nivel)/2 de Poisson(m), o de la binomial negativa de media
    m y varianza s² cuando hay sobredispersión (s² > m)."""
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    m = np.atleast_1d(np.asarray(esperado, float))
    v = np.atleast_1d(np.asarray(varianza, float))
    colas = ((1 - nivel) / 2, (1 + nivel) / 2)
    inferior, superior = (cuantil_poisson(q, m) for q in colas)
    nb = (v > m) & (m > 0)
    if nb.any():
        r = m[nb] ** 2 / (v[nb] - m[nb])
        p = r / (r + m[nb])
        inferior[nb], superior[nb] = (stats.nbinom.ppf(q, r, p) for q in colas)
    return inferior, superior


def posicion_banda(casos, esperado, inferior, superior) -> np.ndarray:
    casos, esperado = np.asarray(casos, float), np.asarray(esperado, float)
    return np.select(
        [
            np.isnan(esperado),
            casos + esperado < MINIMO_CASOS,
            casos > superior,
            casos < inferior,
        ],
        [SIN_HISTORIA, POCOS, SOBRE, BAJO],
        DENTRO,
    )


def serie(
    historia: pd.DataFrame, ventana: Ventana, escala: str, primer_dia: date | None
) -> pd.DataFrame:
    """Una fila por unidad completa del período y grupo: casos, media móvil, los mismos días de
    los 3 años anteriores, lo esperado y su banda (REGLA_BANDA), y la posición del conteo."""
    u = unidades(ventana, escala)
    if u.empty or primer_dia is None or primer_dia > ventana.hasta:
        return pd.DataFrame(columns=COLUMNAS_SERIE)
    h = _historia(historia, primer_dia, ventana.hasta)
    un = _en_numpy(u)
    dias = _largo(*_atras(un, escala, 0))
    casos = h.casos(*_atras(un, escala, 0))
    media = np.mean([h.casos(*_atras(un, escala, j)) for j in range(MEDIA_MOVIL[escala])], axis=0)
    hace = [h.casos(*_atras(un, escala, UN_ANIO[escala] * k)) for k in (1, 2, 3)]
    referencias = []
    for k in range(1, ANIOS_BANDA + 1):
        for vecina in (-1, 0, 1):
            inicios, fines = _atras(un, escala, UN_ANIO[escala] * k + VECINO[escala] * vecina)
            referencias.append(h.casos(inicios, fines) * dias / _largo(inicios, fines))
    r = np.stack(referencias)
    n = (~np.isnan(r)).sum(axis=0)
    suma = np.nansum(r, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        esperado = np.where(n >= MINIMO_REFERENCIAS, suma / n, np.nan)
        varianza = np.nansum((r - esperado) ** 2, axis=0) / (n - 1)
    inferior, superior = limites_banda(esperado, varianza)
    # Una fila por grupo y unidad (grupo por grupo), sin las unidades antes del primer día: en
    # arreglos planos y un solo DataFrame, no uno por grupo.
    columnas = {
        "casos": casos,
        "media_movil": media,
        "hace_1_anio": hace[0],
        "hace_2_anios": hace[1],
        "hace_3_anios": hace[2],
        "esperado": esperado,
        "limite_inferior": inferior,
        "limite_superior": superior,
    }
    columnas = {k: v.T.ravel() for k, v in columnas.items()}
    con_datos = ~np.isnan(columnas["casos"])
    columnas = {k: v[con_datos] for k, v in columnas.items()}
    posicion = posicion_banda(
        columnas["casos"],
        columnas["esperado"],
        columnas["limite_inferior"],
        columnas["limite_superior"],
    )
    grupos = len(h.grupos)
    tabla = {
        "grupo": pd.array(np.repeat(np.array(h.grupos, dtype=object), len(u))[con_datos], "str"),
        "fecha": np.tile(u["fecha"].to_numpy(), grupos)[con_datos],
        "fin": np.tile(u["fin"].to_numpy(), grupos)[con_datos],
        **columnas,
        "posicion": posicion,
        "fuera": np.isin(posicion, [SOBRE, BAJO]),
    }
    tabla["casos"] = tabla["casos"].astype(int)
    return pd.DataFrame(tabla)[COLUMNAS_SERIE]


def _largo(inicios: np.ndarray, fines: np.ndarray) -> np.ndarray:
    """Días de cada tramo [inicio, fin], como columna."""
    return ((fines - inicios).astype(np.int64) + 1)[:, None]


def ultimas(
    historia: pd.DataFrame, ventana: Ventana, escala: str, primer_dia: date | None
) -> pd.DataFrame:
    """Casos de las últimas unidades del período (MEDIA_MOVIL[escala], o las que haya) contra las
    mismas unidades inmediatamente anteriores, por grupo y en total, con la etiqueta de Resumen."""
    u = unidades(ventana, escala).tail(MEDIA_MOVIL[escala])
    if u.empty or primer_dia is None or primer_dia > ventana.hasta:
        return pd.DataFrame()
    h = _historia(historia, primer_dia, ventana.hasta)
    un = _en_numpy(u)
    actual = h.casos(*_atras(un, escala, 0)).sum(axis=0)
    inicios, fines = _atras(un, escala, len(u))
    anterior = h.casos(inicios, fines).sum(axis=0)  # NaN si la historia no alcanza
    grupos = h.grupos
    if grupos != [TOTAL]:
        grupos = [*grupos, TOTAL]
        actual, anterior = np.append(actual, actual.sum()), np.append(anterior, anterior.sum())
    n = len(grupos)
    tabla = pd.DataFrame(
        {
            "grupo": grupos,
            "actual": actual,
            "anterior": anterior,
            "unidades": np.full(n, len(u)),
            "desde": [u["fecha"].iloc[0].date()] * n,
            "hasta": [u["fin"].iloc[-1].date()] * n,
            "desde_anterior": [inicios[0].astype(object)] * n,
        }
    )
    return comparar(tabla.dropna(subset=["anterior"]))


def mes_y_anio(historia: pd.DataFrame, primer_dia: date | None, hasta: date) -> pd.DataFrame:
    """Casos de cada mes calendario completo con datos, en una grilla año (filas) × mes (1–12)."""
    if primer_dia is None or primer_dia > hasta:
        return pd.DataFrame(columns=range(1, 13), dtype=float)
    u = unidades(Ventana(primer_dia, hasta), "mes")
    h = _historia(historia, primer_dia, hasta)
    casos = h.casos(*_atras(_en_numpy(u), "mes", 0)).sum(axis=1)
    # La grilla en numpy: pivot y reindex tomaban más que contar los meses.
    meses = u["fecha"].to_numpy("datetime64[M]").astype(np.int64)  # meses desde 1970-01
    anio, mes = meses // 12 + 1970, meses % 12
    anios = np.unique(anio)
    grilla = np.full((len(anios), 12), np.nan)
    grilla[np.searchsorted(anios, anio), mes] = casos
    return pd.DataFrame(
        grilla,
        index=pd.Index(anios.astype(np.int32), name="anio"),
        columns=pd.RangeIndex(1, 13, name="mes"),
    )


# ---------------------------------------------------------------------------------------------
# Embudo.


def _nombre_nivel(nivel: float) -> str:
    return f"{100 * nivel:g}".replace(".", "")  # 0.95 -> "95", 0.998 -> "998"


def limites_embudo(poblacion, tasa: float, nivel: float):
    """Límites de control (inferior, superior) de una tasa por 1.000 para cada población,
    alrededor de `tasa`: cuantil exacto de Poisson r de los casos esperados E, interpolado como
    r − α con α = (F(r) − q) / (F(r) − F(r − 1)) (Spiegelhalter 2005), y dividido por la
    población. Sin población no hay límites."""
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    n = np.asarray(poblacion, float)
    esperado = np.nan_to_num(tasa * n / 1000) if np.isfinite(tasa) else np.full_like(n, np.nan)
    resultado = []
    for q in ((1 - nivel) / 2, (1 + nivel) / 2):
        r = cuantil_poisson(q, esperado)
        acumulada = stats.poisson.cdf(r, esperado)
        alfa = (acumulada - q) / (acumulada - stats.poisson.cdf(r - 1, esperado))
        conteo = np.maximum(r - alfa, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            resultado.append(np.where(n > 0, 1000 * conteo / n, np.nan))
    return resultado[0], resultado[1]


def posicion_embudo(tabla) -> np.ndarray:
    """Posición de cada tasa en el embudo; `tabla` es un DataFrame o un dict de columnas."""
    t = np.asarray(tabla["tasa"], float)
    limite = {
        k: np.asarray(tabla[f"limite_{k}"], float)
        for k in ("95_sup", "998_sup", "998_inf", "95_inf")
    }
    return np.select(
        [
            np.isnan(t) | np.isnan(limite["95_sup"]),
            t > limite["998_sup"],
            t > limite["95_sup"],
            t < limite["998_inf"],
            t < limite["95_inf"],
        ],
        [SIN_POBLACION, SOBRE_998, SOBRE_95, BAJO_998, BAJO_95],
        DENTRO_EMBUDO,
    )


def sobredispersion(tabla: pd.DataFrame) -> float | None:
    """φ de Spiegelhalter (2005): promedio de z² = ((O − E) / √E)² con z acotado a sus
    percentiles 10 y 90; None si no hay al menos 10 territorios con población o si φ no supera lo
    que daría el azar (prueba χ² al 95 % con n − 1 grados de libertad)."""
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    con_poblacion = tabla["embudo"].to_numpy(object) != SIN_POBLACION
    n = int(con_poblacion.sum())
    if n < 10:
        return None
    # En numpy, columna por columna: filtrar la tabla entera tomaba más que el cálculo.
    tasa, poblacion, actual = (
        tabla[c].to_numpy(float, na_value=np.nan)[con_poblacion]
        for c in ("tasa_comuna", "poblacion", "actual")
    )
    esperado = tasa * poblacion / 1000
    if not (esperado > 0).all():
        return None
    z = (actual - esperado) / np.sqrt(esperado)
    z = np.clip(z, *np.percentile(z, [10, 90]))
    phi = float(np.mean(z**2))
    return phi if n * phi > stats.chi2.ppf(0.95, n - 1) else None


def curvas_embudo(tasa: float, poblacion_maxima: float, puntos: int = 200) -> pd.DataFrame:
    """Los límites del embudo a lo largo de la población, para dibujarlos."""
    poblacion = np.linspace(max(poblacion_maxima, 1) / puntos, 1.05 * poblacion_maxima, puntos)
    curvas = {"poblacion": poblacion}
    for nivel in NIVELES_EMBUDO:
        inferior, superior = limites_embudo(poblacion, tasa, nivel)
        curvas[f"inf_{_nombre_nivel(nivel)}"] = inferior
        curvas[f"sup_{_nombre_nivel(nivel)}"] = superior
    return pd.DataFrame(curvas)  # de una vez: columna por columna tomaba un tercio del tiempo
