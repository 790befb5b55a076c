import dataclasses
import re
from datetime import date, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultas.catalogos import catalogo
from consultas.filtros import Filtros, a_url, desde_url, limites_con_anterior
from consultas.periodos import PRESETS, Ventana, rango
from tests import fixtures


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("filtros") / "fixture.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture(n=500))
    con = duckdb.connect(str(ruta), read_only=True)
    yield catalogo(con)
    con.close()


def test_url_vacia_da_los_valores_por_defecto(cat):
    filtros, avisos = desde_url({}, cat)
    ventana = rango("28d", fixtures.CORTE)
    assert filtros == Filtros(ventana.desde, ventana.hasta)
    assert avisos == []
    assert a_url(filtros) == {}


def test_ida_y_vuelta_por_la_url(cat):
    original = Filtros(
        desde=date(2024, 2, 1),
        hasta=date(2024, 4, 30),
        preset="personalizado",
        sectores=("alto",),
        barrios=("sur", "norte"),
        familias=("propiedad",),
        delitos=("hurto",),
        fuente="camaras",
    )
    params = a_url(original)
    assert params["desde"] == ["2024-02-01"] and params["barrio"] == ["sur", "norte"]
    assert desde_url(params, cat) == (original, [])


def test_fechas_fuera_de_los_datos_se_ajustan(cat):
    params = {"periodo": ["personalizado"], "desde": ["2010-01-01"], "hasta": ["2030-01-01"]}
    filtros, avisos = desde_url(params, cat)
    assert (filtros.desde, filtros.hasta) == (cat.primera, cat.corte)
    assert avisos == ["El período se ajustó a las fechas con datos."]


def test_fechas_invertidas_vuelven_al_defecto(cat):
    params = {"periodo": ["personalizado"], "desde": ["2025-03-01"], "hasta": ["2025-02-01"]}
    filtros, avisos = desde_url(params, cat)
    assert filtros.preset == "28d"
    assert "posterior a la final" in avisos[0]


CLAVES = st.sampled_from(["desde", "hasta", "sector", "barrio", "familia", "delito", "fuente"])
VALORES = st.lists(
    st.text(max_size=60) | st.sampled_from(["alto", "sur", "2024-01-01"]), max_size=3
)
PERIODOS = st.lists(st.sampled_from([*PRESETS, "semana"]) | st.text(max_size=20), max_size=2)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(CLAVES, VALORES), PERIODOS)
def test_cualquier_url_da_filtros_validos_sin_error(cat, params, periodo):
    filtros, avisos = desde_url(params | {"periodo": periodo}, cat)
    assert filtros.preset in PRESETS
    assert cat.primera <= filtros.desde <= filtros.hasta <= cat.corte
    assert set(filtros.sectores) <= set(cat.sectores["sector_id"])
    assert set(filtros.barrios) <= set(cat.barrios["barrio_id"])
    assert set(filtros.familias) <= set(cat.familias["familia"])
    assert set(filtros.delitos) <= set(cat.delitos["delito"])
    assert filtros.fuente in set(cat.fuentes["fuente"])
    for citado in re.findall("«(.*?)»", " ".join(avisos)):
        assert len(citado) <= 41 and not any(c in citado for c in "<>[]()*`$\\")


def test_cada_fuente_usa_su_propia_fecha_de_corte(cat):
    atrasada = dataclasses.replace(
        cat, metadatos=cat.metadatos | {"fecha_corte_camaras": "2025-05-31"}
    )
    filtros, _ = desde_url({"fuente": ["camaras"], "periodo": ["7d"]}, atrasada)
    assert (filtros.desde, filtros.hasta) == (date(2025, 5, 25), date(2025, 5, 31))
    filtros, _ = desde_url({"periodo": ["7d"]}, atrasada)
    assert filtros.hasta == fixtures.CORTE


def test_olas_en_la_url(cat):
    con_olas = dataclasses.replace(cat, olas=("2025-1", "2024-2", "2024-1"))
    filtros, avisos = desde_url({"ola": ["2025-1", "2024-2"]}, con_olas)
    assert filtros.olas == ("2025-1", "2024-2") and avisos == []
    assert a_url(filtros) == {"ola": ["2025-1", "2024-2"]}
    assert desde_url(a_url(filtros), con_olas) == (filtros, [])
    filtros, avisos = desde_url({"ola": ["2030-1", "2024-1"]}, con_olas)
    assert filtros.olas == ("2024-1",)
    assert avisos == ["Se ignoró la ola desconocida «2030-1»."]
    filtros, avisos = desde_url({"ola": ["2025-1", "2024-2", "2024-1"]}, con_olas)
    assert filtros.olas == ("2025-1", "2024-2")
    assert avisos == ["Se comparan a lo más dos olas: se usan 2025-1 y 2024-2."]
    # Sin olas en la URL queda vacío: la página usa la más reciente.
    assert desde_url({}, con_olas)[0].olas == ()


def test_limites_con_anterior_a_mano():
    # 1 al 28 de febrero de 2026 (28 días): el anterior de igual largo empieza el 4 de enero.
    limites = limites_con_anterior(Ventana(date(2026, 2, 1), date(2026, 2, 28)))
    assert limites == {
        "desde": datetime(2026, 2, 1),
        "hasta": datetime(2026, 3, 1),
        "desde_anterior": datetime(2026, 1, 4),
    }
