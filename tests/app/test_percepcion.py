from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests import fixtures

APP = str(Path(__file__).parents[2] / "app.py")
PAGINA = "paginas/percepcion.py"


def abrir(pagina: str = PAGINA, **params) -> AppTest:
    """Abre la aplicación directo en `pagina` (como un enlace /percepcion?...), o en Resumen."""
    at = AppTest.from_file(APP, default_timeout=60)
    for clave, valor in params.items():
        at.query_params[clave] = valor
    if pagina:
        at.switch_page(pagina)
    at.run()
    assert not at.exception
    return at


def tabla(at: AppTest, primera_columna: str) -> pd.DataFrame:
    tablas = [d.value for d in at.dataframe if d.value.columns[0] == primera_columna]
    assert tablas, f"falta la tabla que parte con «{primera_columna}»"
    return tablas[0]


def pct(p: float) -> str:
    return f"{100 * p:.1f}".replace(".", ",") + " %"


def sin_nan(at: AppTest) -> None:
    for d in at.dataframe:
        texto = d.value.astype(str).to_string()
        assert "nan" not in texto.lower().replace("fiable", ""), texto


@pytest.fixture
def encuesta():
    return fixtures.encuesta_fixture()


def test_una_ola_por_defecto_la_mas_reciente(base_encuesta, encuesta):
    at = abrir()
    assert at.title[0].value == "Percepción y victimización"
    ola = encuesta[encuesta["ola"] == "2025-1"]
    esperado = (ola["factor"] * ola["inseguro_barrio"]).sum() / ola["factor"].sum()
    comuna = tabla(at, "Indicador").set_index("Indicador")
    assert list(comuna.columns)[0] == "2025-1: estimación (IC 95 %)"
    assert comuna.loc["Se siente inseguro en su barrio"].iloc[0].startswith(pct(esperado))
    # una columna 0/1 desconocida aparece con su propio nombre
    assert fixtures.INDICADOR_NUEVO in comuna.index
    unidades = tabla(at, "Unidad").set_index("Unidad")
    n_norte = (ola["barrio_id"] == "norte").sum()
    assert unidades.loc["Norte (Alto)"].iloc[0] == f"no fiable (n = {n_norte})"
    assert unidades.loc["Poniente (Bajo)"].iloc[0] == "no fiable (n = 0)"
    assert any("Datos al 15-05-2025" in c.value for c in at.caption)
    assert at.get("deck_gl_json_chart") and at.get("plotly_chart")
    # Sin filtros de casos en esta página: ni período, ni familias, ni tipos, ni fuente.
    claves = {w.key for w in [*at.selectbox, *at.multiselect, *at.date_input]}
    assert {"f_olas", "f_sectores", "f_barrios"} <= claves
    assert not claves & {"f_periodo", "f_familias", "f_delitos", "f_fuente"}
    assert dict(at.query_params) == {}
    sin_nan(at)


def test_dos_olas_desde_la_url_comparan_y_avisan_del_estrato_con_un_conglomerado(base_encuesta):
    at = abrir(ola=["2025-1", "2024-2"])
    assert at.multiselect(key="f_olas").value == ["2025-1", "2024-2"]
    cambios = tabla(at, "Unidad")
    assert any("Cambio entre las olas 2024-2 y 2025-1" in s.value for s in at.subheader)
    cambio = [d.value for d in at.dataframe if "Cambio" in d.value.columns][0]
    assert set(cambio["Cambio"]) <= {
        "variación normal",
        "▲ alza significativa",
        "▼ baja significativa",
        "no comparable",
    }
    assert cambio.set_index("Unidad").loc["Norte (Alto)", "Cambio"] == "no comparable"
    assert "2024-2: estimación (IC 95 %)" in cambios.columns
    comuna = tabla(at, "Indicador").set_index("Indicador")
    inseguro = comuna.loc["Se siente inseguro en su barrio", "2024-2: estimación (IC 95 %)"]
    assert inseguro.endswith("◌ poco fiable")  # n = 93, gl = 11, SE sobre el umbral
    denuncio = comuna.loc["Denunció el último delito", "2025-1: estimación (IC 95 %)"]
    assert denuncio == "no fiable (n = 58)"  # solo entre hogares víctimas: n < 60
    avisos = " ".join(w.value for w in at.warning)
    assert "Ola 2024-2: el estrato «bajo» tiene un solo conglomerado" in avisos
    sin_nan(at)


def test_ola_desconocida_se_ignora_con_aviso(base_encuesta):
    at = abrir(ola=["2030-1", "'; DROP TABLE encuesta_respuestas; --"])
    avisos = " ".join(w.value for w in at.warning)
    assert "Se ignoró la ola desconocida «2030-1»" in avisos
    assert at.multiselect(key="f_olas").value == []
    assert any("Ola 2025-1" in c.value for c in at.caption)
    assert dict(at.query_params) == {}


def test_territorio_sin_respuestas_lo_dice(base_encuesta):
    at = abrir(sector="bajo", barrio="poniente")
    assert any("no tiene respuestas en Barrios Poniente" in i.value for i in at.info)


def test_filtros_ocultos_conservan_su_valor_y_la_url(base_encuesta):
    at = abrir(pagina="", periodo="7d", familia="propiedad", fuente="camaras")
    at.multiselect(key="f_sectores").set_value(["alto"]).run()  # cambiado en pantalla
    at.switch_page(PAGINA).run()
    assert not at.exception
    assert at.multiselect(key="f_sectores").value == ["alto"]
    at.multiselect(key="f_olas").set_value(["2024-2"]).run()
    assert at.query_params["periodo"] == "7d"
    assert at.query_params["familia"] == "propiedad"
    assert at.query_params["fuente"] == "camaras"
    assert at.query_params["ola"] == "2024-2"

    at.switch_page("paginas/datos.py").run()
    assert not at.exception
    assert not [w for w in at.multiselect if w.key.startswith("f_")]
    assert at.query_params["ola"] == "2024-2" and at.query_params["periodo"] == "7d"

    at.switch_page("paginas/resumen.py").run()
    assert not at.exception
    assert at.selectbox(key="f_periodo").value == "7d"
    assert at.multiselect(key="f_familias").value == ["propiedad"]
    assert at.selectbox(key="f_fuente").value == "camaras"
    assert at.multiselect(key="f_sectores").value == ["alto"]
    assert at.query_params["ola"] == "2024-2"
    at.switch_page(PAGINA).run()
    assert at.multiselect(key="f_olas").value == ["2024-2"]


def test_restablecer_en_percepcion_no_toca_los_filtros_ocultos(base_encuesta):
    at = abrir(periodo="7d", ola="2024-2", sector="alto")
    at.button[0].click().run()
    assert not at.exception
    assert at.multiselect(key="f_olas").value == []
    assert at.multiselect(key="f_sectores").value == []
    assert dict(at.query_params) == {"periodo": "7d"}


def test_base_sin_encuestas_explica_que_hacer(base):
    at = abrir()
    assert any("no tiene respuestas de la encuesta" in i.value for i in at.info)
    assert not at.dataframe
