"""La Ficha de barrio en AppTest: varios barrios (con y sin actividades, con intervenciones
evaluadas), el barrio por la URL, uno desconocido, uno sin población, y cambiar de barrio."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app import ayudas


def abrir(**params) -> AppTest:
    return ayudas.abrir("paginas/barrio.py", **params)


def tabla_con(at: AppTest, columna: str):
    return next(d.value for d in at.dataframe if columna in d.value.columns)


@pytest.mark.parametrize(
    ("barrio", "nombre"),
    [("el-golf", "El Golf"), ("escandinavia", "Escandinavia"), ("los-almendros", "Los Almendros")],
)
def test_ficha_de_varios_barrios(demo, barrio, nombre):
    at = abrir(barrio=barrio, periodo="aad")
    assert not at.exception
    assert at.title[0].value == f"Ficha de barrio: {nombre}"
    metricas = {m.label: m.value for m in at.metric}
    assert {"Población", "Hogares", "Casos en el período", "Tasa por 1.000 habitantes"} <= set(
        metricas
    )
    assert f"{nombre} tuvo" in ayudas.textos(at) and "la tasa de la comuna" in ayudas.textos(at)
    assert "Datos al 31-10-2026" in ayudas.textos(at)
    assert f"la tasa mensual de {nombre} promedió" in ayudas.textos(at)
    assert "veces la de la comuna" in ayudas.textos(
        at
    ) and "la franja con más fue el" in ayudas.textos(at)
    encuesta = tabla_con(at, "Indicador")
    assert list(encuesta.columns[1:]) == [nombre, encuesta.columns[2], "Comuna"]
    # Las estimaciones por barrio de la demostración son «no fiables»: nunca muestran número.
    assert encuesta[nombre].str.startswith("no fiable (n = ").all()
    assert at.query_params["barrio"] == barrio


def test_barrio_sin_actividades(demo):
    at = abrir(barrio="vital-apoquindo", periodo="aad")
    assert not at.exception
    assert "Vital Apoquindo no tuvo actividades del programa en el período." in ayudas.textos(at)
    assert "Vital Apoquindo no tiene intervenciones del programa que evaluar." in ayudas.textos(at)


def test_barrio_con_la_intervencion_plantada(demo):
    at = abrir(barrio="parque-arauco", periodo="aad", ventana="12")
    assert not at.exception
    evaluadas = tabla_con(at, "Veredicto")
    fila = evaluadas[evaluadas["Inicio"] == "02-10-2023"].iloc[0]
    assert fila["Actividad"] == "Diagnóstico participativo"
    assert fila["Veredicto"] in {"baja significativa", "sin cambio distinguible"}
    assert "ventanas de 12 meses" in ayudas.textos(at)
    assert at.query_params["ventana"] == "12"


def test_sin_barrio_o_desconocido_pide_elegir(demo):
    at = abrir(barrio="no-existe")
    assert not at.exception
    assert "Se ignoró el barrio desconocido «no-existe»." in [w.value for w in at.warning]
    assert "Elija un barrio para ver su ficha" in ayudas.textos(at)
    assert at.title[0].value == "Ficha de barrio"
    at = abrir()
    assert not at.exception and "Elija un barrio" in ayudas.textos(at)


def test_elegir_otro_barrio_cambia_la_ficha_y_la_url(demo):
    at = abrir(barrio="el-golf")
    at.selectbox(key="b_barrio").set_value("fleming").run()
    assert not at.exception
    assert at.title[0].value == "Ficha de barrio: Fleming"
    assert at.query_params["barrio"] == "fleming"


def test_ventana_invalida_avisa(demo):
    at = abrir(barrio="el-golf", ventana="99")
    assert not at.exception
    assert "Se ignoró la ventana de evaluación «99»" in " ".join(w.value for w in at.warning)
    assert at.selectbox(key="b_ventana").value == 6


def test_barrio_sin_poblacion_ni_actividades(base):
    at = abrir(barrio="poniente", periodo="aad")
    assert not at.exception
    assert "Poniente no tiene población registrada" in ayudas.textos(at)
    assert "sin población registrada no tiene tasa" in ayudas.textos(at)
    assert "No hay una ola de la encuesta" in ayudas.textos(at)


def test_mapa_del_barrio_con_sus_celdas_calientes(demo):
    at = abrir(barrio="el-golf", periodo="aad")
    capas = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]
    hexagonos = [c for c in capas if c["@@type"] == "H3HexagonLayer"]
    tabla = tabla_con(at, "Celda H3")
    assert len(hexagonos) == 1 and len(hexagonos[0]["data"]) == len(tabla) > 0
    assert {h["h3"] for h in hexagonos[0]["data"]} == set(tabla["Celda H3"])
    assert all("El Golf" in h["nombre"] for h in hexagonos[0]["data"])
    assert "ScatterplotLayer" not in {c["@@type"] for c in capas}  # nunca casos individuales
