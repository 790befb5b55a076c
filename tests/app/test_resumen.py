from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from consultas.periodos import Ventana, rango
from tests import fixtures

APP = str(Path(__file__).parents[2] / "app.py")


def abrir(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for clave, valor in params.items():
        at.query_params[clave] = valor
    return at.run()


def metricas(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_resumen_por_defecto_muestra_casos_de_28_dias(base, incidentes):
    at = abrir()
    assert not at.exception
    ventana = rango("28d", fixtures.CORTE)
    esperado = fixtures.contar(incidentes, ventana, "policial")
    assert metricas(at)["Casos en el período"] == f"{esperado:,}".replace(",", ".")
    assert any("Datos al 30-06-2025" in c.value for c in at.caption)
    assert dict(at.query_params) == {}
    assert at.get("deck_gl_json_chart"), "falta la coropleta de barrios"
    assert at.get("plotly_chart"), "falta el gráfico de familias"
    descargas = {b.proto.label for b in at.get("download_button")}
    assert {"Descargar tabla (CSV)", "Descargar tabla (Excel)"} <= descargas


def test_url_fija_periodo_sector_y_fuente(base, incidentes):
    at = abrir(periodo="aad", sector="alto", fuente="central_1402")
    assert not at.exception
    assert at.selectbox(key="f_periodo").value == "aad"
    assert at.multiselect(key="f_sectores").value == ["alto"]
    assert at.selectbox(key="f_fuente").value == "central_1402"
    ventana = Ventana(date(2025, 1, 1), fixtures.CORTE)
    esperado = fixtures.contar(incidentes, ventana, "central_1402", ["norte", "sur"])
    assert metricas(at)["Casos en el período"] == f"{esperado:,}".replace(",", ".")
    tasa = f"{1000 * esperado / 3500:.2f}".replace(".", ",")
    assert metricas(at)["Tasa por 1.000 habitantes"] == tasa
    assert not at.warning


def test_url_personalizada_con_fechas(base, incidentes):
    at = abrir(periodo="personalizado", desde="2024-03-01", hasta="2024-03-31", barrio="sur")
    assert not at.exception
    assert at.date_input(key="f_desde").value == date(2024, 3, 1)
    esperado = fixtures.contar(
        incidentes, Ventana(date(2024, 3, 1), date(2024, 3, 31)), "policial", ["sur"]
    )
    assert metricas(at)["Casos en el período"] == str(esperado)


def test_parametros_hostiles_vuelven_a_los_valores_por_defecto(base):
    at = abrir(
        periodo="personalizado",
        desde="2025-13-45",
        hasta="'; DROP TABLE incidentes; --",
        barrio=["norte", "1 OR 1=1"],
        familia="<script>alert(1)</script>",
        fuente="../../etc/passwd",
    )
    assert not at.exception
    avisos = " ".join(w.value for w in at.warning)
    assert "no es válida" in avisos
    assert "barrio desconocido «1 OR 11»" in avisos
    assert "la familia desconocida «scriptalert1/script»" in avisos
    assert "fuente desconocida" in avisos
    assert "<script>" not in avisos
    assert at.selectbox(key="f_periodo").value == "28d"
    assert at.multiselect(key="f_barrios").value == ["norte"]
    assert at.selectbox(key="f_fuente").value == "policial"
    assert dict(at.query_params) == {"barrio": "norte"}


def test_barrio_fuera_de_los_sectores_elegidos_se_descarta(base):
    at = abrir(sector="bajo", barrio="norte")
    assert not at.exception
    assert at.multiselect(key="f_barrios").value == []
    assert "Norte" not in at.multiselect(key="f_barrios").options
    assert any("barrio desconocido «norte»" in w.value for w in at.warning)


def test_cambiar_un_filtro_actualiza_la_url(base):
    at = abrir()
    at.selectbox(key="f_periodo").set_value("7d").run()
    at.multiselect(key="f_sectores").select("bajo").run()
    assert not at.exception
    assert at.query_params == {"periodo": "7d", "sector": "bajo"}
    assert any("Sectores Bajo" in c.value for c in at.caption)
    reabierta = abrir(**at.query_params)
    assert reabierta.selectbox(key="f_periodo").value == "7d"
    assert reabierta.multiselect(key="f_sectores").value == ["bajo"]


def test_filtro_sin_casos_muestra_mensaje(base, incidentes):
    at = abrir(**fixtures.filtro_sin_casos(incidentes, "camaras"))
    assert not at.exception
    assert any("No hay casos para estos filtros" in i.value for i in at.info)
    assert not at.metric


def test_sin_base_de_datos_explica_que_hacer(monkeypatch, tmp_path):
    monkeypatch.setenv("OBSERVATORIO_DB", str(tmp_path / "no-existe.duckdb"))
    at = abrir()
    assert not at.exception
    assert "No se encontró la base de datos" in at.error[0].value


def test_resumen_tiene_una_frase_bajo_cada_grafico(base, incidentes):
    at = abrir(periodo="aad")
    assert not at.exception
    frases = [m.value for m in at.markdown]
    casos = fixtures.contar(incidentes, Ventana(date(2025, 1, 1), fixtures.CORTE), "policial")
    anio = fixtures.contar(incidentes, Ventana(date(2024, 1, 1), date(2024, 6, 30)), "policial")
    assert any(
        f.startswith(f"En el período seleccionado hubo {casos:,} casos".replace(",", "."))
        and f"({anio:,} → {casos:,} casos)".replace(",", ".") in f
        for f in frases
    )
    assert any(f.startswith("La familia con más casos fue") for f in frases)
    assert any(f.startswith("La tasa más alta es la de") for f in frases)
    assert any(f.startswith("De 4 barrios,") for f in frases)
