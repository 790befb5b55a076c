"""Una base pequeña hecha a mano para probar consultas contra cálculos independientes."""

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from datos import catalogo

CORTE = date(2025, 6, 30)
BARRIOS = pd.DataFrame(
    {
        "barrio_id": ["norte", "sur", "oriente", "poniente"],
        "nombre": ["Norte", "Sur", "Oriente", "Poniente"],
        "sector_id": ["alto", "alto", "bajo", "bajo"],
        "poblacion": [1000, 2500, 400, 0],
        "hogares": [350, 900, 150, 0],
    }
)


# Actividades del programa, para las marcas de la serie de Tendencias.
ACTIVIDADES = pd.DataFrame(
    {
        "actividad_id": ["A-1", "A-2", "A-3"],
        "fecha": [date(2024, 12, 5), date(2025, 6, 10), date(2025, 6, 20)],
        "barrio_id": ["sur", "norte", "oriente"],
        "linea": ["2.5", "2.3", "2.1"],
        "actividad": ["Obra de confianza", "Campañas preventivas", "Diagnóstico participativo"],
        "participantes": [30, 40, 25],
        "hogares": [20, 300, 0],
    }
)


def _cuadrado(x: float, y: float) -> str:
    anillo = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [anillo]})


def incidentes_fixture(n: int = 4000, semilla: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(semilla)
    delitos = pd.DataFrame(catalogo.DELITOS)
    inicio = datetime(2023, 1, 1)
    minutos = rng.integers(0, int((datetime(2025, 7, 1) - inicio).total_seconds() // 60), n)
    elegidos = delitos.iloc[rng.integers(0, len(delitos), n)].reset_index(drop=True)
    barrio = rng.choice(BARRIOS["barrio_id"].to_numpy(), n, p=[0.4, 0.3, 0.2, 0.1])
    return pd.DataFrame(
        {
            "incidente_id": [f"F-{k:05d}" for k in range(n)],
            "fecha_hora": [inicio + timedelta(minutes=int(m)) for m in minutos],
            "familia": elegidos["familia"],
            "delito": elegidos["delito"],
            "fuente": rng.choice(["policial", "central_1402", "camaras"], n, p=[0.6, 0.3, 0.1]),
            "lat": -33.4 + rng.random(n) * 0.01,
            "lon": -70.6 + rng.random(n) * 0.01,
            "barrio_id": barrio,
            "h3": np.zeros(n, dtype="uint64"),
        }
    ).sort_values("fecha_hora", ignore_index=True)


def construir(ruta: Path, incidentes: pd.DataFrame) -> None:
    con = duckdb.connect(str(ruta))
    catalogo.crear_tablas(con)
    con.executemany(
        "INSERT INTO metadatos VALUES (?, ?)",
        [("fecha_corte", CORTE.isoformat()), ("origen", "prueba"), ("version", "fixture-1")],
    )
    con.executemany("INSERT INTO sectores VALUES (?, ?)", [("alto", "Alto"), ("bajo", "Bajo")])
    barrios = BARRIOS.assign(
        geometria=[_cuadrado(-70.6 + 0.01 * k, -33.4) for k in range(len(BARRIOS))],
        sintetico=True,
    )
    con.register("barrios_df", barrios)
    con.execute("INSERT INTO barrios SELECT * FROM barrios_df")
    con.execute("INSERT INTO comuna VALUES ('Prueba', ?, 'fixture')", [_cuadrado(-70.6, -33.4)])
    con.register("actividades_df", ACTIVIDADES)
    con.execute("INSERT INTO actividades SELECT * FROM actividades_df")
    con.register("incidentes_df", incidentes)
    con.execute("INSERT INTO incidentes SELECT * FROM incidentes_df ORDER BY fecha_hora")
    con.close()


def contar(df, ventana, fuente, barrios=None, familias=None) -> int:
    """Conteo independiente con pandas, para comparar con las consultas."""
    desde = datetime.combine(ventana.desde, time())
    hasta = datetime.combine(ventana.hasta + timedelta(days=1), time())
    m = (df["fecha_hora"] >= desde) & (df["fecha_hora"] < hasta) & (df["fuente"] == fuente)
    if barrios:
        m &= df["barrio_id"].isin(barrios)
    if familias:
        m &= df["familia"].isin(familias)
    return int(m.sum())
