"""Estadística espacial de los puntos calientes (DISENO.md §4), sin Streamlit ni SQL.

- Gi* de Getis y Ord con pesos binarios (la celda y sus vecinas), z contra la normal.
- Benjamini–Hochberg sobre todas las celdas del universo.
- Mann–Kendall sobre la serie de z de cada celda, y las categorías de evolución.
"""

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

NIVELES = (99, 95, 90)  # confianza, de mayor a menor
CALIENTE = "caliente"
FRIO = "frío"
NO_SIGNIFICATIVO = "no significativo"


def gi_estrella(casos: np.ndarray, pesos: "sparse.csr_matrix") -> np.ndarray:
    """z de Gi* por celda (Getis y Ord 1995; igual a esda.G_Local con star=True, pesos binarios).

    z_i = (Σ_j w_ij x_j − x̄ k_i) / (S √((n k_i − k_i²)/(n − 1))), con k_i = Σ_j w_ij, x̄ y S la
    media y la desviación (poblacional) de todas las celdas. Sin variación (todo igual) no hay z:
    devuelve NaN.
    """
    x = np.asarray(casos, dtype=float)
    n = len(x)
    k = np.asarray(pesos.sum(axis=1)).ravel()
    media = x.mean() if n else np.nan
    desviacion = np.sqrt(max((x**2).mean() - media**2, 0.0)) if n else 0.0
    if n < 2 or desviacion == 0:
        return np.full(n, np.nan)
    denominador = desviacion * np.sqrt((n * k - k**2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominador > 0, (pesos @ x - media * k) / denominador, np.nan)


def gi_estrella_columnas(casos: np.ndarray, pesos: "sparse.csr_matrix") -> np.ndarray:
    """`gi_estrella` de cada columna de `casos` (celdas × períodos), todas a la vez. Con conteos
    (enteros) da los mismos z que columna a columna: sus sumas son exactas en cualquier orden."""
    x = np.asarray(casos, dtype=float)
    n = x.shape[0]
    if n < 2:
        return np.full(x.shape, np.nan)
    k = np.asarray(pesos.sum(axis=1)).ravel()[:, None]
    media = x.mean(axis=0)
    desviacion = np.sqrt(np.maximum((x**2).mean(axis=0) - media**2, 0.0))
    denominador = desviacion * np.sqrt((n * k - k**2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominador > 0, (pesos @ x - media * k) / denominador, np.nan)
    z[:, desviacion == 0] = np.nan
    return z


def p_bilateral(z: np.ndarray) -> np.ndarray:
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    return 2 * stats.norm.sf(np.abs(z))


def fdr(p: np.ndarray) -> np.ndarray:
    """p ajustados por Benjamini–Hochberg (NaN queda NaN y no cuenta como prueba)."""
    from scipy import stats

    p = np.asarray(p, dtype=float)
    ajustados = np.full(p.shape, np.nan)
    validos = ~np.isnan(p)
    if validos.any():
        ajustados[validos] = stats.false_discovery_control(p[validos], method="bh")
    return ajustados


def fdr_columnas(p: np.ndarray) -> np.ndarray:
    """`fdr` de cada columna (cada período de la evolución): de una vez cuando no hay NaN."""
    from scipy import stats

    p = np.asarray(p, dtype=float)
    if p.size and not np.isnan(p).any():
        return stats.false_discovery_control(p, axis=0, method="bh")
    return np.column_stack([fdr(p[:, t]) for t in range(p.shape[1])]).reshape(p.shape)


def clase(z: np.ndarray, p_fdr: np.ndarray) -> np.ndarray:
    """'caliente 99 %', 'frío 95 %'… según el p ajustado; 'no significativo' si p ≥ 0,10."""
    z = np.asarray(z, dtype=float)
    p_fdr = np.asarray(p_fdr, dtype=float)
    resultado = np.full(z.shape, NO_SIGNIFICATIVO, dtype=object)
    for nivel in sorted(NIVELES):  # de 90 a 99: el nivel más alto alcanzado queda al final
        significativo = p_fdr < (100 - nivel) / 100
        resultado[significativo & (z > 0)] = f"{CALIENTE} {nivel} %"
        resultado[significativo & (z < 0)] = f"{FRIO} {nivel} %"
    return resultado


def mann_kendall(serie) -> tuple[float, float]:
    """Tendencia de Mann–Kendall de una serie: (z, p bilateral)."""
    z, p = mann_kendall_filas(np.asarray(serie, dtype=float)[None, :])
    return float(z[0]), float(p[0])


def mann_kendall_filas(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann–Kendall de cada fila (sin NaN), con corrección por empates y de continuidad.

    S = Σ_{i<j} signo(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ_grupos t(t−1)(2t+5)] / 18;
    z = (S − signo(S)) / √Var(S). Con menos de 3 valores o sin varianza: z = 0, p = 1.
    """
    x = np.asarray(series, dtype=float)
    filas, n = x.shape
    # Por pares (i, j > i), sin armar el cubo filas × n × n, con cada período en memoria contigua:
    # S y los empates son sumas de enteros, exactas en cualquier orden.
    columnas = np.ascontiguousarray(x.T)
    s = np.zeros(filas)
    grupo = np.ones((n, filas), dtype=np.int64)  # cada valor es igual a sí mismo
    for i in range(n - 1):
        diferencias = columnas[i + 1 :] - columnas[i]  # x_j − x_i para j > i
        s += np.sign(diferencias).sum(axis=0)
        iguales = diferencias == 0
        grupo[i] += iguales.sum(axis=0)
        grupo[i + 1 :] += iguales
    # Σ_grupos t(t−1)(2t+5) = Σ_i (t_i − 1)(2 t_i + 5), con t_i el tamaño del grupo de x_i.
    empates = ((grupo - 1) * (2 * grupo + 5)).sum(axis=0)
    varianza = (n * (n - 1) * (2 * n + 5) - empates) / 18
    valida = (varianza > 0) & (n >= 3)
    z = np.where(valida, (s - np.sign(s)) / np.sqrt(np.where(valida, varianza, 1)), 0.0)
    return z, np.where(valida, p_bilateral(z), 1.0)


# Categorías de evolución (como el análisis de puntos calientes emergentes). Cada período se
# clasifica con el Gi* de ese período (caliente o frío al 90 % o más, p ajustado por FDR).
NUEVO = "nuevo"
CONSECUTIVO = "consecutivo"
INTENSIFICANDOSE = "intensificándose"
PERSISTENTE = "persistente"
DISMINUYENDO = "disminuyendo"
ESPORADICO = "esporádico"
OSCILANTE = "oscilante"
HISTORICO = "histórico"
SIN_PATRON = "sin patrón caliente"
CATEGORIAS = [
    NUEVO,
    CONSECUTIVO,
    INTENSIFICANDOSE,
    PERSISTENTE,
    DISMINUYENDO,
    ESPORADICO,
    OSCILANTE,
    HISTORICO,
    SIN_PATRON,
]
REGLAS = {
    NUEVO: "caliente solo en el último período",
    CONSECUTIVO: (
        "una sola racha de dos o más períodos calientes que llega al último, sin períodos "
        "calientes antes de ella y en menos del 90 % de los períodos"
    ),
    INTENSIFICANDOSE: (
        "caliente en al menos el 90 % de los períodos, incluido el último, y su z crece "
        "(Mann–Kendall, p < 0,05)"
    ),
    PERSISTENTE: (
        "caliente en al menos el 90 % de los períodos, incluido el último, sin tendencia del z"
    ),
    DISMINUYENDO: (
        "caliente en al menos el 90 % de los períodos, incluido el último, y su z baja "
        "(Mann–Kendall, p < 0,05)"
    ),
    ESPORADICO: (
        "caliente en el último período, con otros períodos calientes intermitentes antes, en "
        "menos del 90 % de los períodos y nunca fría"
    ),
    OSCILANTE: (
        "caliente en el último período y fría en algún período anterior, en menos del 90 % "
        "de los períodos"
    ),
    HISTORICO: "no caliente en el último período, pero caliente en al menos el 90 % de ellos",
    SIN_PATRON: "ninguna de las anteriores (incluye celdas nunca calientes)",
}
UMBRAL_PERSISTENCIA = 0.9
ALFA_TENDENCIA = 0.05


def categoria(calientes, frios, z) -> str:
    """Categoría de una celda: ver `categorias`."""
    calientes = np.asarray(calientes, dtype=bool)[None, :]
    tendencia, p = mann_kendall_filas(np.asarray(z, dtype=float)[None, :])
    return str(categorias(calientes, np.asarray(frios, dtype=bool)[None, :], tendencia, p)[0])


def categorias(
    calientes: np.ndarray, frios: np.ndarray, tendencia: np.ndarray, p_tendencia: np.ndarray
) -> np.ndarray:
    """Categoría de cada celda (fila) según sus períodos calientes y fríos (columnas, del más
    antiguo al último) y la tendencia de Mann–Kendall de su z. Reglas en REGLAS; se aplican en
    ese orden de prioridad."""
    calientes = np.asarray(calientes, dtype=bool)
    frios = np.asarray(frios, dtype=bool)
    n = calientes.shape[1]
    total = calientes.sum(axis=1)
    ultimo = calientes[:, -1]
    persistente = total >= UMBRAL_PERSISTENCIA * n
    # Largo de la racha caliente final: posición del último período no caliente desde el final.
    no_calientes = ~calientes[:, ::-1]
    racha = np.where(no_calientes.any(axis=1), no_calientes.argmax(axis=1), n)
    con_tendencia = p_tendencia < ALFA_TENDENCIA
    condiciones = [
        total == 0,
        persistente & ~ultimo,
        persistente & con_tendencia & (tendencia > 0),
        persistente & con_tendencia & (tendencia < 0),
        persistente,
        ~ultimo,
        total == 1,
        racha == total,
        frios[:, :-1].any(axis=1),
    ]
    elecciones = [
        SIN_PATRON,
        HISTORICO,
        INTENSIFICANDOSE,
        DISMINUYENDO,
        PERSISTENTE,
        SIN_PATRON,
        NUEVO,
        CONSECUTIVO,
        OSCILANTE,
    ]
    return np.select(condiciones, elecciones, default=ESPORADICO).astype(object)


def concentracion(casos: np.ndarray) -> dict:
    """Ley de concentración: parte de los casos en el 5 % y el 10 % de las celdas con casos que
    más tienen (⌈5 %⌉ y ⌈10 %⌉ celdas), y la curva acumulada (de la celda con más casos a la
    con menos)."""
    x = np.sort(np.asarray(casos, dtype=float)[np.asarray(casos) > 0])[::-1]
    total = x.sum()
    if total == 0:
        return {"celdas": 0, "casos": 0, "top5": np.nan, "top10": np.nan, "curva": ([], [])}
    acumulado = np.cumsum(x) / total
    n = len(x)
    return {
        "celdas": n,
        "casos": int(total),
        "top5": float(acumulado[int(np.ceil(0.05 * n)) - 1]),
        "top10": float(acumulado[int(np.ceil(0.10 * n)) - 1]),
        "curva": (np.arange(0, n + 1) / n, np.concatenate([[0.0], acumulado])),
    }
