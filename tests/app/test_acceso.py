"""Roles en la app: local, fijado por el servidor y con proveedor de identidad (st.user)."""

import pytest
from streamlit.testing.v1 import AppTest

from datos import auditoria
from tests.app import ayudas


@pytest.fixture
def demo(copia_demo, monkeypatch, tmp_path):
    monkeypatch.setenv("OBSERVATORIO_DB", str(copia_demo))
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    roles = tmp_path / "roles.toml"
    roles.write_text(
        '[roles]\n"directora@lascondes.cl" = "director"\n"@lascondes.cl" = "analista"\n'
    )
    monkeypatch.setenv("OBSERVATORIO_ROLES", str(roles))
    return copia_demo


def abrir(pagina: str = "paginas/datos.py", **argumentos) -> AppTest:
    return ayudas.abrir(pagina, **argumentos)


def barra(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_uso_local_es_analista_y_lo_dice(demo):
    at = abrir()
    assert not at.exception
    assert "Uso local sin inicio de sesión: rol Analista" in barra(at)
    assert at.get("file_uploader"), "el analista importa"
    assert not any(s.value == "Registro de auditoría" for s in at.subheader)


def test_pantalla_publica_no_importa_y_la_url_no_cambia_el_rol(demo, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_ROL", "publico")
    at = abrir(rol="director")
    assert not at.exception
    assert "Rol fijado por el servidor: Público" in barra(at)
    assert not at.get("file_uploader")
    assert any("es para los roles Analista y Dirección" in i.value for i in at.info)
    assert any("Frescura" in s.value for s in at.subheader), "la frescura sí se ve"


def test_sin_ingresar_es_publico_con_boton_de_ingreso(demo):
    at = abrir(usuario={"is_logged_in": False})
    assert not at.exception
    assert "Vista pública" in barra(at)
    # El público puede compartir el enlace, descargar el informe (ya con su regla) y presentar;
    # no hay versión para compartir que elegir.
    assert [b.label for b in at.sidebar.button] == [
        "Iniciar sesión",
        "Compartir",
        "Descargar informe",
        "Presentar",
    ]
    assert not at.sidebar.toggle
    assert not at.get("file_uploader")


def test_directora_ve_la_auditoria_con_su_ingreso(demo):
    usuario = {"is_logged_in": True, "email": "directora@lascondes.cl", "name": "Directora"}
    at = abrir(usuario=usuario)
    assert not at.exception
    assert "Sesión de directora@lascondes.cl · rol Dirección" in barra(at)
    assert at.get("file_uploader")
    assert any(s.value == "Registro de auditoría" for s in at.subheader)
    registro = auditoria.leer(demo)
    assert registro["evento"].tolist() == ["ingreso"]
    assert registro["quien"].iloc[0] == "directora@lascondes.cl"
    at.run()
    assert len(auditoria.leer(demo)) == 1, "el ingreso se anota una vez por sesión"


def test_correo_fuera_del_mapa_es_publico(demo):
    at = abrir(
        "paginas/mapa.py",
        usuario={"is_logged_in": True, "email": "vecino@gmail.com"},
        capa="puntos",
    )
    assert not at.exception
    assert "rol Público" in barra(at)
    assert any("solo los ve el rol analista" in i.value for i in at.info)
