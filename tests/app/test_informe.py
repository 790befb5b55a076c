"""Informes de cada página con `observatorio informe` (PDF y HTML) contra lo que la misma página
dibuja en AppTest, sus entradas inválidas, la versión para compartir y el modo presentación."""

import re
import shutil

import duckdb
import pypdf
import pytest

import observatorio
from consultas.catalogos import catalogo
from consultas.periodos import PRESET_POR_DEFECTO, rango
from tests import fixtures
from tests.app import ayudas
from tests.unit.test_informe_documento import leer
from tests.versiones import cambios, importar
from ui import acceso, formato, recolector

PAGINAS = {
    "resumen": ("paginas/resumen.py", {}),
    "mapa": ("paginas/mapa.py", {}),
    "tendencias": ("paginas/tendencias.py", {}),
    "percepcion": ("paginas/percepcion.py", {}),
    "cobertura": ("paginas/cobertura.py", {}),
    "barrio": ("paginas/barrio.py", {"barrio": "el-golf"}),
}


def informe(capsys, *argumentos) -> tuple[int, str]:
    codigo = observatorio.main(["informe", *argumentos])
    return codigo, capsys.readouterr().err


def argumentos(db, pagina: str, params: dict, formato_: str, salida) -> list[str]:
    extra = [a for clave, valor in params.items() for a in (f"--{clave}", valor)]
    return [
        "--db",
        str(db),
        "--pagina",
        pagina,
        "--formato",
        formato_,
        "--salida",
        str(salida),
    ] + extra


@pytest.fixture(scope="module")
def informes(demo_pequena, tmp_path_factory):
    """El HTML y el PDF de cada página, hechos con la línea de comandos."""
    carpeta = tmp_path_factory.mktemp("informes")
    hechos = {}
    for pagina, (_, params) in PAGINAS.items():
        for extension in ("html", "pdf"):
            salida = carpeta / f"{pagina}.{extension}"
            assert (
                observatorio.main(
                    ["informe", *argumentos(demo_pequena, pagina, params, extension, salida)]
                )
                == 0
            )
            hechos[pagina, extension] = salida
    return hechos


def sin_espacios(texto: str) -> str:
    return re.sub(r"\s+", "", texto)


def texto_pdf(ruta) -> str:
    lector = pypdf.PdfReader(ruta)
    return sin_espacios(" ".join(p.extract_text() for p in lector.pages))


@pytest.mark.parametrize("pagina", list(PAGINAS))
def test_informe_trae_cada_grafico_tabla_y_mapa_de_la_pagina(demo, informes, pagina):
    script, params = PAGINAS[pagina]
    at = ayudas.abrir(script, **params)
    assert not at.exception
    html = informes[pagina, "html"].read_text(encoding="utf-8")
    partes = leer(html)
    assert partes.cuantos("div", "grafico") == len(at.get("plotly_chart")) > 0
    assert partes.cuantos("table", "tabla") == len(at.dataframe) > 0
    assert partes.cuantos("figure", "mapa") == len(at.get("deck_gl_json_chart"))
    texto_html = sin_espacios(" ".join(partes.texto))
    texto = texto_pdf(informes[pagina, "pdf"])
    titulos = [str(s.value) for s in at.main.subheader]
    assert titulos
    for titulo in [at.title[0].value, *titulos]:
        assert sin_espacios(titulo) in texto_html
        assert sin_espacios(titulo) in texto
    for frase in ["Notas de método", "«<5»", "Generado el"]:
        assert sin_espacios(frase) in texto_html and sin_espacios(frase) in texto


@pytest.mark.parametrize("pagina", ["resumen", "mapa", "tendencias", "barrio"])
def test_informe_dice_filtros_y_fecha_de_los_datos(demo_pequena, informes, pagina):
    con = duckdb.connect(str(demo_pequena), read_only=True)
    cat = catalogo(con)
    con.close()
    corte = cat.corte_de("policial")
    ventana = rango(PRESET_POR_DEFECTO, corte)
    esperado = [
        "Fuente: Casos policiales",
        f"Período: {formato.rango(ventana.desde, ventana.hasta)}",
        f"Datos al {formato.fecha(corte)}",
    ]
    texto = texto_pdf(informes[pagina, "pdf"])
    html = sin_espacios(" ".join(leer(informes[pagina, "html"].read_text("utf-8")).texto))
    for parte in esperado:
        assert sin_espacios(parte) in texto and sin_espacios(parte) in html


def test_pdf_valido_en_a4(informes):
    lector = pypdf.PdfReader(informes["resumen", "pdf"])
    assert informes["resumen", "pdf"].read_bytes().startswith(b"%PDF")
    ancho, alto = float(lector.pages[0].mediabox.width), float(lector.pages[0].mediabox.height)
    assert ancho == pytest.approx(595.3, abs=1) and alto == pytest.approx(841.9, abs=1)  # A4
    primera = sin_espacios(lector.pages[0].extract_text())
    assert sin_espacios("Municipalidad de Las Condes") in primera
    assert sin_espacios("No contiene ubicaciones de casos individuales") in primera


def test_pagina_sin_datos_da_un_informe_que_lo_dice(capsys, demo_pequena, tmp_path):
    salida = tmp_path / "vacio.html"
    params = {"periodo": "7d", "familia": "armas", "barrio": "quebrada-de-ramon"}
    codigo, _ = informe(capsys, *argumentos(demo_pequena, "resumen", params, "html", salida))
    assert codigo == 0
    texto = " ".join(leer(salida.read_text("utf-8")).texto)
    assert "No hay casos para estos filtros" in texto
    assert "Datos al" in texto


@pytest.mark.parametrize(
    "cambio, mensaje",
    [
        ({"--pagina": "portada"}, "Página desconocida «portada»"),
        ({"--salida": "/no/existe/informe.pdf"}, "no existe la carpeta"),
        ({"--salida": "."}, "es una carpeta"),
        ({"--barrio": "atlantida"}, "atlantida"),
        ({"--formato": "docx"}, "Formato desconocido «docx»"),
        ({"--opcion": "capa=nada", "--pagina": "mapa"}, "Se ignoró la capa «nada»"),
    ],
)
def test_entradas_invalidas(capsys, demo_pequena, tmp_path, cambio, mensaje):
    opciones = {
        "--db": str(demo_pequena),
        "--pagina": "resumen",
        "--salida": str(tmp_path / "a.pdf"),
    }
    opciones |= cambio
    codigo, error = informe(capsys, *[a for par in opciones.items() for a in par])
    assert codigo == 1
    assert mensaje in error
    assert "Traceback" not in error
    assert not (tmp_path / "a.pdf").exists()


def test_version_para_compartir_no_lleva_puntos(capsys, demo_pequena, tmp_path):
    params = ["--periodo", "7d", "--opcion", "capa=puntos"]
    analista, publico = tmp_path / "analista.html", tmp_path / "publico.html"
    base = ["--db", str(demo_pequena), "--pagina", "mapa", "--formato", "html"]
    assert informe(capsys, *base, "--salida", str(analista), *params)[0] == 0
    assert informe(capsys, *base, "--salida", str(publico), "--publico", *params)[0] == 0
    html_analista = analista.read_text("utf-8")
    html_publico = publico.read_text("utf-8")
    assert "Contiene ubicaciones de casos individuales" in html_analista
    assert re.search(r'data-id="casos-individuales"><circle', html_analista)
    assert "casos-individuales" not in html_publico
    mapas = re.findall(r'<svg class="mapa".*?</svg>', html_publico, re.S)
    assert mapas and not any("<circle" in m for m in mapas)
    assert "Versión para compartir." in html_publico
    assert "solo los ve el rol analista" in html_publico


def test_la_version_para_compartir_solo_baja_el_rol(demo):
    at = ayudas.abrir("paginas/mapa.py", capa="puntos", periodo="7d")
    assert at.session_state[recolector.CLAVE]["ultima"].contexto["rol"] == "analista"
    at.toggle(key=acceso.COMPARTIR).set_value(True).run()
    assert not at.exception
    assert at.session_state[recolector.CLAVE]["ultima"].contexto["rol"] == acceso.PUBLICO
    assert "solo los ve el rol analista" in ayudas.textos(at)
    assert not any('"casos-individuales"' in m.proto.json for m in at.get("deck_gl_json_chart"))


def test_presentacion_una_diapositiva_por_grafico_y_tabla(demo):
    normal = ayudas.abrir("paginas/resumen.py")
    visuales = len(normal.get("plotly_chart")) + len(normal.dataframe)
    visuales += len(normal.get("deck_gl_json_chart"))
    at = ayudas.abrir("paginas/resumen.py", presentar="1")
    assert not at.exception
    assert '[data-testid="stSidebar"]' in at.markdown[0].value  # la barra lateral, oculta
    assert at.title[0].value == "Resumen" and len(at.metric) == 3
    assert at.button(key="presentar_atras").disabled
    vistos = []
    for _ in range(visuales):
        at.button(key="presentar_adelante").click().run()
        assert not at.exception
        graficos, tablas = len(at.get("plotly_chart")), len(at.dataframe)
        mapas = len(at.get("deck_gl_json_chart"))
        assert graficos + tablas + mapas == 1
        vistos.append(at.title[0].value)
    assert at.button(key="presentar_adelante").disabled
    assert f"{visuales + 1} / {visuales + 1}" in ayudas.textos(at)
    assert "Familias de delito" in vistos and "Tasa por barrio" in vistos
    at.button(key="presentar_salir").click().run()
    assert "presentar" not in at.query_params
    assert len(at.get("plotly_chart")) == len(normal.get("plotly_chart"))


def _casos_en_el_periodo(html: str) -> int:
    """La métrica «Casos en el período» de la portada de métricas del informe HTML."""
    texto = re.sub(r"<[^>]+>", " ", html)
    numero = re.search(r"Casos en el período\s+([\d.]+)", texto)
    assert numero, "el informe no trae la métrica de casos"
    return int(numero.group(1).replace(".", ""))


def test_informe_fijado_en_una_version_muestra_sus_cifras(
    capsys, ruta_fixture, incidentes, tmp_path
):
    ruta = tmp_path / "base.duckdb"
    shutil.copy(ruta_fixture, ruta)
    antes = fixtures.contar(incidentes, rango("28d", fixtures.CORTE), "policial")
    texto, diferencia = cambios(ruta, fixtures.CORTE)
    assert importar(ruta, "incidentes", texto).version == 2
    base = ["--db", str(ruta), "--pagina", "resumen", "--formato", "html", "--periodo", "28d"]
    base += ["--fuente", "policial"]
    fijado, vigente = tmp_path / "v1.html", tmp_path / "v2.html"
    assert informe(capsys, *base, "--salida", str(fijado), "--version", "1")[0] == 0
    assert informe(capsys, *base, "--salida", str(vigente))[0] == 0
    assert _casos_en_el_periodo(fijado.read_text("utf-8")) == antes
    assert _casos_en_el_periodo(vigente.read_text("utf-8")) == antes + diferencia
    # El enlace que reabre la vista lleva la versión que se vio.
    assert "version=1" in fijado.read_text("utf-8")
    assert "version=2" in vigente.read_text("utf-8")

    codigo, error = informe(capsys, *base, "--salida", str(tmp_path / "x.html"), "--version", "7")
    assert codigo == 1
    assert "La versión 7 de los datos no existe" in error
    assert not (tmp_path / "x.html").exists()


def test_informe_publico_muestra_conteos_bajo_5_como_menos_de_5(capsys, ruta_fixture, tmp_path):
    """En un barrio pequeño y una semana hay 1 a 4 casos: el informe del analista los muestra y
    el del público (versión para compartir) los cambia por «<5» en cada tabla."""
    base = ["--db", str(ruta_fixture), "--pagina", "resumen", "--formato", "html"]
    base += ["--periodo", "7d", "--fuente", "policial", "--barrio", "poniente"]
    analista, publico = tmp_path / "a.html", tmp_path / "p.html"
    assert informe(capsys, *base, "--salida", str(analista))[0] == 0
    assert informe(capsys, *base, "--salida", str(publico), "--publico")[0] == 0

    def celdas(ruta) -> list[str]:
        tablas = re.findall(r"<table.*?</table>", ruta.read_text("utf-8"), re.S)
        return [
            re.sub(r"<[^>]+>", "", c).strip()
            for t in tablas
            for c in re.findall(r"<td.*?</td>", t, re.S)
        ]

    pequenos = {"1", "2", "3", "4"}
    assert pequenos & set(celdas(analista)), "la prueba necesita conteos bajo 5"
    assert "&lt;5" in "".join(celdas(publico)) or "<5" in celdas(publico)
    assert not pequenos & set(celdas(publico))
