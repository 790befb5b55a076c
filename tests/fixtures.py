"""Una base pequeña hecha a mano para probar consultas contra cálculos independientes."""

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import h3.api.basic_int as h3
import numpy as np
import pandas as pd

from consultas.sql import ejecutar
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
    df = pd.DataFrame(
        {
            "incidente_id": [f"F-{k:05d}" for k in range(n)],
            "fecha_hora": [inicio + timedelta(minutes=int(m)) for m in minutos],
            "familia": elegidos["familia"],
            "delito": elegidos["delito"],
            "fuente": rng.choice(["policial", "central_1402", "camaras"], n, p=[0.6, 0.3, 0.1]),
            "lat": -33.4 + rng.random(n) * 0.01,
            "lon": -70.6 + rng.random(n) * 0.01,
            "barrio_id": barrio,
        }
    ).sort_values("fecha_hora", ignore_index=True)
    puntos = list(zip(df["lat"], df["lon"], strict=True))
    return df.assign(
        h3=np.array([h3.latlng_to_cell(a, o, 9) for a, o in puntos], dtype="uint64"),
        h3_11=np.array([h3.latlng_to_cell(a, o, 11) for a, o in puntos], dtype="uint64"),
    )


def construir(
    ruta: Path, incidentes: pd.DataFrame, actividades: pd.DataFrame | None = None
) -> None:
    """La base de prueba; `actividades` reemplaza a ACTIVIDADES (vacía: una base sin programa)."""
    actividades = ACTIVIDADES if actividades is None else actividades
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
    con.register("actividades_df", actividades)
    con.execute("INSERT INTO actividades SELECT * FROM actividades_df")
    con.register("incidentes_df", incidentes)
    con.execute("INSERT INTO incidentes SELECT * FROM incidentes_df ORDER BY fecha_hora")
    ejecutar(con, "construir_incidentes_diarios")
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


OLAS_FIXTURE = ("2024-2", "2025-1")
INDICADOR_NUEVO = "confia_municipio"  # un indicador 0/1 que no está en el catálogo


def encuesta_fixture(semilla: int = 5) -> pd.DataFrame:
    """Dos olas, estratos alto y bajo con conglomerados de tamaños y pesos desiguales. En la ola
    2024-2 el estrato bajo tiene un solo conglomerado; el barrio poniente no tiene respuestas."""
    rng = np.random.default_rng(semilla)
    barrios = {"alto": ["norte", "sur"], "bajo": ["oriente"]}
    conglomerados = {"2024-2": {"alto": 12, "bajo": 1}, "2025-1": {"alto": 14, "bajo": 10}}
    filas = []
    for ola, por_estrato in conglomerados.items():
        for estrato, m in por_estrato.items():
            for c in range(m):
                barrio = barrios[estrato][c % len(barrios[estrato])]
                efecto = rng.normal(0, 0.6)
                for _ in range(int(rng.integers(5, 11))):
                    victima = int(rng.random() < 0.3)
                    filas.append(
                        {
                            "respuesta_id": f"R-{ola}-{len(filas):04d}",
                            "ola": ola,
                            "fecha": date(int(ola[:4]), 5 if ola.endswith("1") else 10, 15),
                            "barrio_id": barrio,
                            "estrato": estrato,
                            "conglomerado": f"{barrio}-{c}",
                            "factor": float(rng.uniform(10, 60)),
                            "inseguro_barrio": int(rng.random() < 1 / (1 + np.exp(-efecto))),
                            "victima_hogar_12m": victima,
                            "denuncio": int(rng.random() < 0.5) if victima else None,
                            "percibe_aumento_barrio": int(rng.random() < 0.45),
                            "conoce_programa": int(rng.random() < 0.2),
                            INDICADOR_NUEVO: int(rng.random() < 0.6),
                        }
                    )
    return pd.DataFrame(filas)


def agregar_encuesta(ruta: Path, encuesta: pd.DataFrame) -> None:
    con = duckdb.connect(str(ruta))
    con.execute(f"ALTER TABLE encuesta_respuestas ADD COLUMN {INDICADOR_NUEVO} TINYINT")
    con.register("encuesta_df", encuesta)
    con.execute("INSERT INTO encuesta_respuestas BY NAME SELECT * FROM encuesta_df")
    con.execute(
        "INSERT INTO metadatos VALUES ('fecha_corte_encuestas', ?)",
        [str(encuesta["fecha"].max())],
    )
    con.close()


def filtro_sin_casos(incidentes: pd.DataFrame, fuente: str) -> dict[str, str]:
    """Parámetros de URL (barrio, familia y delito) que no tienen ningún caso de `fuente`."""
    de_fuente = incidentes[incidentes["fuente"] == fuente]
    presentes = set(zip(de_fuente["barrio_id"], de_fuente["delito"], strict=True))
    barrio, delito = next(
        (b, d)
        for b in BARRIOS["barrio_id"]
        for d in sorted(incidentes["delito"].unique())
        if (b, d) not in presentes
    )
    familia = incidentes.loc[incidentes["delito"] == delito, "familia"].iloc[0]
    return {"fuente": fuente, "barrio": barrio, "familia": familia, "delito": delito}


SIN_ACTIVIDADES = ACTIVIDADES.iloc[0:0]
