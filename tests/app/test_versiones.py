"""Enlaces fijados a una versión de los datos: la página muestra las cifras de esa versión."""

import shutil
from datetime import date

import pytest

from consultas.periodos import rango
from datos.demo import FECHA_CORTE_DEMO
from tests import fixtures
from tests.app import ayudas
from tests.versiones import cambios, importar

RESUMEN = "paginas/resumen.py"
CASOS = "Casos en el período"


def parametro(at, clave: str) -> str | None:
    """Un parámetro de la URL de AppTest (que lo guarda como texto o como lista)."""
    valor = at.query_params.get(clave)
    return valor[0] if isinstance(valor, list) else valor


def casos(at) -> int:
    return int({m.label: m.value for m in at.metric}[CASOS].replace(".", ""))


@pytest.fixture
def importada(ruta_fixture, incidentes, tmp_path, monkeypatch):
    """Copia de la base pequeña con una segunda versión que agrega y actualiza casos."""
    ruta = tmp_path / "base.duckdb"
    shutil.copy(ruta_fixture, ruta)
    monkeypatch.setenv("OBSERVATORIO_DB", str(ruta))
    antes = fixtures.contar(incidentes, rango("28d", fixtures.CORTE), "policial")
    texto, diferencia = cambios(ruta, fixtures.CORTE)
    v = importar(ruta, "incidentes", texto)
    assert (v.version, v.nuevas, v.actualizadas) == (2, 3, 1)
    return ruta, antes, antes + diferencia


def test_enlace_con_version_1_muestra_las_cifras_de_entonces(importada):
    _, antes, despues = importada
    at = ayudas.abrir(RESUMEN, version="1")
    assert not at.exception
    assert casos(at) == antes
    aviso = " ".join(i.value for i in at.info)
    assert "Esta vista muestra la versión 1 de los datos" in aviso
    assert "Hay datos más nuevos: la versión 2" in aviso
    assert parametro(at, "version") == "1"
    assert "Versión 1 de los datos, fijada por el enlace" in ayudas.textos(at)

    next(b for b in at.button if b.label == "Ver los datos actuales").click()
    at.run()
    assert casos(at) == despues
    assert "version" not in at.query_params
    assert not any("Esta vista muestra" in i.value for i in at.info)


def test_sin_version_muestra_los_datos_vigentes(importada):
    _, antes, despues = importada
    at = ayudas.abrir(RESUMEN)
    assert not at.exception
    assert casos(at) == despues != antes
    assert not any("Esta vista muestra" in i.value for i in at.info)
    assert "Versión 2 de los datos" in ayudas.textos(at)


@pytest.mark.parametrize(
    ("valor", "mensaje"),
    [
        ("7", "La versión 7 de los datos no existe: esta base va de la 1 a la 2."),
        ("uno", "«uno» no es un número de versión de los datos"),
        ("1 OR 1=1", "no es un número de versión de los datos"),
    ],
)
def test_version_desconocida_avisa_y_usa_los_datos_vigentes(importada, valor, mensaje):
    _, _, despues = importada
    at = ayudas.abrir(RESUMEN, version=valor)
    assert not at.exception
    avisos = " ".join(w.value for w in at.warning)
    assert mensaje in avisos and "Se muestran los datos vigentes (versión 2)." in avisos
    assert casos(at) == despues
    assert "version" not in at.query_params


def test_la_sesion_fijada_conserva_su_version_tras_otra_importacion(importada):
    """Una importación reemplaza el archivo con sesiones abiertas: la fijada sigue en su versión
    y la otra ve la nueva en su ejecución siguiente, sin errores."""
    ruta, _, despues = importada
    fijada = ayudas.abrir(RESUMEN, version="2")
    libre = ayudas.abrir(RESUMEN)
    assert casos(fijada) == casos(libre) == despues
    assert not fijada.info  # la versión fijada es la vigente: no hay nada más nuevo
    texto, diferencia = cambios(ruta, fixtures.CORTE, nuevos=5, prefijo="OTRO")
    assert importar(ruta, "incidentes", texto).version == 3
    fijada.run()
    libre.run()
    assert not fijada.exception and not libre.exception
    assert casos(fijada) == despues
    assert casos(libre) == despues + diferencia
    assert "Hay datos más nuevos: la versión 3" in " ".join(i.value for i in fijada.info)
    assert parametro(fijada, "version") == "2"


def test_la_version_se_conserva_al_cambiar_de_pagina(importada):
    at = ayudas.abrir(RESUMEN, version="1", periodo="aad")
    at.switch_page("paginas/tendencias.py").run()
    assert not at.exception
    assert parametro(at, "version") == "1" and parametro(at, "periodo") == "aad"
    assert "Datos al 30-06-2025" in ayudas.textos(at)
    assert any("versión 1" in i.value for i in at.info)


def test_compartir_da_el_enlace_con_filtros_opciones_y_version(importada):
    at = ayudas.abrir("paginas/mapa.py", sector="alto")
    next(b for b in at.button if b.label == "Compartir").click()
    at.run()
    assert not at.exception
    enlace = " ".join(c.value for c in at.code)
    assert enlace.startswith("?") and "sector=alto" in enlace and "version=2" in enlace
    assert "la versión 2 de los" in ayudas.textos(at)


def test_percepcion_en_una_version_anterior(ruta_encuesta, tmp_path, monkeypatch):
    """Las consultas que leen el esquema (indicadores de la encuesta) también sirven fijadas."""
    ruta = tmp_path / "encuesta.duckdb"
    shutil.copy(ruta_encuesta, ruta)
    monkeypatch.setenv("OBSERVATORIO_DB", str(ruta))
    vigente = ayudas.abrir("paginas/percepcion.py")
    importar(ruta, "incidentes", cambios(ruta, fixtures.CORTE)[0])
    fijada = ayudas.abrir("paginas/percepcion.py", version="1")
    assert not fijada.exception
    assert [d.value.to_dict() for d in fijada.dataframe] == [
        d.value.to_dict() for d in vigente.dataframe
    ]
    assert fijada.dataframe, "sin tablas de estimaciones"
    assert date(2025, 5, 15).strftime("%d-%m-%Y") in ayudas.textos(fijada)


PAGINAS = [
    "paginas/resumen.py",
    "paginas/tendencias.py",
    "paginas/mapa.py",
    "paginas/percepcion.py",
    "paginas/cobertura.py",
    "paginas/barrio.py",
    "paginas/datos.py",
]


@pytest.fixture(scope="module")
def demo_importada(demo_pequena, tmp_path_factory):
    """La demostración con una versión 2 que actualiza y agrega casos, uno del 10-11-2026: la
    fecha de corte de la versión 2 es otra que la de la 1 (31-10-2026)."""
    ruta = tmp_path_factory.mktemp("versiones") / "demo.duckdb"
    shutil.copy(demo_pequena, ruta)
    texto, _ = cambios(ruta, FECHA_CORTE_DEMO)
    lat, lon = texto.splitlines()[1].split(";")[3:5]
    importar(ruta, "incidentes", texto + f"POSTERIOR-1;2026-11-10 10:00;hurto;{lat};{lon};policial")
    return ruta


@pytest.mark.parametrize("pagina", PAGINAS)
def test_cada_pagina_abre_en_una_version_anterior(demo_importada, monkeypatch, pagina):
    monkeypatch.setenv("OBSERVATORIO_DB", str(demo_importada))
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    at = ayudas.abrir(pagina, version="1", barrio="el-golf")
    assert not at.exception
    assert any("Esta vista muestra la versión 1 de los datos" in i.value for i in at.info)
    assert "10-11-2026" not in ayudas.textos(at), "la fecha de corte es la de la versión 1"
    assert parametro(at, "version") == "1"


def test_datos_al_de_cada_version(demo_importada, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_DB", str(demo_importada))
    fijada = ayudas.abrir(RESUMEN, version="1")
    vigente = ayudas.abrir(RESUMEN)
    assert "Datos al 31-10-2026" in ayudas.textos(fijada)
    assert "Datos al 10-11-2026" in ayudas.textos(vigente)
    assert "(datos al 31-10-2026)" in " ".join(i.value for i in fijada.info)
