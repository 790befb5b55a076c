"""Parámetros de URL hostiles en cada página: avisos en castellano y valores por defecto, nunca un
error, miles de avisos ni caracteres de control devueltos a la pantalla."""

import unicodedata

import pytest

from tests.app.ayudas import abrir

PAGINAS = {
    "paginas/resumen.py": "Resumen",
    "paginas/tendencias.py": "Tendencias",
    "paginas/mapa.py": "Mapa",
    "paginas/percepcion.py": "Percepción",
    "paginas/cobertura.py": "Cobertura",
    "paginas/barrio.py": "Ficha de barrio",
    "paginas/datos.py": "Datos",
}
HOSTILES = {
    "sql": {
        "barrio": "norte'; DROP TABLE incidentes; --",
        "sector": "1 OR 1=1",
        "periodo": "'; SELECT * FROM metadatos; --",
    },
    # Bajo el tope de Streamlit (1.000 parámetros por dirección; ver la prueba de abajo).
    "lista_enorme": {"barrio": [f"barrio-{k}" for k in range(900)]},
    "repetido": {"sector": ["alto"] * 450, "delito": ["hurto"] * 450},
    "control": {"familia": "vif\x00\x1b[31m\u202eotra", "fuente": "\x07policial\x08"},
    "enlace": {"barrio": "https://ejemplo.invalid/phishing", "sector": "www.ejemplo.invalid"},
    "tipos": {
        "resolucion": "nueve",
        "capa": ["puntos", "<script>alert(1)</script>"],
        "umbral": "1e309",
        "ventana": "-1",
        "escala": "[]",
        "ola": "{'$ne': 1}",
    },
    "fechas_lejanas": {"periodo": "personalizado", "desde": "0001-01-01", "hasta": "9999-12-31"},
    "fechas_invalidas": {"periodo": "personalizado", "desde": "2025-13-45", "hasta": "ayer"},
}
AVISOS = ("Se ignor", "no es válida", "se ajustó", "Se usa el período")


def _control(texto: str) -> list[str]:
    return [c for c in texto if unicodedata.category(c) in {"Cc", "Cf"} and c not in "\n\t"]


@pytest.mark.parametrize("caso", list(HOSTILES))
@pytest.mark.parametrize("pagina", list(PAGINAS))
def test_url_hostil(base_encuesta, pagina, caso):
    at = abrir(pagina, **HOSTILES[caso])
    assert not at.exception, at.exception
    assert at.title and at.title[0].value.startswith(PAGINAS[pagina])
    avisos = [w.value for w in at.warning]
    if caso != "repetido":  # repetir un valor válido no es un error: se usa una vez
        assert any(a in aviso for aviso in avisos for a in AVISOS), avisos
    assert len(avisos) <= 12, f"{len(avisos)} avisos"
    visibles = " ".join([*avisos, *(e.value for e in [*at.markdown, *at.caption, *at.info])])
    assert not _control(visibles), _control(visibles)
    assert "<script>" not in visibles
    assert "://" not in visibles and "www." not in visibles, "un aviso no puede traer enlaces"


def test_diez_mil_parametros_dan_los_valores_por_defecto(base_encuesta):
    """Streamlit descarta entera una dirección con más de 1.000 parámetros (o 512 KiB) antes de
    que la app la vea: la página abre con los valores por defecto, sin error."""
    at = abrir("paginas/mapa.py", sector=["alto"] * 10_000, capa="puntos")
    assert not at.exception
    assert at.session_state["filtros"].sectores == ()
    assert at.session_state["m_capa"] == "celdas"


def test_valor_repetido_se_usa_una_vez(base_encuesta):
    at = abrir("paginas/resumen.py", **HOSTILES["repetido"])
    assert not at.exception
    assert at.session_state["filtros"].sectores == ("alto",)
    assert at.session_state["filtros"].delitos == ("hurto",)
    assert at.query_params["sector"] in ("alto", ["alto"]), "la URL queda con un solo valor"


def test_novecientos_barrios_desconocidos_dan_dos_avisos(base_encuesta):
    at = abrir("paginas/resumen.py", **HOSTILES["lista_enorme"])
    avisos = [w.value for w in at.warning]
    assert avisos == [
        "Se ignoraron 700 valores de barrio: se aceptan a lo más 200.",
        "Se ignoraron los barrios desconocidos «barrio-0», «barrio-1», «barrio-2» y 197 más.",
    ]
    assert at.session_state["filtros"].barrios == ()
