"""Generador de la base de demostración (DuckDB) con datos sintéticos verosímiles de Las Condes.

Solo el contorno comunal es real. Barrios, casos, encuestas y actividades son inventados, pero con
magnitudes CEAD, estacionalidad, perfiles horarios y concentración espacial creíbles (DISENO.md §3).

Los incidentes salen de una mezcla de "componentes" (fuente, delito, distribución en el tiempo y en
el espacio, casos esperados al año). Con `incidentes=None` cada componente aporta un número
Poisson de casos; con `incidentes=N` se sacan exactamente N casos i.i.d. de la misma mezcla, en
lotes.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import h3.api.basic_int as h3_int
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from consultas.celdas import RESOLUCION_FINA
from consultas.sql import ejecutar
from datos import catalogo
from datos.geografia import (
    CENTROS_SECTORES,
    M_POR_GRADO_LAT,
    M_POR_GRADO_LON,
    PASO_GRILLA,
    Geografia,
    construir_geografia,
)

FECHA_CORTE_DEMO = date(2026, 10, 31)
ANIOS_DEMO = 5
TAMANO_LOTE = 1_000_000
RESOLUCION_H3 = 9
VERSION_GENERADOR = "4"
DESCRIPCION = (
    "Datos de demostración sintéticos: barrios y casos generados; solo el contorno comunal es real."
)

# ---------------------------------------------------------------------------------------------
# Volúmenes anuales (nivel 2024). Policial: CEAD Las Condes; municipales: órdenes de magnitud.

VOLUMEN: dict[str, dict[str, float]] = {
    "policial": {
        "hurto": 2968,
        "robo_objeto_vehiculo": 961,
        "robo_sorpresa": 423,
        "robo_violencia": 368,
        "robo_violento_vehiculo": 110,
        "robo_vehiculo": 365,
        "robo_lugar_habitado": 296,
        "robo_lugar_no_habitado": 300,
        "otros_robos_fuerza": 60,
        "lesiones_leves": 650,
        "lesiones_graves": 110,
        "homicidio": 1,
        "violacion": 25,
        "vif_lesiones": 350,
        "vif_psicologica": 300,
        "abuso_sexual": 60,
        "trafico_drogas": 60,
        "consumo_drogas": 150,
        "porte_armas": 40,
        "disparos": 15,
        "amenazas": 700,
        "danos": 500,
        "receptacion": 60,
        "desordenes": 80,
    },
    "central_1402": {
        "alarma_casa_protegida": 3600,
        "boton_panico": 900,
        "merodeo": 2200,
        "patrullaje_preventivo": 2000,
        "accidente_transito": 1100,
        "ruidos_molestos": 1900,
        "alcohol_via_publica": 800,
        "comercio_ambulante": 500,
        "desordenes": 600,
        "danos": 400,
    },
    "camaras": {
        "comercio_ambulante": 1100,
        "alcohol_via_publica": 850,
        "desordenes": 700,
        "accidente_transito": 650,
        "merodeo": 500,
        "danos": 200,
    },
}

# Nivel general por año antes del efecto del programa (que evita un 25 % de los DMCS en tres
# barrios desde su intervención, EFECTOS_PLANTADOS): 2022 algo más alto, luego ~6.600 DMCS al año.
# Fuera de la tabla: 1.
NIVEL_ANIO = {2021: 0.97, 2022: 1.06, 2023: 1.04, 2024: 1.04, 2025: 1.07, 2026: 1.07}


@dataclass(frozen=True)
class Perfil:
    mezcla: tuple[float, float, float]  # (corredores, focos, residencial)
    hora: str
    semana: str
    mes: str
    tendencia: float = 0.0  # variación anual relativa a 2024
    riesgo: str = "prop"  # qué riesgo residencial del barrio usa: "prop" o "pers"


PERFILES: dict[str, Perfil] = {
    "hurto": Perfil((0.42, 0.40, 0.18), "comercio", "comercio", "compras", 0.02),
    "robo_sorpresa": Perfil((0.55, 0.30, 0.15), "comercio", "comercio", "compras", -0.03),
    "robo_violencia": Perfil((0.35, 0.15, 0.50), "tarde_noche", "plano", "plano", 0.03),
    "robo_violento_vehiculo": Perfil(
        (0.25, 0.05, 0.70), "tarde_noche", "laboral", "invierno", 0.08
    ),
    "robo_vehiculo": Perfil((0.25, 0.15, 0.60), "noche", "plano", "invierno"),
    "robo_objeto_vehiculo": Perfil((0.45, 0.20, 0.35), "tarde_noche", "plano", "invierno", -0.01),
    "robo_lugar_habitado": Perfil((0.03, 0.0, 0.97), "diurno", "laboral", "vacaciones"),
    "robo_lugar_no_habitado": Perfil((0.45, 0.10, 0.45), "noche", "plano", "plano"),
    "otros_robos_fuerza": Perfil((0.30, 0.10, 0.60), "noche", "plano", "plano"),
    "lesiones_leves": Perfil((0.30, 0.20, 0.50), "noche", "finde", "fiestas", 0.0, "pers"),
    "lesiones_graves": Perfil((0.30, 0.15, 0.55), "noche", "finde", "fiestas", 0.0, "pers"),
    "homicidio": Perfil((0.20, 0.10, 0.70), "noche", "finde", "plano", 0.0, "pers"),
    "violacion": Perfil((0.05, 0.05, 0.90), "noche", "finde", "plano", 0.0, "pers"),
    "abuso_sexual": Perfil((0.20, 0.20, 0.60), "dia", "plano", "plano", 0.0, "pers"),
    "vif_lesiones": Perfil((0.02, 0.0, 0.98), "noche", "finde", "fiestas", 0.02, "pers"),
    "vif_psicologica": Perfil((0.02, 0.0, 0.98), "noche", "finde", "fiestas", 0.03, "pers"),
    "trafico_drogas": Perfil((0.20, 0.20, 0.60), "tarde_noche", "plano", "plano"),
    "consumo_drogas": Perfil((0.45, 0.35, 0.20), "tarde_noche", "finde", "plano", -0.04),
    "porte_armas": Perfil((0.30, 0.20, 0.50), "noche", "finde", "plano", 0.05),
    "disparos": Perfil((0.10, 0.0, 0.90), "noche", "finde", "fiestas", 0.05, "pers"),
    "amenazas": Perfil((0.20, 0.10, 0.70), "dia", "plano", "plano", 0.03, "pers"),
    "danos": Perfil((0.35, 0.10, 0.55), "noche", "finde", "plano"),
    "receptacion": Perfil((0.40, 0.20, 0.40), "dia", "laboral", "plano"),
    "desordenes": Perfil((0.45, 0.35, 0.20), "noche", "finde", "fiestas"),
    "alcohol_via_publica": Perfil((0.50, 0.30, 0.20), "noche", "finde", "fiestas"),
    "comercio_ambulante": Perfil((0.60, 0.40, 0.0), "comercio", "comercio", "compras", 0.06),
    "ruidos_molestos": Perfil((0.10, 0.05, 0.85), "noche", "finde", "fiestas", 0.0, "pers"),
    "alarma_casa_protegida": Perfil((0.0, 0.0, 1.0), "alarma", "plano", "vacaciones", 0.08),
    "boton_panico": Perfil((0.10, 0.05, 0.85), "dia", "plano", "plano", 0.10, "pers"),
    "merodeo": Perfil((0.10, 0.05, 0.85), "tarde_noche", "plano", "plano"),
    "patrullaje_preventivo": Perfil((0.05, 0.0, 0.95), "patrullaje", "plano", "vacaciones"),
    "accidente_transito": Perfil((0.80, 0.15, 0.05), "transito", "laboral", "plano"),
}
MEZCLA_CAMARAS = (0.70, 0.30, 0.0)  # las cámaras miran avenidas y focos comerciales

# (centro, ancho en horas, peso) de cada pico diario; más un piso plano.
PICOS_HORA: dict[str, tuple[float, list[tuple[float, float, float]]]] = {
    "comercio": (0.04, [(15.5, 3.2, 1.0)]),
    "tarde_noche": (0.08, [(21.0, 2.8, 1.0), (1.5, 2.0, 0.35)]),
    "diurno": (0.06, [(13.5, 2.8, 1.0)]),
    "noche": (0.08, [(23.0, 2.8, 1.0)]),
    "alarma": (0.10, [(12.0, 3.0, 0.7), (23.5, 2.5, 0.6)]),
    "transito": (0.12, [(8.5, 1.4, 0.8), (18.5, 1.8, 1.0)]),
    "dia": (0.15, [(14.0, 4.5, 1.0)]),
    "patrullaje": (0.10, [(21.0, 3.5, 1.0), (10.0, 2.5, 0.5)]),
}
# Lunes a domingo.
SEMANA = {
    "laboral": [1.12, 1.10, 1.10, 1.10, 1.08, 0.78, 0.72],
    "finde": [0.80, 0.78, 0.82, 0.90, 1.15, 1.40, 1.15],
    "comercio": [0.95, 0.95, 0.97, 1.00, 1.08, 1.15, 0.90],
    "plano": [1.0] * 7,
}
# Enero a diciembre.
MES = {
    "compras": [0.88, 0.85, 0.98, 0.97, 1.0, 0.97, 1.02, 0.97, 0.98, 1.0, 1.10, 1.38],
    "vacaciones": [1.35, 1.45, 0.90, 0.88, 0.88, 0.88, 1.02, 0.88, 1.25, 0.88, 0.88, 0.95],
    "fiestas": [1.05, 0.95, 0.95, 0.95, 0.95, 0.90, 0.90, 0.95, 1.25, 1.0, 1.0, 1.15],
    "invierno": [0.92, 0.90, 0.95, 1.0, 1.05, 1.10, 1.12, 1.06, 1.0, 0.98, 0.95, 0.97],
    "plano": [1.0] * 12,
}

# Corredores comerciales: (lat0, lon0, lat1, lon1, peso).
CORREDORES = [
    (-33.4181, -70.6017, -33.4078, -70.5447, 0.45),  # Av. Apoquindo
    (-33.4080, -70.6000, -33.3905, -70.5465, 0.22),  # Av. Kennedy
    (-33.3950, -70.5690, -33.4300, -70.5700, 0.15),  # Av. Manquehue
    (-33.4050, -70.5600, -33.3720, -70.5150, 0.18),  # Av. Las Condes
]
SIGMA_CORREDOR_M = 110.0
# Focos: estaciones de Metro Línea 1 y malls (lat, lon, peso, sigma en metros).
FOCOS = [
    (-33.4181, -70.6017, 1.5, 60.0),  # Tobalaba
    (-33.4167, -70.5966, 1.0, 55.0),  # El Golf
    (-33.4154, -70.5906, 0.8, 55.0),  # Alcántara
    (-33.4137, -70.5836, 1.5, 60.0),  # Escuela Militar
    (-33.4093, -70.5671, 1.0, 55.0),  # Manquehue
    (-33.4080, -70.5557, 0.8, 55.0),  # Hernando de Magallanes
    (-33.4078, -70.5447, 1.2, 60.0),  # Los Dominicos
    (-33.4024, -70.5786, 4.0, 110.0),  # Parque Arauco
    (-33.3905, -70.5465, 3.0, 100.0),  # Alto Las Condes
]

# Programa y alzas recientes.
N_BARRIOS_PROGRAMA = 12
N_BARRIOS_CRITICOS = 4  # los de mayor riesgo reciben la línea 2.5
N_BARRIOS_ALZA = 5
DIAS_ALZA = 56
TIPOS_ALZA = [
    "robo_lugar_habitado",
    "robo_violento_vehiculo",
    "robo_objeto_vehiculo",
    "robo_vehiculo",
    "robo_violencia",
    "hurto",
]

# Efecto plantado del programa, para la evaluación de la página Cobertura (consultas/evaluacion.py,
# diferencia de desplazamiento ponderada). Tres barrios con muchos casos entran al programa en una
# fecha conocida, con su primera actividad (un diagnóstico participativo, un lunes): desde ese día
# sus casos policiales DMCS bajan EFECTO_PLANTADO (25 %) de golpe y se quedan así. Los otros
# barrios del programa reciben actividades pero ningún efecto, y nada cambia en el resto de la
# comuna (ni en otros tipos de casos ni en otras fuentes). Con ventanas de 6 meses, la evaluación
# declara «baja significativa» la intervención fechada de los tres y casi ninguna otra
# (tests/unit/test_evaluacion.py). Son barrios grandes a propósito: con ~300 casos DMCS por
# ventana una baja del 25 % da z ≈ −2,5; en un barrio con 60 casos no se distinguiría del ruido.
# Ninguno tiene un foco plantado (FOCOS_PLANTADOS), que sí cambia en el tiempo.
EFECTOS_PLANTADOS = [
    # (barrio, fecha de la intervención)
    ("Parque Arauco", date(2023, 10, 2)),
    ("Alto Las Condes", date(2024, 6, 3)),
    ("Hernando de Magallanes", date(2025, 2, 3)),
]
EFECTO_PLANTADO = 0.25

# Focos plantados para la página Mapa: puntos calientes verdaderos, de ubicación conocida, lejos de
# avenidas y malls. Cada uno está en el centro de una celda H3 de resolución 9 (la de la tabla), y
# sus casos caen con σ = SIGMA_FOCO_M alrededor del centro (~85 % dentro de la celda): robos de
# objetos desde vehículos, de vehículos y en lugar habitado (policiales), según MEZCLA_PLANTADA.
# Esos casos se restan del volumen difuso de los mismos tipos: los totales anuales no cambian.
# Con la fuente policial, esos tres tipos y los 12 meses al corte, las cuatro celdas salen
# "caliente" al 99 % (tests/unit/test_mapa.py). Perfil en el tiempo (casos al año):
#   - "persistente": PLANTADO_ANUAL, constante los cinco años;
#   - "intensificandose": 0,3 × PLANTADO_ANUAL hasta un año antes del corte, luego sube en rampa
#     hasta 2,5 × PLANTADO_ANUAL al corte;
#   - "nuevo": nada hasta DIAS_FOCO_NUEVO días antes del corte, luego 10 × PLANTADO_ANUAL (una
#     ola de robos en unas cuadras).
FOCOS_PLANTADOS = [
    # (barrio, celda H3 de resolución 9, lat, lon del centro de la celda, perfil)
    ("Cristóbal Colón Sur", "89b2c50b497ffff", -33.42880, -70.56144, "persistente"),
    ("Rotonda Atenas", "89b2c5569a3ffff", -33.42628, -70.57982, "persistente"),
    ("La Capitanía", "89b2c519dd3ffff", -33.38841, -70.52662, "intensificandose"),
    ("Santa Rosa de Apoquindo", "89b2c5199a3ffff", -33.41516, -70.51364, "nuevo"),
]
MEZCLA_PLANTADA = {"robo_objeto_vehiculo": 0.55, "robo_vehiculo": 0.20, "robo_lugar_habitado": 0.25}
PLANTADO_ANUAL = 90.0
DIAS_FOCO_NUEVO = 28
SIGMA_FOCO_M = 50.0
PREFIJO_ID = {"policial": "P", "central_1402": "C", "camaras": "V"}

DELITO = {d.delito: d for d in catalogo.DELITOS}
NOMBRES_DELITO = [d.delito for d in catalogo.DELITOS]
NOMBRES_FUENTE = [f.fuente for f in catalogo.FUENTES]
DMCS = np.array([DELITO[d].grupo_dmcs is not None for d in NOMBRES_DELITO])


# ---------------------------------------------------------------------------------------------
# Escenario: todo lo que se decide una vez por semilla (riesgos, programa, alzas, componentes).


@dataclass
class Componente:
    fuente: int
    delito: int
    mezcla: tuple[float, float, float]
    cdf_dia: np.ndarray
    cdf_hora: np.ndarray
    esperado: float
    riesgo: str = "prop"
    barrio: int = -1  # >= 0: residencial restringido a ese barrio
    foco: tuple[float, float] | None = None  # (lat, lon) de un foco plantado


@dataclass
class Escenario:
    rng: np.random.Generator
    geo: Geografia
    dias: np.ndarray  # datetime64[D], del inicio a la fecha de corte
    riesgo: dict[str, np.ndarray]  # por barrio
    programa: np.ndarray  # índices de barrios con programa, del más al menos crítico
    inicio_programa: np.ndarray  # por barrio: índice de día de inicio (grande si no hay)
    efecto_programa: np.ndarray  # por barrio: fracción de casos DMCS evitados
    alza: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # alza reciente
    componentes: list[Componente] = field(default_factory=list)
    cdf_residencial: dict[str, np.ndarray] = field(default_factory=dict)


def inicio_periodo(hasta: date, anios: int = ANIOS_DEMO) -> date:
    try:
        atras = hasta.replace(year=hasta.year - anios)
    except ValueError:  # 29 de febrero
        atras = hasta.replace(year=hasta.year - anios, day=28)
    return atras + timedelta(days=1)


def _cdf(pesos: np.ndarray) -> np.ndarray:
    acumulado = np.cumsum(np.asarray(pesos, dtype=float))
    return acumulado / acumulado[-1]


def _elegir(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _perfil_horario(nombre: str) -> np.ndarray:
    piso, picos = PICOS_HORA[nombre]
    horas = np.arange(24) + 0.5
    pesos = np.full(24, piso)
    for centro, ancho, peso in picos:
        distancia = np.abs(horas - centro)
        distancia = np.minimum(distancia, 24 - distancia)
        pesos += peso * np.exp(-0.5 * (distancia / ancho) ** 2)
    return pesos


def _intensidad_diaria(dias: np.ndarray, delito: str, anual: float) -> np.ndarray:
    """Casos esperados por día: nivel del año × tendencia del tipo × mes × día de semana."""
    perfil = PERFILES[delito]
    anio = dias.astype("datetime64[Y]").astype(int) + 1970
    mes = dias.astype("datetime64[M]").astype(int) % 12
    dia_semana = (dias.astype(int) + 3) % 7  # 1970-01-01 fue jueves; lunes = 0
    nivel = np.array([NIVEL_ANIO.get(a, 1.0) for a in range(anio.min(), anio.max() + 1)])
    tendencia = (1.0 + perfil.tendencia) ** np.clip(anio - 2024, -3, 3)
    meses = np.asarray(MES[perfil.mes]) / np.mean(MES[perfil.mes])
    semana = np.asarray(SEMANA[perfil.semana]) / np.mean(SEMANA[perfil.semana])
    return anual / 365.25 * nivel[anio - anio.min()] * tendencia * meses[mes] * semana[dia_semana]


def _riesgos(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    prop = np.exp(rng.normal(0.0, 0.45, n))
    pers = np.exp(0.6 * np.log(prop) + rng.normal(0.0, 0.3, n))
    return {"prop": prop, "pers": pers}


def _elegir_programa(
    rng: np.random.Generator,
    geo: Geografia,
    riesgo: dict[str, np.ndarray],
    dias: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Barrios con programa: los de EFECTOS_PLANTADOS en su fecha, y los de más riesgo con
    fechas de inicio escalonadas y sin efecto. Devuelve (barrios del más al menos crítico, día de
    inicio por barrio, fracción de casos DMCS evitados por barrio)."""
    n = len(geo.barrio_ids)
    plantados = np.array([geo.nombres.index(b) for b, _ in EFECTOS_PLANTADOS], dtype=int)
    puntaje = riesgo["prop"] * np.sqrt(riesgo["pers"]) * rng.lognormal(0.0, 0.15, n)
    candidatos = np.flatnonzero((geo.poblacion >= 4000) & (geo.semilla_lon < -70.50))
    candidatos = candidatos[~np.isin(candidatos, plantados)]
    otros = candidatos[np.argsort(-puntaje[candidatos], kind="stable")]
    otros = otros[: N_BARRIOS_PROGRAMA - len(plantados)]
    # Inicios entre el octavo mes y ocho meses antes del corte (ventanas antes/después).
    ventana = np.arange(240, max(len(dias) - 240, 241))
    inicio = np.full(n, 10**9, dtype=np.int64)
    inicio[otros] = np.sort(rng.choice(ventana, size=len(otros), replace=len(ventana) < len(otros)))
    primero = dias[0].astype(object)
    inicio[plantados] = [(fecha - primero).days for _, fecha in EFECTOS_PLANTADOS]
    programa = np.concatenate([plantados, otros])
    programa = programa[np.argsort(-puntaje[programa], kind="stable")]
    efecto = np.zeros(n)
    efecto[plantados] = EFECTO_PLANTADO
    return programa, inicio, efecto


def _elegir_alza(esc: Escenario, base_barrio: np.ndarray) -> np.ndarray:
    """Barrios residenciales (sin programa ni gran foco comercial) que tendrán un alza reciente."""
    geo = esc.geo
    tasa = base_barrio / geo.poblacion
    candidatos = (geo.poblacion >= 5000) & (geo.semilla_lon < -70.51)
    candidatos &= tasa <= np.quantile(tasa, 0.7)
    candidatos[esc.programa] = False
    candidatos = np.flatnonzero(candidatos)
    n = min(N_BARRIOS_ALZA, len(candidatos))
    return np.sort(esc.rng.choice(candidatos, size=n, replace=False))


def _componentes_base(esc: Escenario) -> list[Componente]:
    componentes = []
    for fuente, volumenes in VOLUMEN.items():
        for delito, anual in volumenes.items():
            perfil = PERFILES[delito]
            intensidad = _intensidad_diaria(esc.dias, delito, anual)
            componentes.append(
                Componente(
                    fuente=NOMBRES_FUENTE.index(fuente),
                    delito=NOMBRES_DELITO.index(delito),
                    mezcla=MEZCLA_CAMARAS if fuente == "camaras" else perfil.mezcla,
                    cdf_dia=_cdf(intensidad),
                    cdf_hora=_cdf(_perfil_horario(perfil.hora)),
                    esperado=float(intensidad.sum()),
                    riesgo=perfil.riesgo,
                )
            )
    return componentes


def _dmcs_esperado_por_barrio(esc: Escenario, muestra: int = 100_000) -> np.ndarray:
    """Casos policiales DMCS esperados al día por barrio, estimados con una muestra piloto."""
    comps = [
        c
        for c in esc.componentes
        if c.fuente == NOMBRES_FUENTE.index("policial") and DMCS[c.delito]
    ]
    esperado = np.array([c.esperado for c in comps])
    conteos = esc.rng.multinomial(muestra, esperado / esperado.sum())
    barrios = [
        esc.geo.barrio_de(*_muestrear_puntos(esc.rng, esc, c, int(n)))
        for c, n in zip(comps, conteos, strict=True)
    ]
    cuota = np.bincount(np.concatenate(barrios), minlength=len(esc.geo.barrio_ids)) / muestra
    return cuota * esperado.sum() / len(esc.dias)


def _componentes_alza(esc: Escenario, base_barrio: np.ndarray) -> list[Componente]:
    """Casos extra las últimas semanas, en rampa creciente, en pocos tipos por barrio."""
    rng = esc.rng
    n_dias = len(esc.dias)
    ultimos = min(DIAS_ALZA, n_dias)
    rampa = np.zeros(n_dias)
    rampa[n_dias - ultimos :] = np.linspace(0.05, 1.0, ultimos) ** 2
    componentes = []
    for barrio in esc.alza:
        tipos = rng.choice(TIPOS_ALZA, size=3, replace=False)
        extra = max(25.0, rng.uniform(1.2, 1.8) * base_barrio[barrio] * ultimos)
        extras = [
            ("policial", t, c) for t, c in zip(tipos, rng.dirichlet([2.0] * 3) * extra, strict=True)
        ]
        extras += [
            ("central_1402", "merodeo", 0.5 * extra),
            ("central_1402", "alarma_casa_protegida", 0.3 * extra),
        ]
        for fuente, delito, esperado in extras:
            perfil = PERFILES[delito]
            semana = np.asarray(SEMANA[perfil.semana])[(esc.dias.astype(int) + 3) % 7]
            componentes.append(
                Componente(
                    fuente=NOMBRES_FUENTE.index(fuente),
                    delito=NOMBRES_DELITO.index(delito),
                    mezcla=(0.0, 0.0, 1.0),
                    cdf_dia=_cdf(rampa * semana),
                    cdf_hora=_cdf(_perfil_horario(perfil.hora)),
                    esperado=float(esperado),
                    riesgo=perfil.riesgo,
                    barrio=int(barrio),
                )
            )
    return componentes


def _ritmo_plantado(dias: np.ndarray, perfil: str) -> np.ndarray:
    """Casos al día de un foco plantado según su perfil (ver FOCOS_PLANTADOS)."""
    atras = np.arange(len(dias))[::-1]  # días antes del corte
    diario = PLANTADO_ANUAL / 365.25
    if perfil == "persistente":
        return np.full(len(dias), diario)
    if perfil == "intensificandose":
        return diario * (0.3 + 2.2 * np.clip(1 - atras / 365, 0, 1))
    return np.where(atras < DIAS_FOCO_NUEVO, 10 * diario, 0.0)


def _componentes_plantados(esc: Escenario) -> list[Componente]:
    """Casos de los focos plantados, descontados del volumen difuso de sus tipos."""
    policial = NOMBRES_FUENTE.index("policial")
    base = {c.delito: c for c in esc.componentes if c.fuente == policial}
    componentes = []
    for _, _, lat, lon, perfil in FOCOS_PLANTADOS:
        ritmo = _ritmo_plantado(esc.dias, perfil)
        for delito, parte in MEZCLA_PLANTADA.items():
            indice = NOMBRES_DELITO.index(delito)
            esperado = float(ritmo.sum() * parte)
            base[indice].esperado -= esperado
            componentes.append(
                Componente(
                    fuente=policial,
                    delito=indice,
                    mezcla=(0.0, 0.0, 1.0),
                    cdf_dia=_cdf(ritmo + 1e-12),
                    cdf_hora=_cdf(_perfil_horario(PERFILES[delito].hora)),
                    esperado=esperado,
                    foco=(lat, lon),
                )
            )
    return componentes


def armar_escenario(rng: np.random.Generator, hasta: date) -> Escenario:
    geo = construir_geografia()
    inicio = inicio_periodo(hasta)
    dias = np.arange(np.datetime64(inicio, "D"), np.datetime64(hasta, "D") + 1)
    riesgo = _riesgos(rng, len(geo.barrio_ids))
    programa, inicio_prog, efecto = _elegir_programa(rng, geo, riesgo, dias)
    esc = Escenario(rng, geo, dias, riesgo, programa, inicio_prog, efecto)
    for clave, r in riesgo.items():
        esc.cdf_residencial[clave] = _cdf(geo.grilla_densidad * r[geo.grilla_barrio])
    esc.componentes = _componentes_base(esc)
    esc.componentes += _componentes_plantados(esc)
    base_barrio = _dmcs_esperado_por_barrio(esc)
    esc.alza = _elegir_alza(esc, base_barrio)
    esc.componentes += _componentes_alza(esc, base_barrio)
    return esc


# ---------------------------------------------------------------------------------------------
# Muestreo espacial y temporal.


def _puntos_corredor(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(CORREDORES)
    k = _elegir(rng, _cdf(c[:, 4]), n)
    t = rng.random(n)
    lat = c[k, 0] + t * (c[k, 2] - c[k, 0])
    lon = c[k, 1] + t * (c[k, 3] - c[k, 1])
    # Desvío perpendicular a la avenida, en metros.
    dy = (c[:, 2] - c[:, 0]) * M_POR_GRADO_LAT
    dx = (c[:, 3] - c[:, 1]) * M_POR_GRADO_LON
    largo = np.hypot(dx, dy)
    desvio = rng.normal(0.0, SIGMA_CORREDOR_M, n)
    lat += desvio * (dx[k] / largo[k]) / M_POR_GRADO_LAT
    lon -= desvio * (dy[k] / largo[k]) / M_POR_GRADO_LON
    return lat, lon


def _puntos_foco(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(FOCOS)
    k = _elegir(rng, _cdf(f[:, 2]), n)
    lat = f[k, 0] + rng.normal(0.0, 1.0, n) * f[k, 3] / M_POR_GRADO_LAT
    lon = f[k, 1] + rng.normal(0.0, 1.0, n) * f[k, 3] / M_POR_GRADO_LON
    return lat, lon


def _puntos_residenciales(
    rng: np.random.Generator, geo: Geografia, cdf: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    celda = _elegir(rng, cdf, n)
    lat = geo.grilla_lat[celda] + (rng.random(n) - 0.5) * PASO_GRILLA
    lon = geo.grilla_lon[celda] + (rng.random(n) - 0.5) * PASO_GRILLA
    return lat, lon


def _cdf_barrio(esc: Escenario, barrio: int) -> np.ndarray:
    clave = f"barrio-{barrio}"
    if clave not in esc.cdf_residencial:
        geo = esc.geo
        esc.cdf_residencial[clave] = _cdf(geo.grilla_densidad * (geo.grilla_barrio == barrio))
    return esc.cdf_residencial[clave]


def _muestrear_puntos(
    rng: np.random.Generator, esc: Escenario, comp: Componente, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Puntos de un componente, todos dentro de la comuna (rechazo y nuevo sorteo)."""
    cdf_res = (
        _cdf_barrio(esc, comp.barrio) if comp.barrio >= 0 else esc.cdf_residencial[comp.riesgo]
    )
    lat = np.empty(n)
    lon = np.empty(n)
    pendientes = np.arange(n)
    while len(pendientes) and comp.foco:
        m = len(pendientes)
        lat[pendientes] = comp.foco[0] + rng.normal(0, SIGMA_FOCO_M / M_POR_GRADO_LAT, m)
        lon[pendientes] = comp.foco[1] + rng.normal(0, SIGMA_FOCO_M / M_POR_GRADO_LON, m)
        lat[pendientes] = np.round(lat[pendientes], 6)
        lon[pendientes] = np.round(lon[pendientes], 6)
        pendientes = pendientes[
            ~shapely.contains_xy(esc.geo.comuna, lon[pendientes], lat[pendientes])
        ]
    while len(pendientes):
        m = len(pendientes)
        tipo = _elegir(rng, _cdf(np.asarray(comp.mezcla) + 1e-12), m)
        for k in range(3):
            sel = pendientes[tipo == k]
            if len(sel) == 0:
                continue
            if k == 0:
                lat[sel], lon[sel] = _puntos_corredor(rng, len(sel))
            elif k == 1:
                lat[sel], lon[sel] = _puntos_foco(rng, len(sel))
            else:
                lat[sel], lon[sel] = _puntos_residenciales(rng, esc.geo, cdf_res, len(sel))
        lat[pendientes] = np.round(lat[pendientes], 6)
        lon[pendientes] = np.round(lon[pendientes], 6)
        fuera = ~shapely.contains_xy(esc.geo.comuna, lon[pendientes], lat[pendientes])
        pendientes = pendientes[fuera]
    return lat, lon


def _muestrear_minutos(rng: np.random.Generator, comp: Componente, n: int) -> np.ndarray:
    """Minutos desde el inicio del periodo."""
    dia = _elegir(rng, comp.cdf_dia, n)
    hora = _elegir(rng, comp.cdf_hora, n)
    return dia.astype(np.int64) * 1440 + hora * 60 + rng.integers(0, 60, n)


def _lote(rng: np.random.Generator, esc: Escenario, conteos: np.ndarray) -> pd.DataFrame:
    """Genera los casos de un lote y aplica el efecto del programa (casos evitados)."""
    partes = []
    for comp, n in zip(esc.componentes, conteos, strict=True):
        if n == 0:
            continue
        lat, lon = _muestrear_puntos(rng, esc, comp, int(n))
        partes.append(
            (
                _muestrear_minutos(rng, comp, int(n)),
                np.full(n, comp.delito, dtype=np.int16),
                np.full(n, comp.fuente, dtype=np.int8),
                lat,
                lon,
            )
        )
    minuto, delito, fuente, lat, lon = (np.concatenate(c) for c in zip(*partes, strict=True))
    barrio = esc.geo.barrio_de(lat, lon)
    quedan = ~_evitados(rng, esc, minuto // 1440, delito, fuente, barrio)
    return pd.DataFrame(
        {
            "minuto": minuto[quedan],
            "delito": delito[quedan],
            "fuente": fuente[quedan],
            "lat": lat[quedan],
            "lon": lon[quedan],
            "barrio": barrio[quedan],
        }
    )


def _evitados(
    rng: np.random.Generator,
    esc: Escenario,
    dia: np.ndarray,
    delito: np.ndarray,
    fuente: np.ndarray,
    barrio: np.ndarray,
) -> np.ndarray:
    """Casos que el programa evita (EFECTOS_PLANTADOS): solo policiales DMCS, desde el día de la
    intervención, en la fracción efecto_programa del barrio (cero fuera de los plantados)."""
    afectos = (fuente == NOMBRES_FUENTE.index("policial")) & DMCS[delito]
    prob = esc.efecto_programa[barrio] * (dia >= esc.inicio_programa[barrio]) * afectos
    return rng.random(len(dia)) < prob


def _h3(lat: np.ndarray, lon: np.ndarray, resolucion: int) -> np.ndarray:
    return np.fromiter(
        map(h3_int.latlng_to_cell, lat.tolist(), lon.tolist(), [resolucion] * len(lat)),
        dtype=np.uint64,
        count=len(lat),
    )


# ---------------------------------------------------------------------------------------------
# Incidentes: lotes a una tabla temporal y luego a `incidentes` ordenada por fecha_hora.


def _a_staging(con: duckdb.DuckDBPyConnection, lote: pd.DataFrame, seq0: int, inicio: date):
    base = np.datetime64(inicio, "m")
    lat, lon = lote["lat"].to_numpy(), lote["lon"].to_numpy()
    tabla = pd.DataFrame(
        {
            "seq": np.arange(seq0, seq0 + len(lote), dtype=np.int64),
            "fecha_hora": (base + lote["minuto"].to_numpy().astype("timedelta64[m]")).astype(
                "datetime64[us]"
            ),
            "delito": lote["delito"].to_numpy(np.int16),
            "fuente": lote["fuente"].to_numpy(np.int8),
            "barrio": lote["barrio"].to_numpy(np.int16),
            "lat": lote["lat"].to_numpy(),
            "lon": lote["lon"].to_numpy(),
            "h3": _h3(lat, lon, RESOLUCION_H3),
            "h3_11": _h3(lat, lon, RESOLUCION_FINA),
        }
    )
    con.register("lote_df", tabla)
    con.execute("INSERT INTO staging SELECT * FROM lote_df")
    con.unregister("lote_df")


def _generar_incidentes(
    con: duckdb.DuckDBPyConnection,
    rng: np.random.Generator,
    esc: Escenario,
    total: int | None,
    progreso: bool,
) -> np.ndarray:
    """Llena `staging`; devuelve casos policiales DMCS por barrio (para la encuesta)."""
    con.execute(
        "CREATE TEMP TABLE staging (seq BIGINT, fecha_hora TIMESTAMP, delito SMALLINT, "
        "fuente TINYINT, barrio SMALLINT, lat DOUBLE, lon DOUBLE, h3 UBIGINT, h3_11 UBIGINT)"
    )
    esperado = np.array([c.esperado for c in esc.componentes])
    policial = NOMBRES_FUENTE.index("policial")
    por_barrio = np.zeros(len(esc.geo.barrio_ids), dtype=np.int64)
    inicio = esc.dias[0].astype(object)

    conteos = rng.poisson(esperado) if total is None else None
    barra = tqdm(
        total=int(conteos.sum()) if total is None else total,
        desc="Generando incidentes",
        unit=" casos",
        disable=not progreso,
        file=sys.stderr,
    )
    escritos = 0
    lotes = _lotes_poisson(rng, esc, conteos) if total is None else _lotes_n(rng, esc, total)
    for lote, avance in lotes:
        _a_staging(con, lote, escritos, inicio)
        escritos += len(lote)
        es_dmcs = (lote["fuente"].to_numpy() == policial) & DMCS[lote["delito"].to_numpy()]
        por_barrio += np.bincount(lote["barrio"].to_numpy()[es_dmcs], minlength=len(por_barrio))
        barra.update(avance)
    barra.close()
    return por_barrio


def _lotes_poisson(rng: np.random.Generator, esc: Escenario, conteos: np.ndarray):
    """Volumen realista: conteos Poisson por componente, en lotes de a lo más TAMANO_LOTE."""
    fin = np.cumsum(conteos)
    comienzo = fin - conteos
    for desde in range(0, int(fin[-1]), TAMANO_LOTE):
        tramo = np.clip(desde + TAMANO_LOTE - comienzo, 0, conteos)
        tramo -= np.clip(desde - comienzo, 0, conteos)
        yield _lote(rng, esc, tramo), int(tramo.sum())


def _lotes_n(rng: np.random.Generator, esc: Escenario, total: int):
    """N exacto: sorteos i.i.d. de la mezcla; los casos que el programa evita se reponen."""
    esperado = np.array([c.esperado for c in esc.componentes])
    prob = esperado / esperado.sum()
    restantes = total
    pedidos = obtenidos = 0
    while restantes > 0:
        tasa = obtenidos / pedidos if pedidos else 0.97
        m = min(TAMANO_LOTE, math.ceil(restantes / tasa * 1.01) + 50)
        lote = _lote(rng, esc, rng.multinomial(m, prob))
        pedidos += m
        obtenidos += len(lote)
        if len(lote) > restantes:
            elegidos = np.sort(rng.choice(len(lote), size=restantes, replace=False))
            lote = lote.iloc[elegidos].reset_index(drop=True)
        restantes -= len(lote)
        yield lote, len(lote)


def _consolidar_incidentes(con: duckdb.DuckDBPyConnection, barrio_ids: list[str]):
    """Pasa `staging` a `incidentes` ordenada por fecha_hora, con ids correlativos por fuente."""
    delitos = pd.DataFrame(
        {
            "delito_idx": np.arange(len(NOMBRES_DELITO), dtype=np.int16),
            "delito": NOMBRES_DELITO,
            "familia": [DELITO[d].familia for d in NOMBRES_DELITO],
        }
    )
    fuentes = pd.DataFrame(
        {
            "fuente_idx": np.arange(len(NOMBRES_FUENTE), dtype=np.int8),
            "fuente": NOMBRES_FUENTE,
            "prefijo": [PREFIJO_ID[f] for f in NOMBRES_FUENTE],
        }
    )
    barrios = pd.DataFrame(
        {
            "barrio_idx": np.arange(len(barrio_ids), dtype=np.int16),
            "barrio_id": barrio_ids,
        }
    )
    for nombre, df in (("cat_delito", delitos), ("cat_fuente", fuentes), ("cat_barrio", barrios)):
        con.register(nombre, df)
    con.execute(
        """
        INSERT INTO incidentes
        WITH numerados AS (
            SELECT *, (row_number() OVER (PARTITION BY fuente ORDER BY fecha_hora, seq))::VARCHAR
                AS numero
            FROM staging
        )
        SELECT f.prefijo || '-' || lpad(s.numero, greatest(8, length(s.numero))::INTEGER, '0'),
               s.fecha_hora, d.familia, d.delito, f.fuente, s.lat, s.lon, b.barrio_id,
               s.h3, s.h3_11
        FROM numerados s
        JOIN cat_delito d ON d.delito_idx = s.delito
        JOIN cat_fuente f ON f.fuente_idx = s.fuente
        JOIN cat_barrio b ON b.barrio_idx = s.barrio
        ORDER BY s.fecha_hora, s.seq
        """
    )
    for nombre in ("cat_delito", "cat_fuente", "cat_barrio"):
        con.unregister(nombre)
    con.execute("DROP TABLE staging")


# ---------------------------------------------------------------------------------------------
# Encuesta de percepción y victimización.


CONGLOMERADOS_MIN = 10  # por estrato y ola, más CONGLOMERADOS_EXTRA repartidos según hogares
CONGLOMERADOS_EXTRA = 40
INSEGURIDAD_ANIO = {2023: 0.18, 2024: 0.12, 2025: 0.05}  # clima nacional, en escala logit


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _olas(inicio: date, hasta: date) -> list[tuple[str, date, date]]:
    """(ola, primer día, último día de terreno): mayo y octubre, solo si caben en el periodo."""
    olas = []
    for anio in range(inicio.year, hasta.year + 1):
        for semestre, mes in ((1, 5), (2, 10)):
            # Terreno del 5 al 26; cada hogar responde hasta dos días después de su visita.
            desde, fin = date(anio, mes, 5), date(anio, mes, 26)
            if desde >= inicio and fin + timedelta(days=2) <= hasta:
                olas.append((f"{anio}-{semestre}", desde, fin))
    return olas


def _conglomerados(
    rng: np.random.Generator, geo: Geografia, estrato: int, m: int
) -> list[tuple[int, int]]:
    """m manzanas (barrio, número) distintas, barrios elegidos con probabilidad ∝ hogares."""
    barrios = np.flatnonzero(geo.sector_idx == estrato)
    pesos = geo.hogares[barrios] / geo.hogares[barrios].sum()
    elegidos: set[tuple[int, int]] = set()
    while len(elegidos) < m:
        b = int(rng.choice(barrios, p=pesos))
        manzanas = max(2, int(geo.hogares[b]) // 100)
        elegidos.add((b, int(rng.integers(1, manzanas + 1))))
    return sorted(elegidos)


def _encuesta(
    rng: np.random.Generator, esc: Escenario, dmcs_barrio: np.ndarray, hasta: date
) -> pd.DataFrame:
    """Respuestas de todas las olas; la inseguridad sigue a la tasa de delitos del barrio."""
    tasa = (dmcs_barrio + 1.0) / esc.geo.poblacion
    riesgo_rel = np.clip(np.log(tasa / np.median(tasa)), -1.2, 1.2)
    filas = []
    for ola, desde, fin in _olas(esc.dias[0].astype(object), hasta):
        reciente = (hasta - fin).days <= 75  # la ola alcanza a ver el alza de los últimos meses
        filas += _ola(rng, esc, riesgo_rel, ola, desde, fin, reciente)
    columnas = ["respuesta_id", "ola", "fecha", "barrio_id", "estrato", "conglomerado", "factor"]
    tabla = pd.DataFrame(filas, columns=columnas + list(catalogo.INDICADORES))
    for indicador in catalogo.INDICADORES:
        tabla[indicador] = tabla[indicador].astype("Int8")
    tabla["fecha"] = pd.to_datetime(tabla["fecha"]).dt.date
    return tabla


def _ola(
    rng: np.random.Generator,
    esc: Escenario,
    riesgo_rel: np.ndarray,
    ola: str,
    desde: date,
    fin: date,
    reciente: bool,
) -> list[dict]:
    """Una ola: muestra estratificada por sector, conglomerados (manzanas) de ~11 hogares."""
    geo = esc.geo
    inicio = esc.dias[0].astype(object)
    hogares_estrato = np.bincount(geo.sector_idx, weights=geo.hogares, minlength=6)
    filas = []
    for estrato, n_hog in enumerate(hogares_estrato):
        m = CONGLOMERADOS_MIN + round(CONGLOMERADOS_EXTRA * n_hog / hogares_estrato.sum())
        filas_estrato = []
        for b, manzana in _conglomerados(rng, geo, estrato, m):
            n = int(np.clip(rng.poisson(11), 6, 16))
            dia = desde + timedelta(days=int(rng.integers(0, (fin - desde).days + 1)))
            dias_programa = (dia - inicio).days - esc.inicio_programa[b]
            respuestas = _responder(
                rng,
                n,
                riesgo_rel[b] + INSEGURIDAD_ANIO.get(desde.year, 0.0),
                efecto_conglomerado=rng.normal(0.0, 0.45),
                en_alza=reciente and b in esc.alza,
                con_programa=dias_programa >= 0,
                programa_maduro=dias_programa >= 180,
            )
            for r in respuestas:
                filas_estrato.append(
                    {
                        "ola": ola,
                        "fecha": dia + timedelta(days=int(rng.integers(0, 3))),
                        "barrio_id": geo.barrio_ids[b],
                        "estrato": CENTROS_SECTORES[estrato][0],
                        "conglomerado": f"C-{geo.barrio_ids[b]}-{manzana:03d}",
                        **r,
                    }
                )
        # Factor: peso de diseño con ajuste por no respuesta, calibrado a hogares del estrato.
        ajuste = rng.lognormal(0.0, 0.25, len(filas_estrato))
        for fila, factor in zip(filas_estrato, ajuste / ajuste.sum() * n_hog, strict=True):
            fila["factor"] = float(factor)
        filas += filas_estrato
    for i, fila in enumerate(filas, start=1):
        fila["respuesta_id"] = f"R-{ola}-{i:05d}"
    return filas


def _responder(
    rng: np.random.Generator,
    n: int,
    riesgo: float,
    efecto_conglomerado: float,
    en_alza: bool,
    con_programa: bool,
    programa_maduro: bool,
) -> list[dict]:
    """Respuestas 0/1 de n hogares de un conglomerado (efecto aleatorio común = correlación)."""
    u = efecto_conglomerado
    victima = rng.random(n) < _expit(_logit(0.27) + 0.45 * riesgo + 0.6 * u + 0.15 * en_alza)
    denuncio = rng.random(n) < _expit(_logit(0.47) + 0.25 * con_programa + rng.normal(0, 0.3))
    inseguro = rng.random(n) < _expit(
        _logit(0.42) + 0.55 * riesgo + u + 0.8 * victima + 0.5 * en_alza - 0.3 * programa_maduro
    )
    aumento = rng.random(n) < _expit(
        _logit(0.47) + 0.3 * riesgo + 0.7 * u + 0.4 * victima + 1.0 * en_alza
    )
    conoce = rng.random(n) < _expit(
        _logit(0.12) + 1.9 * con_programa + 0.5 * programa_maduro + 0.3 * u
    )
    return [
        {
            "inseguro_barrio": int(inseguro[i]),
            "victima_hogar_12m": int(victima[i]),
            "denuncio": int(denuncio[i]) if victima[i] else None,
            "percibe_aumento_barrio": int(aumento[i]),
            "conoce_programa": int(conoce[i]),
        }
        for i in range(n)
    ]


# ---------------------------------------------------------------------------------------------
# Actividades del programa.

# (participantes mín, máx; hogares alcanzados mín, máx) por actividad.
ALCANCE = {
    "Diagnóstico participativo": (12, 60, 0, 25),
    "Ajuste operativo": (3, 12, 0, 0),
    "Prevención situacional (evaluación casas, censo, caminata segura)": (8, 40, 10, 80),
    "Proyectos tecnológicos (cámaras, casa protegida, GPS)": (5, 30, 10, 120),
    "Implementación de oferta focalizada": (10, 45, 5, 60),
    "Reuniones en terreno para definición de necesidades concretas": (8, 35, 0, 30),
    "Coordinación con otras direcciones municipales": (4, 15, 0, 0),
    "Puerta a puerta": (4, 14, 80, 420),
    "Capacitaciones": (10, 45, 10, 45),
    "Manuales de prevención": (5, 20, 60, 350),
    "Campañas preventivas": (15, 80, 100, 600),
    "Identificación de espacios públicos vulnerados": (5, 20, 0, 10),
    "Desarrollo de activaciones": (30, 80, 20, 150),
    "Fortalecimiento comunitario": (15, 60, 10, 60),
    "Trabajo intersectorial permanente": (5, 20, 0, 20),
    "Participación comunitaria": (20, 80, 15, 90),
    "Obra de confianza": (20, 80, 30, 200),
}
PESOS_LINEA = {
    "critico": {"2.1": 0.15, "2.2": 0.15, "2.3": 0.15, "2.4": 0.15, "2.5": 0.40},
    "normal": {"2.1": 0.30, "2.2": 0.25, "2.3": 0.30, "2.4": 0.15, "2.5": 0.0},
}
ACTIVIDADES_POR_MES = 1.6


def _fecha_habil(rng: np.random.Generator, dia: date) -> date:
    """Corre a lunes los domingos y a veces los sábados (casi no hay terreno en fin de semana)."""
    if dia.weekday() == 6 or (dia.weekday() == 5 and rng.random() < 0.6):
        return dia + timedelta(days=7 - dia.weekday())
    return dia


def _actividad(
    rng: np.random.Generator, linea: str, nombre: str | None = None, diagnostico: bool = True
) -> dict:
    opciones = [
        a for a in catalogo.ACTIVIDADES[linea] if diagnostico or a != "Diagnóstico participativo"
    ]
    nombre = nombre or str(rng.choice(opciones))
    p0, p1, h0, h1 = ALCANCE[nombre]
    return {
        "linea": linea,
        "actividad": nombre,
        "participantes": int(rng.integers(p0, p1 + 1)),
        "hogares": int(rng.integers(h0, h1 + 1)),
    }


def _actividades(rng: np.random.Generator, esc: Escenario, hasta: date) -> pd.DataFrame:
    geo = esc.geo
    inicio = esc.dias[0].astype(object)
    filas = []
    for orden, b in enumerate(esc.programa):
        tipo = "critico" if orden < N_BARRIOS_CRITICOS else "normal"
        lineas = list(PESOS_LINEA[tipo])
        pesos = np.array(list(PESOS_LINEA[tipo].values()))
        dia = _fecha_habil(rng, inicio + timedelta(days=int(esc.inicio_programa[b])))
        primera = "2.5" if tipo == "critico" else "2.1"
        filas.append(
            {"fecha": dia, "b": b, **_actividad(rng, primera, "Diagnóstico participativo")}
        )
        while True:
            # Más intensidad los primeros tres meses de intervención.
            intenso = (dia - inicio).days - esc.inicio_programa[b] < 90
            tasa = (
                ACTIVIDADES_POR_MES * (2.0 if intenso else 1.0) * (1.3 if tipo == "critico" else 1)
            )
            dia = dia + timedelta(days=max(1, int(rng.exponential(30.4 / tasa))))
            if dia > hasta:
                break
            fecha = _fecha_habil(rng, dia)
            if fecha <= hasta:
                linea = str(rng.choice(lineas, p=pesos / pesos.sum()))
                actividad = _actividad(rng, linea, diagnostico=intenso)
                filas.append({"fecha": fecha, "b": b, **actividad})
    # Algunas campañas comunales fuera de los barrios del programa (~una al mes).
    otros = np.setdiff1d(np.arange(len(geo.barrio_ids)), esc.programa)
    otros = otros[geo.poblacion[otros] >= 3000]
    for _ in range(rng.poisson(len(esc.dias) / 30.4)):
        fecha = _fecha_habil(rng, inicio + timedelta(days=int(rng.integers(0, len(esc.dias)))))
        if fecha <= hasta:
            nombre = str(rng.choice(["Campañas preventivas", "Puerta a puerta", "Capacitaciones"]))
            filas.append(
                {"fecha": fecha, "b": int(rng.choice(otros)), **_actividad(rng, "2.3", nombre)}
            )
    tabla = pd.DataFrame(filas).sort_values(["fecha", "b"], kind="stable").reset_index(drop=True)
    tabla.insert(0, "actividad_id", [f"A-{i + 1:06d}" for i in range(len(tabla))])
    tabla["barrio_id"] = [geo.barrio_ids[b] for b in tabla["b"]]
    # Ninguna actividad alcanza a más de la mitad de los hogares de su barrio.
    tabla["hogares"] = np.minimum(tabla["hogares"], geo.hogares[tabla["b"].to_numpy()] // 2)
    columnas = ["actividad_id", "fecha", "barrio_id", "linea", "actividad", "participantes"]
    return tabla[columnas + ["hogares"]]


# ---------------------------------------------------------------------------------------------
# Tablas de catálogo, geografía y metadatos.


def _insertar(con: duckdb.DuckDBPyConnection, tabla: str, df: pd.DataFrame):
    con.register("df_insertar", df)
    columnas = ", ".join(df.columns)
    con.execute(f"INSERT INTO {tabla} ({columnas}) SELECT {columnas} FROM df_insertar")
    con.unregister("df_insertar")


def _escribir_geografia(con: duckdb.DuckDBPyConnection, geo: Geografia):
    con.execute(
        "INSERT INTO comuna VALUES ('Las Condes', ?, ?)",
        [shapely.to_geojson(geo.comuna), geo.fuente_comuna],
    )
    barrios = pd.DataFrame(
        {
            "barrio_id": geo.barrio_ids,
            "nombre": geo.nombres,
            "sector_id": geo.sector_ids,
            "poblacion": geo.poblacion.astype(np.int32),
            "hogares": geo.hogares.astype(np.int32),
            "geometria": [shapely.to_geojson(p) for p in geo.poligonos],
            "sintetico": True,
        }
    )
    _insertar(con, "barrios", barrios)


def _version(semilla: int, incidentes: int | None, hasta: date) -> str:
    clave = f"{VERSION_GENERADOR}|{semilla}|{incidentes}|{hasta.isoformat()}"
    return "demo-" + hashlib.sha1(clave.encode()).hexdigest()[:10]


def _escribir_metadatos(
    con: duckdb.DuckDBPyConnection,
    semilla: int,
    incidentes: int | None,
    hasta: date,
    corte_encuestas: date | None,
    corte_actividades: date | None,
):
    corte = hasta.isoformat()
    valores = {
        "version": _version(semilla, incidentes, hasta),
        "origen": "demo",
        "descripcion": DESCRIPCION,
        "semilla": str(semilla),
        "fecha_corte": corte,
        "fecha_corte_policial": corte,
        "fecha_corte_central_1402": corte,
        "fecha_corte_camaras": corte,
        "fecha_corte_encuestas": corte_encuestas.isoformat() if corte_encuestas else "",
        "fecha_corte_actividades": corte_actividades.isoformat() if corte_actividades else "",
        "generado_en": datetime.now().isoformat(timespec="seconds"),
    }
    con.executemany("INSERT INTO metadatos VALUES (?, ?)", list(valores.items()))


def _dmcs_por_anio(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    filas = con.execute(
        """
        SELECT year(i.fecha_hora) AS anio, count(*)
        FROM incidentes i JOIN delitos d USING (delito)
        WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL
        GROUP BY anio ORDER BY anio
        """
    ).fetchall()
    return {int(a): int(n) for a, n in filas}


# ---------------------------------------------------------------------------------------------


def generar(
    salida: Path,
    incidentes: int | None = None,
    semilla: int = 2026,
    hasta: date = FECHA_CORTE_DEMO,
    progreso: bool = False,
) -> dict:
    """Escribe una base DuckDB de demostración completa en `salida` (de forma atómica)."""
    t0 = time.perf_counter()
    if incidentes is not None and incidentes < 0:
        raise ValueError("incidentes debe ser >= 0")
    salida = Path(salida)
    salida.parent.mkdir(parents=True, exist_ok=True)
    temporal = salida.with_suffix(".duckdb.tmp")
    temporal.unlink(missing_ok=True)

    rng_escenario, rng_incidentes, rng_encuesta, rng_actividades = np.random.default_rng(
        semilla
    ).spawn(4)
    esc = armar_escenario(rng_escenario, hasta)

    con = duckdb.connect(str(temporal))
    try:
        con.execute("SET memory_limit = '2GB'")  # con 10M casos, el orden final usa disco
        con.execute("SET enable_progress_bar = false")
        catalogo.crear_tablas(con)
        con.executemany("INSERT INTO sectores VALUES (?, ?)", [c[:2] for c in CENTROS_SECTORES])
        _escribir_geografia(con, esc.geo)
        dmcs_barrio = _generar_incidentes(con, rng_incidentes, esc, incidentes, progreso)
        if progreso:
            print("Ordenando incidentes por fecha…", file=sys.stderr, flush=True)
        _consolidar_incidentes(con, esc.geo.barrio_ids)
        ejecutar(con, "construir_incidentes_diarios")
        encuesta = _encuesta(rng_encuesta, esc, dmcs_barrio, hasta)
        _insertar(con, "encuesta_respuestas", encuesta)
        actividades = _actividades(rng_actividades, esc, hasta)
        _insertar(con, "actividades", actividades)
        _escribir_metadatos(
            con,
            semilla,
            incidentes,
            hasta,
            max(encuesta["fecha"]) if len(encuesta) else None,
            max(actividades["fecha"]) if len(actividades) else None,
        )
        resumen = {
            "incidentes": con.execute("SELECT count(*) FROM incidentes").fetchone()[0],
            "dmcs_por_anio": _dmcs_por_anio(con),
            "barrios": len(esc.geo.barrio_ids),
            "sectores": len(CENTROS_SECTORES),
            "respuestas": len(encuesta),
            "actividades": len(actividades),
        }
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        temporal.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(temporal, salida)
    resumen["segundos"] = round(time.perf_counter() - t0, 2)
    return resumen
