"""Geografía de la demo: contorno comunal real, barrios y sectores sintéticos, población.

Los barrios son celdas de Voronoi de semillas puestas a mano (lugares conocidos de Las Condes),
recortadas al contorno comunal: forman una partición exacta de la comuna, y el barrio de un punto
interior es simplemente la semilla más cercana (en grados, el mismo espacio del Voronoi).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

RUTA_COMUNA = Path(__file__).with_name("comuna_las_condes.geojson")

POBLACION_TOTAL = 343_632  # proyección INE 2024
PERSONAS_POR_HOGAR = 2.9
POBLACION_MINIMA = 300

# Metros por grado a la latitud de Las Condes (~33,41° S).
M_POR_GRADO_LAT = 110_950.0
M_POR_GRADO_LON = 92_950.0

# (nombre, lat, lon). Poniente denso (urbano), oriente ralo (precordillera).
SEMILLAS_BARRIOS: list[tuple[str, float, float]] = [
    ("El Golf", -33.4170, -70.5955),
    ("Isidora Goyenechea", -33.4128, -70.6012),
    ("Tobalaba", -33.4163, -70.6045),
    ("Escuela Militar", -33.4150, -70.5842),
    ("Los Militares", -33.4098, -70.5895),
    ("Nueva Las Condes", -33.4075, -70.5780),
    ("Parque Arauco", -33.4008, -70.5768),
    ("Rotonda Atenas", -33.4262, -70.5805),
    ("Manquehue Sur", -33.4178, -70.5690),
    ("Manquehue Norte", -33.4030, -70.5680),
    ("Apoquindo Centro", -33.4118, -70.5735),
    ("Hernando de Magallanes", -33.4098, -70.5568),
    ("Los Dominicos", -33.4070, -70.5448),
    ("Villa Los Dominicos", -33.4140, -70.5425),
    ("San Carlos de Apoquindo", -33.3990, -70.5060),
    ("Fleming", -33.4248, -70.5505),
    ("Tomás Moro", -33.4168, -70.5555),
    ("Colón Oriente", -33.4240, -70.5380),
    ("Colón Poniente", -33.4222, -70.5905),
    ("Cristóbal Colón Sur", -33.4278, -70.5615),
    ("Escandinavia", -33.4198, -70.5460),
    ("La Capitanía", -33.3925, -70.5265),
    ("Padre Hurtado Norte", -33.4025, -70.5385),
    ("Padre Hurtado Sur", -33.4175, -70.5345),
    ("Paul Harris", -33.3988, -70.5520),
    ("Alto Las Condes", -33.3908, -70.5462),
    ("Estoril", -33.3958, -70.5395),
    ("Quinchamalí", -33.3862, -70.5335),
    ("Las Flores", -33.3808, -70.5185),
    ("Villa San Luis", -33.3985, -70.5608),
    ("Cerro Apoquindo", -33.4175, -70.4870),
    ("Santa Rosa de Apoquindo", -33.4168, -70.5125),
    ("Camino El Alba", -33.4085, -70.5245),
    ("Vital Apoquindo", -33.4128, -70.5300),
    ("Bilbao Oriente", -33.4270, -70.5285),
    ("Los Almendros", -33.4222, -70.5180),
    ("Errázuriz", -33.4268, -70.5712),
    ("Visviri", -33.4215, -70.5640),
    ("Cerro Calán", -33.3978, -70.5310),
    ("Piedra Roja Alto", -33.3800, -70.4900),
    ("Quebrada de Ramón", -33.4530, -70.4620),
]

# (sector_id, nombre, lat, lon): centros de seguridad municipal (posiciones aproximadas).
CENTROS_SECTORES: list[tuple[str, str, float, float]] = [
    ("quinchamali", "Quinchamalí", -33.390, -70.535),
    ("errazuriz", "Errázuriz", -33.426, -70.575),
    ("san-carlos", "San Carlos", -33.405, -70.500),
    ("fleming", "Fleming", -33.422, -70.545),
    ("apoquindo", "Apoquindo", -33.410, -70.570),
    ("el-golf", "El Golf", -33.415, -70.599),
]

PASO_GRILLA = 0.001  # grados (~100 m): grilla para integrar la densidad de población


def slug(nombre: str) -> str:
    """'San Carlos de Apoquindo' -> 'san-carlos-de-apoquindo' (ASCII, minúsculas)."""
    ascii_ = unicodedata.normalize("NFKD", nombre).encode("ascii", "ignore").decode()
    partes = "".join(c if c.isalnum() else " " for c in ascii_.lower()).split()
    return "-".join(partes)


@dataclass(frozen=True)
class Geografia:
    comuna: shapely.Polygon
    fuente_comuna: str
    barrio_ids: list[str]
    nombres: list[str]
    semilla_lat: np.ndarray
    semilla_lon: np.ndarray
    poligonos: list[shapely.Geometry]
    sector_idx: np.ndarray  # índice en CENTROS_SECTORES, por barrio
    poblacion: np.ndarray
    hogares: np.ndarray
    grilla_lat: np.ndarray  # centros de celdas de la grilla dentro de la comuna
    grilla_lon: np.ndarray
    grilla_densidad: np.ndarray  # habitantes por celda
    grilla_barrio: np.ndarray

    @property
    def sector_ids(self) -> list[str]:
        return [CENTROS_SECTORES[i][0] for i in self.sector_idx]

    def barrio_de(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return barrio_mas_cercano(lat, lon, self.semilla_lat, self.semilla_lon)


def cargar_comuna() -> tuple[shapely.Polygon, str]:
    datos = json.loads(RUTA_COMUNA.read_text(encoding="utf-8"))
    return shapely.geometry.shape(datos["geometry"]), datos["properties"]["fuente"]


def barrio_mas_cercano(
    lat: np.ndarray, lon: np.ndarray, semilla_lat: np.ndarray, semilla_lon: np.ndarray
) -> np.ndarray:
    """Índice de la semilla más cercana en grados (= celda de Voronoi que contiene el punto)."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    mejor = np.zeros(lat.shape, dtype=np.int16)
    mejor_d = np.full(lat.shape, np.inf)
    for i, (sla, slo) in enumerate(zip(semilla_lat, semilla_lon, strict=True)):
        d = (lat - sla) ** 2 + (lon - slo) ** 2
        menor = d < mejor_d
        mejor[menor] = i
        mejor_d[menor] = d[menor]
    return mejor


def densidad_relativa(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Densidad residencial relativa: edificios al poniente, casas al centro, cerros al oriente."""
    poniente = np.interp(lon, [-70.61, -70.585, -70.56, -70.53, -70.51], [1.5, 1.4, 1.1, 0.8, 0.6])
    # Los cerros empiezan cerca de -70.50; la precordillera queda casi vacía.
    cerro = 1.0 / (1.0 + np.exp((lon + 70.503) / 0.004))
    # El lóbulo sur-oriente (al sur de Bilbao, oriente de -70.51) es precordillera.
    lobulo = 1.0 / (1.0 + np.exp((-33.434 - lat) / 0.002))
    ondulacion = 1.0 + 0.25 * np.sin(lat * 700.0 + 1.3) * np.cos(lon * 560.0 + 0.4)
    return poniente * ondulacion * np.maximum(cerro * lobulo, 0.004)


def _voronoi(comuna: shapely.Polygon, lat: np.ndarray, lon: np.ndarray) -> list[shapely.Geometry]:
    puntos = shapely.multipoints(np.column_stack([lon, lat]))
    celdas = shapely.voronoi_polygons(puntos, extend_to=comuna.buffer(0.05))
    poligonos: list[shapely.Geometry | None] = [None] * len(lat)
    for celda in shapely.get_parts(celdas):
        dentro = shapely.contains_xy(celda, lon, lat)
        (idx,) = np.flatnonzero(dentro)
        poligonos[idx] = shapely.intersection(celda, comuna)
    return poligonos  # type: ignore[return-value]


def _grilla(comuna: shapely.Polygon) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = comuna.bounds
    lons = np.arange(x0 + PASO_GRILLA / 2, x1, PASO_GRILLA)
    lats = np.arange(y0 + PASO_GRILLA / 2, y1, PASO_GRILLA)
    glon, glat = (a.ravel() for a in np.meshgrid(lons, lats))
    dentro = shapely.contains_xy(comuna, glon, glat)
    return glat[dentro], glon[dentro]


def _sectores(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    c_lat = np.array([c[2] for c in CENTROS_SECTORES])
    c_lon = np.array([c[3] for c in CENTROS_SECTORES])
    dy = (lat[:, None] - c_lat[None, :]) * M_POR_GRADO_LAT
    dx = (lon[:, None] - c_lon[None, :]) * M_POR_GRADO_LON
    return np.argmin(dx**2 + dy**2, axis=1)


def redondeo_mayor_resto(pesos: np.ndarray, total: int) -> np.ndarray:
    """Enteros proporcionales a `pesos` que suman exactamente `total` (mayor resto)."""
    cuota = pesos / pesos.sum() * total
    base = np.floor(cuota).astype(np.int64)
    faltan = total - int(base.sum())
    orden = np.argsort(-(cuota - base), kind="stable")
    base[orden[:faltan]] += 1
    return base


def _poblacion(pesos: np.ndarray) -> np.ndarray:
    """Reparte POBLACION_TOTAL según pesos, con un mínimo de POBLACION_MINIMA por barrio."""
    fijos = np.zeros(len(pesos), dtype=bool)
    while True:
        libre = POBLACION_TOTAL - POBLACION_MINIMA * fijos.sum()
        cuota = np.where(fijos, 0.0, pesos)
        cuota = cuota / cuota.sum() * libre
        nuevos = ~fijos & (cuota < POBLACION_MINIMA)
        if not nuevos.any():
            break
        fijos |= nuevos
    resultado = np.full(len(pesos), POBLACION_MINIMA, dtype=np.int64)
    resultado[~fijos] = redondeo_mayor_resto(cuota[~fijos], int(libre))
    return resultado


def _hogares(poblacion: np.ndarray, lon: np.ndarray) -> np.ndarray:
    # Hogares más pequeños en los edificios del poniente, familias más grandes al oriente.
    tamano = np.interp(lon, [-70.60, -70.57, -70.54, -70.51], [2.3, 2.7, 3.2, 3.5])
    total = round(POBLACION_TOTAL / PERSONAS_POR_HOGAR)
    return redondeo_mayor_resto(poblacion / tamano, total)


@lru_cache(maxsize=1)
def construir_geografia() -> Geografia:
    comuna, fuente = cargar_comuna()
    nombres = [n for n, _, _ in SEMILLAS_BARRIOS]
    lat = np.array([s[1] for s in SEMILLAS_BARRIOS])
    lon = np.array([s[2] for s in SEMILLAS_BARRIOS])
    if not shapely.contains_xy(comuna, lon, lat).all():
        raise ValueError("Hay semillas de barrio fuera del contorno comunal")
    poligonos = _voronoi(comuna, lat, lon)

    g_lat, g_lon = _grilla(comuna)
    g_barrio = barrio_mas_cercano(g_lat, g_lon, lat, lon)
    g_peso = densidad_relativa(g_lat, g_lon)
    peso_barrio = np.bincount(g_barrio, weights=g_peso, minlength=len(nombres))
    poblacion = _poblacion(peso_barrio)
    # Habitantes por celda de grilla, coherentes con la población asignada a cada barrio.
    g_densidad = g_peso / peso_barrio[g_barrio] * poblacion[g_barrio]

    return Geografia(
        comuna=comuna,
        fuente_comuna=fuente,
        barrio_ids=[slug(n) for n in nombres],
        nombres=nombres,
        semilla_lat=lat,
        semilla_lon=lon,
        poligonos=poligonos,
        sector_idx=_sectores(lat, lon),
        poblacion=poblacion,
        hogares=_hogares(poblacion, lon),
        grilla_lat=g_lat,
        grilla_lon=g_lon,
        grilla_densidad=g_densidad,
        grilla_barrio=g_barrio,
    )
