import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from consultas import tendencias
from consultas.periodos import Ventana
from tests import fixtures

APP = str(Path(__file__).parents[2] / "app.py")


def abrir(**params) -> AppTest:
    """Abre la app con esos parámetros de URL y pasa a Tendencias."""
    at = AppTest.from_file(APP, default_timeout=60)
    for clave, valor in params.items():
        at.query_params[clave] = valor
    at.run()
    at.switch_page("paginas/tendencias.py").run()
    assert not at.exception
    return at


def textos(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def avisos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def graficos(at: AppTest) -> list:
    return at.get("plotly_chart")


def trazas(at: AppTest, indice: int = 0) -> list[dict]:
    return json.loads(graficos(at)[indice].proto.spec)["data"]


def nombres(at: AppTest) -> list[str]:
    return [t.get("name") for t in trazas(at)]


def tabla(at: AppTest):
    return at.dataframe[0].value


def test_por_defecto_muestra_semanas_grillas_tabla_y_embudo(base, incidentes):
    at = abrir()
    assert at.radio(key="t_escala").value == "semana"
    assert len(graficos(at)) == 4  # serie, hora × día, mes × año, embudo
    # Últimas 4 semanas (03-06 a 30-06-2025) contra las 4 anteriores, contadas aparte.
    actual = fixtures.contar(incidentes, Ventana(date(2025, 6, 3), date(2025, 6, 30)), "policial")
    anterior = fixtures.contar(incidentes, Ventana(date(2025, 5, 6), date(2025, 6, 2)), "policial")
    assert f"({anterior} → {actual} casos)" in textos(at)
    assert "En las últimas 4 semanas (03-06-2025 a 30-06-2025) los casos en la comuna" in textos(at)
    assert "con banda" in textos(at)
    assert "Datos al 30-06-2025" in at.caption[0].value
    assert all("Datos al 30-06-2025" in c.value for c in at.caption if "·" in c.value)
    assert any(tendencias.REGLA_BANDA in c.value for c in at.caption)
    assert any(tendencias.REGLA_EMBUDO in c.value for c in at.caption)
    assert set(tabla(at)["Barrio"]) == {"Norte", "Sur", "Oriente", "Poniente"}
    assert "1 sin población no se grafica" in textos(at)  # Poniente


@pytest.mark.parametrize(
    ("escala", "primera", "frase"),
    [
        ("dia", "En los últimos 7 días (24-06-2025 a 30-06-2025)", "días con banda"),
        ("semana", "En las últimas 4 semanas", "semanas con banda"),
        ("mes", "En los últimos 3 meses (01-04-2025 a 30-06-2025)", "meses con banda"),
    ],
)
def test_cada_escala_cambia_la_serie(base, escala, primera, frase):
    at = abrir(periodo="aad")
    antes = graficos(at)[0].proto.spec
    at.radio(key="t_escala").set_value(escala).run()
    assert not at.exception
    assert primera in textos(at) and frase in textos(at)
    if escala != "semana":
        assert graficos(at)[0].proto.spec != antes


def test_desglose_por_familia_y_por_tipo(base):
    at = abrir(periodo="aad")
    at.radio(key="t_desglose").set_value("familia").run()
    assert not at.exception
    assert "con banda" not in textos(at)
    assert "significativa en" in textos(at) or "Ningún grupo del desglose" in textos(at)
    assert "Contra la propiedad no violentos" in nombres(at)
    assert any("se dibuja con la serie total" in c.value for c in at.caption)
    at.radio(key="t_desglose").set_value("delito").run()
    assert not at.exception
    assert "Otros" in nombres(at)  # más de 8 tipos: el resto se agrupa


def test_actividades_como_marcas_y_se_pueden_ocultar(base):
    at = abrir(periodo="aad")
    marcas = {t["name"]: t for t in trazas(at) if t["name"].startswith("Actividad")}
    assert set(marcas) == {"Actividad línea 2.1", "Actividad línea 2.3"}
    assert marcas["Actividad línea 2.3"]["text"] == [
        "10-06-2025 · Línea 2.3 · Campañas preventivas · 40 participantes · Norte"
    ]
    assert "hubo 2 actividades del programa en la comuna (65 participantes)" in textos(at)
    at.toggle(key="t_actividades").set_value(False).run()
    assert not [n for n in nombres(at) if n.startswith("Actividad")]
    assert "actividades del programa" not in textos(at)


def test_url_con_sector_filtra_serie_tabla_y_actividades(base, incidentes):
    at = abrir(periodo="aad", sector="alto", fuente="central_1402")
    assert at.selectbox(key="f_fuente").value == "central_1402"
    assert set(tabla(at)["Barrio"]) == {"Norte", "Sur"}
    ventana = Ventana(date(2025, 1, 1), date(2025, 6, 30))
    casos = fixtures.contar(incidentes, ventana, "central_1402", ["norte", "sur"])
    assert sum(int(c.replace(".", "")) for c in tabla(at)["Casos"]) == casos
    assert "en el sector Alto" in textos(at)
    assert "hubo 1 actividad del programa en el sector Alto (línea 2.3, 40 participantes)" in (
        textos(at)
    )
    assert "Sectores Alto" in at.caption[0].value


def test_comparar_por_sector_y_ordenar(base):
    at = abrir(periodo="aad")
    at.radio(key="t_por").set_value("sector").run()
    assert not at.exception
    assert set(tabla(at)["Sector"]) == {"Alto", "Bajo"}
    assert "De 2 sectores" in textos(at)
    for orden in ["z_poisson", "variacion_pct", "z_anual", "tasa", "actual"]:
        at.selectbox(key="t_orden").set_value(orden).run()
        assert not at.exception
    casos = [int(c.replace(".", "")) for c in tabla(at)["Casos"]]
    assert casos == sorted(casos, reverse=True)
    at.selectbox(key="t_orden").set_value("unidad").run()
    assert list(tabla(at)["Sector"]) == ["Alto", "Bajo"]


def test_periodo_mas_corto_que_la_escala_explica(base):
    at = abrir(periodo="7d")
    at.radio(key="t_escala").set_value("mes").run()
    assert not at.exception
    assert "no contiene un mes calendario completo" in avisos(at)
    assert len(graficos(at)) == 3  # sin serie; las grillas y el embudo siguen


def test_sin_historia_para_la_banda_explica(base):
    at = abrir(periodo="personalizado", desde="2023-02-01", hasta="2023-03-31")
    assert "No hay banda de lo esperado" in avisos(at)
    assert "faltan datos" in textos(at)


def test_barrio_sin_poblacion_explica_en_lugar_del_embudo(base):
    at = abrir(periodo="aad", barrio="poniente")
    assert "Ninguno de los barrios elegidos tiene población registrada" in avisos(at)
    assert len(graficos(at)) == 3


def test_filtro_sin_casos_en_toda_la_historia(base, incidentes):
    at = abrir(**fixtures.filtro_sin_casos(incidentes, "camaras"))
    assert "No hay casos para estos filtros en toda la historia" in avisos(at)
    assert not graficos(at)


def test_cambiar_filtro_en_tendencias_recalcula(base, incidentes):
    at = abrir(periodo="aad")
    at.multiselect(key="f_sectores").select("bajo").run()
    assert not at.exception
    assert at.query_params["sector"] == "bajo"
    assert set(tabla(at)["Barrio"]) == {"Oriente", "Poniente"}
    # Escala semana: últimas 4 semanas contra las 4 anteriores, contadas aparte.
    oriente_poniente = ["oriente", "poniente"]
    fin = date(2025, 6, 30)
    actual = fixtures.contar(
        incidentes, Ventana(fin - timedelta(27), fin), "policial", oriente_poniente
    )
    anterior = fixtures.contar(
        incidentes, Ventana(fin - timedelta(55), fin - timedelta(28)), "policial", oriente_poniente
    )
    assert actual + anterior >= 6  # no es "pocos casos": la frase da la variación
    assert f"({anterior} → {actual} casos)" in textos(at)
    assert "en el sector Bajo" in textos(at)


def test_opciones_de_la_pagina_en_la_url(base):
    at = abrir(periodo="aad", escala="mes", series="familia", por="sector")
    assert at.radio(key="t_escala").value == "mes"
    assert at.radio(key="t_desglose").value == "familia"
    assert at.radio(key="t_por").value == "sector"
    at.radio(key="t_escala").set_value("dia").run()
    assert at.query_params == {
        "periodo": "aad",
        "escala": "dia",
        "series": "familia",
        "por": "sector",
    }


def test_opcion_invalida_en_la_url_avisa(base):
    at = abrir(escala="anual", por="'; DROP")
    assert at.radio(key="t_escala").value == "semana"
    assert at.radio(key="t_por").value == "barrio"
    avisos_url = " ".join(w.value for w in at.warning)
    assert "Se ignoró la escala «anual»" in avisos_url
    assert "Se ignoró el territorio de comparación" in avisos_url
