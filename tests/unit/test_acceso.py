"""Roles y registro de auditoría (el rol lo fija el servidor, nunca la URL)."""

import json
import threading

import pytest

import observatorio
from datos import auditoria
from ui import acceso

ROLES = {
    "directora@lascondes.cl": "director",
    "@observatorio.lascondes.cl": "analista",
    "@lascondes.cl": "superusuario",  # un rol que no existe no da acceso
}


@pytest.mark.parametrize(
    ("correo", "rol"),
    [
        ("directora@lascondes.cl", "director"),
        ("  Directora@LasCondes.cl ", "director"),
        ("ana@observatorio.lascondes.cl", "analista"),
        ("otro@lascondes.cl", "publico"),
        ("vecino@gmail.com", "publico"),
        ("", "publico"),
        (None, "publico"),
    ],
)
def test_rol_de_correo(correo, rol):
    assert acceso.rol_de_correo(correo, ROLES) == rol


def test_archivo_de_roles(tmp_path, monkeypatch):
    archivo = tmp_path / "roles.toml"
    archivo.write_text('[roles]\n"Jefa@LasCondes.cl" = "Director"\n"@x.cl" = "analista"\n')
    monkeypatch.setenv("OBSERVATORIO_ROLES", str(archivo))
    assert acceso.roles_configurados() == {"jefa@lascondes.cl": "director", "@x.cl": "analista"}
    monkeypatch.setenv("OBSERVATORIO_ROLES", str(tmp_path / "no-existe.toml"))
    assert acceso.roles_configurados() == {}


@pytest.mark.parametrize(
    ("valor", "rol"), [("publico", "publico"), (" Director ", "director"), ("root", "publico")]
)
def test_rol_fijo_del_servidor(monkeypatch, valor, rol):
    monkeypatch.setenv("OBSERVATORIO_ROL", valor)
    assert acceso.rol() == rol


def test_auditoria_ida_y_vuelta(tmp_path):
    base = tmp_path / "base.duckdb"
    assert auditoria.leer(base).empty
    auditoria.registrar(base, "descarga", "ana@x.cl", "analista", archivo="a.csv", vista="")
    auditoria.registrar(base, "importacion", "ana@x.cl", "analista", archivo="b.csv")
    registro = auditoria.leer(base)
    assert registro["evento"].tolist() == ["importacion", "descarga"]  # el más reciente primero
    assert registro["detalle"].iloc[1] == {"archivo": "a.csv"}  # lo vacío no se anota
    with pytest.raises(ValueError):
        auditoria.registrar(base, "borrar todo", "x", "analista")


def test_auditoria_con_escrituras_simultaneas_y_linea_cortada(tmp_path):
    base = tmp_path / "base.duckdb"

    def escribir(k):
        for i in range(50):
            auditoria.registrar(base, "descarga", f"hilo{k}", "analista", n=i)

    hilos = [threading.Thread(target=escribir, args=(k,)) for k in range(4)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    with open(auditoria.ruta(base), "a", encoding="utf-8") as salida:
        salida.write('{"momento": "2026-1')  # un corte a mitad de línea
    lineas = auditoria.ruta(base).read_text(encoding="utf-8").splitlines()
    assert all(json.loads(linea) for linea in lineas[:-1])
    assert len(auditoria.leer(base)) == 200


def test_exportar_e_importar_quedan_en_la_auditoria(copia_demo, tmp_path, capsys):
    assert (
        observatorio.main(["exportar", "resumen", "--db", str(copia_demo), "--sector", "fleming"])
        == 0
    )
    archivo = tmp_path / "actividades.csv"
    archivo.write_text(
        "id;fecha;barrio;linea;actividad;participantes\n"
        "X-1;2026-10-01;Fleming;2.3;Campañas preventivas;12\n",
        encoding="utf-8",
    )
    assert (
        observatorio.main(["importar", "actividades", str(archivo), "--db", str(copia_demo)]) == 0
    )
    capsys.readouterr()
    registro = auditoria.leer(copia_demo)
    assert registro["evento"].tolist() == ["importacion", "exportacion"]
    assert registro["detalle"].iloc[1]["tabla"] == "resumen"
    assert registro["detalle"].iloc[1]["filtros"]["sector"] == ["fleming"]
    assert registro["detalle"].iloc[0]["archivo"] == "actividades.csv"
    assert (registro["rol"] == "línea de comandos").all()
