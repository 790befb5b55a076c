"""Cálculos de cambio entre períodos (DISENO.md §4)."""

import numpy as np
import pandas as pd

UMBRAL_Z = 2.0
# Con muy pocos casos el z engaña (de 0 a 1 caso da z = 2): no se declara alza ni baja.
MINIMO_CASOS = 6
ALZA = "alza significativa"
BAJA = "baja significativa"
NORMAL = "variación normal"
POCOS = "pocos casos"


def z_poisson(actual, anterior):
    """z = 2 (√actual − √anterior): estabiliza la varianza de conteos de Poisson."""
    return 2 * (np.sqrt(actual) - np.sqrt(anterior))


def clasificar(z, actual, anterior):
    """Etiqueta de cambio: |z| < 2 es variación normal; con menos de MINIMO_CASOS casos entre
    ambos períodos, "pocos casos"."""
    pocos = np.asarray(actual) + np.asarray(anterior) < MINIMO_CASOS
    return np.select([pocos, z >= UMBRAL_Z, z <= -UMBRAL_Z], [POCOS, ALZA, BAJA], NORMAL)


def variacion_pct(actual, anterior):
    """Cambio porcentual; indefinido (NaN) cuando el período anterior no tuvo casos."""
    if isinstance(actual, np.ndarray) and isinstance(anterior, np.ndarray):
        # Las mismas operaciones que con pandas, sin armar dos Series.
        actual, anterior = actual.astype("float64"), anterior.astype("float64")
        return 100 * (actual - anterior) / np.where(anterior > 0, anterior, np.nan)
    actual = pd.Series(actual, dtype="float64")
    anterior = pd.Series(anterior, dtype="float64")
    return (100 * (actual - anterior) / anterior.where(anterior > 0)).to_numpy()


def comparar(df: pd.DataFrame) -> pd.DataFrame:
    """Agrega variacion_pct, z_poisson y clasificacion a un DataFrame con actual y anterior."""
    actual, anterior = df["actual"].to_numpy(float), df["anterior"].to_numpy(float)
    z = z_poisson(actual, anterior)
    return df.assign(
        variacion_pct=variacion_pct(actual, anterior),
        z_poisson=z,
        clasificacion=clasificar(z, actual, anterior),
    )


def tasa_por_mil(casos, poblacion):
    if isinstance(casos, np.ndarray) and isinstance(poblacion, np.ndarray):
        # Las mismas operaciones que con pandas, sin armar dos Series.
        casos, poblacion = casos.astype("float64"), poblacion.astype("float64")
        return 1000 * casos / np.where(poblacion > 0, poblacion, np.nan)
    poblacion = pd.Series(poblacion, dtype="float64")
    return (1000 * pd.Series(casos, dtype="float64") / poblacion.where(poblacion > 0)).to_numpy()
