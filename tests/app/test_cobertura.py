"""La página Cobertura en AppTest: tabla, mapa, necesidad × cobertura, evaluación, opciones en la
URL y valores inválidos, sobre la demostración pequeña y sobre una base sin actividades."""

import duckdb
from streamlit.testing.v1 import AppTest

from consultas import cobertura
from consultas.catalogos import catalogo
from consultas.filtros import desde_url
from tests import fixtures
from tests.app import ayudas


def abrir(**params) -> AppTest:
    return ayudas.abrir("paginas/cobertura.py", **params)


def tabla(at: AppTest):
    return at.dataframe[0].value


def test_por_defecto_toda_la_comuna_con_aviso_de_periodo_corto(demo):
    at = abrir()
    assert not at.exception
    assert at.title[0].value == "Cobertura del programa"
    assert len(tabla(at)) == 41
    assert "tiene 28 días" in ayudas.textos(at)
    assert "Datos al 31-10-2026" in ayudas.textos(at)
    assert "Índice de necesidad" in ayudas.textos(at)
    assert at.query_params == {}
    # Los filtros de la página: período y territorio, no fuente ni delitos.
    etiquetas = [s.label for s in at.sidebar.selectbox] + [m.label for m in at.sidebar.multiselect]
    assert "Período" in etiquetas and "Sectores" in etiquetas
    assert "Fuente" not in etiquetas and "Familias de delito" not in etiquetas


def test_sector_y_anio_con_enlaces_a_la_ficha(demo):
    at = abrir(periodo="aad", sector="fleming")
    assert not at.exception
    filas = tabla(at)
    assert set(filas["Sector"]) == {"Fleming"}
    assert "tiene 28 días" not in ayudas.textos(at)
    escandinavia = filas.set_index("Barrio").loc["Escandinavia"]
    assert escandinavia["Ficha"] == "barrio?periodo=aad&barrio=escandinavia"
    assert escandinavia["Actividades"] > 0
    # Un barrio sin actividades nunca: «sin actividades» en los meses desde la última.
    assert filas.set_index("Barrio").loc["Vital Apoquindo", "Meses desde la última"] == (
        "sin actividades"
    )
    evaluacion = next(d.value for d in at.dataframe if "Veredicto" in d.value.columns)
    assert set(evaluacion["Barrio"]) <= set(filas["Barrio"])
    assert "intervenciones:" in ayudas.textos(at)
    assert "El sector con más hogares alcanzados por cada 100 es Fleming" in ayudas.textos(at)
    assert "La actividad más frecuente fue «" in ayudas.textos(at)


def test_opciones_en_la_url(demo):
    at = abrir(periodo="aad", linea="2.5", umbral="20", peso_tasa="2", ventana="12")
    assert not at.exception
    assert at.selectbox(key="c_linea").value == "2.5"
    assert at.selectbox(key="c_umbral").value == 20
    assert at.selectbox(key="c_peso_tasa").value == 2
    assert at.selectbox(key="c_ventana").value == 12
    filas = tabla(at)
    assert (filas["Actividades"] == filas["Línea 2.5"]).all()
    assert filas["Línea 2.1"].sum() == 0
    assert "ventanas de 12 meses" in ayudas.textos(at)
    assert at.query_params["linea"] == "2.5" and at.query_params["peso_tasa"] == "2"


def test_valores_invalidos_avisan_y_vuelven_al_defecto(demo):
    at = abrir(linea="9.9", umbral="abc", peso_tasa="7", ventana="5")
    assert not at.exception
    avisos = " ".join(w.value for w in at.warning)
    assert "Se ignoró la línea del programa «9.9»" in avisos
    assert "Se ignoró el umbral de cobertura «abc»" in avisos
    assert "Se ignoró el peso de la tasa «7»" in avisos
    assert "Se ignoró la ventana de evaluación «5»" in avisos
    assert at.selectbox(key="c_linea").value == "todas"
    assert at.selectbox(key="c_ventana").value == 6


def test_cambiar_pesos_cambia_la_lista_de_prioritarios(demo):
    at = abrir(periodo="aad")
    at.selectbox(key="c_peso_calientes").set_value(0).run()
    at.selectbox(key="c_peso_percepcion").set_value(0).run()
    assert not at.exception
    assert at.query_params == {"periodo": "aad", "peso_calientes": "0", "peso_percepcion": "0"}
    # La lista de la página es la de la consulta con esos pesos.
    con = duckdb.connect(str(demo), read_only=True)
    filtros, _ = desde_url({"periodo": ["aad"]}, catalogo(con))
    esperado = cobertura.necesidad_y_cobertura(con, filtros, (), (1, 0, 0), 10)
    con.close()
    prioritarios = set(esperado.loc[esperado["prioritario"], "barrio"])
    lista = next(d.value for d in at.dataframe if "Prioritario sin cobertura" in d.value.columns)
    assert set(lista["Barrio"]) == prioritarios
    at.selectbox(key="c_peso_tasa").set_value(0).run()
    assert "Con todos los pesos en 0" in ayudas.textos(at)


def test_base_sin_actividades_ni_encuestas(base, tmp_path, monkeypatch):
    vacia = tmp_path / "sin_actividades.duckdb"
    fixtures.construir(vacia, fixtures.incidentes_fixture(), fixtures.SIN_ACTIVIDADES)
    monkeypatch.setenv("OBSERVATORIO_DB", str(vacia))
    at = abrir(periodo="aad")
    assert not at.exception
    assert "Ninguno de los 4 barrios tuvo actividades" in ayudas.textos(at)
    assert "No hay intervenciones del programa que evaluar" in ayudas.textos(at)


def test_franja_de_desplazamiento_desde_la_url_y_el_interruptor(demo):
    at = abrir(ventana="12")
    columnas = next(d.value.columns for d in at.dataframe if "WDD" in d.value.columns)
    assert "Franja antes" not in columnas
    at.toggle(key="c_franja").set_value(True).run()
    assert not at.exception
    assert at.query_params["franja"] == "True"
    columnas = next(d.value.columns for d in at.dataframe if "WDD" in d.value.columns)
    assert {"Franja antes", "Franja después"} <= set(columnas)
    reabierta = abrir(ventana="12", franja="True")
    assert reabierta.toggle(key="c_franja").value is True
