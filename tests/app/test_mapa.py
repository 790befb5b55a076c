"""La página Mapa en AppTest sobre la demostración pequeña: capas, opciones, URL y roles."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from consultas import mapa
from tests.app import ayudas


def abrir(**params) -> AppTest:
    return ayudas.abrir("paginas/mapa.py", **params)


def capas(at: AppTest, indice: int = 0) -> list[dict]:
    """Las capas del mapa `indice` de la página, tal como se envían al navegador."""
    return json.loads(at.get("deck_gl_json_chart")[indice].proto.json)["layers"]


def tipos(at: AppTest, indice: int = 0) -> list[str]:
    return [c["@@type"] for c in capas(at, indice)]


def test_por_defecto_celdas_h3_de_resolucion_9(demo):
    at = abrir()
    assert not at.exception
    assert at.radio(key="m_capa").value == "celdas"
    assert at.selectbox(key="m_resolucion").value == 9
    assert tipos(at)[0] == "H3HexagonLayer"
    assert {"TextLayer", "GeoJsonLayer"} <= set(tipos(at))  # nombres, barrios y contorno
    hexagonos = capas(at)[0]["data"]
    assert all(len(h["h3"]) == 15 and h["h3"].startswith("89") for h in hexagonos)
    assert "Datos al 31-10-2026" in ayudas.textos(at)
    assert "Casos por celda" in ayudas.textos(at)
    assert "casos en" in ayudas.textos(at) and "celdas de resolución 9" in ayudas.textos(at)
    metricas = {m.label: m.value for m in at.metric}
    assert metricas["Celdas en el universo"] == "1.200"
    curva = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert [t["name"] for t in curva] == ["Casos acumulados", "Reparto parejo"]
    assert curva[0]["y"][-1] == 100  # la curva de concentración termina en el 100 % de los casos
    assert at.query_params == {}


@pytest.mark.parametrize(
    ("capa", "tipo", "leyenda"),
    [
        ("calor", "HeatmapLayer", "Densidad de casos"),
        ("tasa", "GeoJsonLayer", "Casos por 1.000 habitantes"),
        ("calientes", "H3HexagonLayer", "Gi* (p ajustado por FDR)"),
        ("puntos", "ScatterplotLayer", "Casos (solo analista, hasta 5.000 casos"),
    ],
)
def test_cada_capa_desde_la_url(demo, capa, tipo, leyenda):
    at = abrir(capa=capa)
    assert not at.exception
    assert at.radio(key="m_capa").value == capa
    assert tipos(at)[0] == tipo
    assert leyenda in ayudas.textos(at)
    assert at.query_params == {"capa": capa}


def test_puntos_calientes_cubren_todo_el_universo(demo):
    at = abrir(capa="calientes")
    celdas = capas(at)[0]["data"]
    assert len(celdas) == 1200  # también las celdas sin casos
    clases = {c["texto"].split("Gi*: ")[1].split(" (")[0] for c in celdas}
    assert "no significativo" in clases


def test_cambiar_capa_y_resolucion_actualiza_mapa_y_url(demo):
    at = abrir()
    antes = len(capas(at)[0]["data"])
    at.radio(key="m_capa").set_value("calientes").run()
    at.selectbox(key="m_resolucion").set_value(10).run()
    assert not at.exception
    assert at.query_params == {"capa": "calientes", "resolucion": "10"}
    despues = capas(at)[0]["data"]
    assert len(despues) > antes and despues[0]["h3"].startswith("8a")
    assert len(at.get("deck_gl_json_chart")[0].proto.json) < 5_000_000


def test_opciones_invalidas_en_la_url_avisan(demo):
    at = abrir(capa="'; DROP TABLE x", resolucion="99")
    assert not at.exception
    avisos = " ".join(w.value for w in at.warning)
    assert "Se ignoró la capa" in avisos and "Se ignoró la resolución H3 «99»" in avisos
    assert at.radio(key="m_capa").value == "celdas"
    assert at.selectbox(key="m_resolucion").value == 9


def test_publico_no_recibe_puntos(demo, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_ROL", "publico")
    at = abrir(capa="puntos")
    assert not at.exception
    assert "solo los ve el rol analista" in ayudas.textos(at)
    assert "ScatterplotLayer" not in tipos(at)
    assert tipos(at)[0] == "H3HexagonLayer"


def test_sobre_el_tope_de_puntos_muestra_celdas(demo, monkeypatch):
    monkeypatch.setattr(mapa, "LIMITE_PUNTOS", 10)
    at = abrir(capa="puntos")
    assert not at.exception
    assert "más que el tope de 10" in ayudas.textos(at)
    assert "ScatterplotLayer" not in tipos(at)


def test_filtro_sin_casos_da_mensaje(demo):
    at = abrir(periodo="7d", familia="armas", barrio="quebrada-de-ramon")
    assert not at.exception
    assert "No hay casos para estos filtros" in ayudas.textos(at)
    assert not at.get("deck_gl_json_chart")


def test_pocas_celdas_no_calcula_gi(demo):
    at = abrir(barrio="el-golf", resolucion="8", periodo="aad")
    assert not at.exception
    assert "menos de 30 celdas la prueba Gi* no tiene con qué comparar" in ayudas.textos(at)


def test_capas_de_actividades_y_camaras(demo):
    at = abrir(periodo="aad")
    at.checkbox(key="m_actividades").check().run()
    at.checkbox(key="m_camaras").check().run()
    assert not at.exception
    presentes = tipos(at)
    assert "ScatterplotLayer" in presentes
    assert presentes.count("H3HexagonLayer") == 2
    assert "registros de cámaras" in json.dumps(capas(at), ensure_ascii=False)
    at.multiselect(key="m_lineas").select("2.5").run()
    actividades = next(c for c in capas(at) if c["@@type"] == "ScatterplotLayer")["data"]
    assert actividades and all("línea 2.5" in a["nombre"] for a in actividades)


def test_evolucion_cambia_de_periodos(demo):
    at = abrir(periodo="aad")
    assert "12 períodos de 4 semanas" in ayudas.textos(at)
    at.selectbox(key="m_evolucion").set_value("8x91").run()
    assert not at.exception
    assert "8 trimestres de 13 semanas" in ayudas.textos(at)
    assert at.query_params == {"periodo": "aad", "evolucion": "8x91"}
    assert any(df.value.columns[0] == "Categoría" for df in at.dataframe)


def test_filtros_compartidos_siguen_en_la_url(demo):
    at = abrir(sector="fleming", capa="tasa")
    assert not at.exception
    assert at.multiselect(key="f_sectores").value == ["fleming"]
    assert at.query_params == {"sector": "fleming", "capa": "tasa"}
    assert "Sectores Fleming" in ayudas.textos(at)
