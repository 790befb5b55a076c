import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ui import mapa
from ui.cobertura import barrio_elegido
from ui.mapa import COLORES, SIN_DATO


def _cuadrado(x: float) -> str:
    anillo = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    return json.dumps({"type": "Polygon", "coordinates": [anillo]})


def _colores(deck) -> list:
    figuras = json.loads(deck.to_json())["layers"][0]["data"]["features"]
    return [f["properties"]["color"] for f in figuras]


def test_coropleta_gris_sin_valor_y_alfa_opcional():
    geometrias = pd.DataFrame(
        {
            "barrio_id": ["a", "b", "c"],
            "nombre": ["A", "B", "C"],
            "geometria": [_cuadrado(k) for k in range(3)],
        }
    )
    valores = pd.DataFrame(
        {"barrio_id": ["a", "b", "c"], "valor": [10.0, np.nan, 30.0], "texto": "x"}
    )
    comuna = _cuadrado(0)
    sin_alfa = _colores(mapa.coropleta(geometrias, valores, comuna))
    assert sin_alfa[1] == SIN_DATO + [190]
    assert all(c[3] == 190 for c in sin_alfa)
    con_alfa = _colores(mapa.coropleta(geometrias, valores.assign(alfa=[90, 190, 190]), comuna))
    assert con_alfa[0][3] == 90 and con_alfa[0][:3] in COLORES


def test_barrio_elegido_en_un_mapa():
    barrios = pd.DataFrame({"barrio_id": ["el-golf", "fleming"], "nombre": ["El Golf", "Fleming"]})

    def evento(objetos):
        return SimpleNamespace(selection={"indices": {}, "objects": objetos})

    celda = {"capa-1": [{"h3": "89b2c519a47ffff", "barrio": "Fleming", "nombre": "Celda …"}]}
    poligono = {"capa-2": [{"type": "Feature", "properties": {"nombre": "El Golf"}}]}
    assert barrio_elegido(evento(celda), barrios) == "fleming"
    assert barrio_elegido(evento(poligono), barrios) == "el-golf"
    assert barrio_elegido(evento({}), barrios) is None
    assert barrio_elegido(evento({"x": [{"barrio": "Atlántida"}]}), barrios) is None
    assert barrio_elegido(None, barrios) is None


def _capa_con_merge(geometrias: pd.DataFrame, valores: pd.DataFrame) -> dict:
    """La capa de antes: merge de pandas e itertuples."""
    datos = geometrias.merge(valores, on="barrio_id", how="left", suffixes=("", "_v"))
    colores = [COLORES[k] if k >= 0 else SIN_DATO for k in mapa.clases(datos["valor"])]
    alfas = datos["alfa"].fillna(190) if "alfa" in datos else pd.Series(190, index=datos.index)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(fila.geometria),
                "properties": {
                    "nombre": fila.nombre,
                    "texto": fila.texto,
                    "color": color + [int(a)],
                },
            }
            for fila, color, a in zip(datos.itertuples(), colores, alfas, strict=True)
        ],
    }


def test_coropleta_igual_a_la_del_merge():
    geometrias = pd.DataFrame(
        {
            "barrio_id": list("abcdefg"),
            "nombre": list("ABCDEFG"),
            "geometria": [_cuadrado(k) for k in range(7)],
        }
    ).astype({"barrio_id": "str", "nombre": "str", "geometria": "str"})
    valores = pd.DataFrame(  # en otro orden, uno sin valor y dos barrios sin fila
        {
            "barrio_id": ["e", "a", "c", "b", "g"],
            "valor": [5.0, 1.0, np.nan, 3.0, 9.0],
            "texto": ["cinco", "uno", "sin", "tres", "nueve"],
            "nombre": ["otro"] * 5,  # no reemplaza el nombre del barrio
        }
    ).astype({"barrio_id": "str", "texto": "str"})
    casos = [
        valores,
        valores.assign(alfa=[90.0, np.nan, 190.0, 40.0, 190.0]),
        valores.assign(valor=[5, 1, 2, 3, 9]),  # enteros
        pd.concat([valores, valores.iloc[:1]]),  # un barrio repetido: el merge lo repite
    ]
    for caso in casos:
        capa = json.loads(mapa.armar([mapa.capa_coropleta(geometrias, caso)]).to_json())
        esperada = json.loads(json.dumps(_capa_con_merge(geometrias, caso)))
        assert capa["layers"][0]["data"] == esperada
