"""La regla del público en cada página: lo que llega al navegador (tablas, gráficos, mapas con sus
textos del cursor, métricas, frases) y cada descarga, para cada forma de ser público."""

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from consultas import privacidad
from tests.app import ayudas
from ui import descargas

# Cada página con parámetros que muestran lo más posible (capas, desgloses, un barrio chico).
VISTAS = [
    ("paginas/resumen.py", {}),
    ("paginas/resumen.py", {"barrio": "oriente"}),
    ("paginas/tendencias.py", {"series": "familia", "por": "barrio"}),
    ("paginas/resumen.py", {"barrio": "poniente", "periodo": "7d"}),
    ("paginas/tendencias.py", {"barrio": "poniente", "escala": "mes"}),
    ("paginas/tendencias.py", {"barrio": "poniente", "familia": "vif", "periodo": "28d"}),
    ("paginas/tendencias.py", {"barrio": "oriente", "escala": "dia", "series": "familia"}),
    ("paginas/mapa.py", {"capa": "celdas", "resolucion": "10"}),
    ("paginas/mapa.py", {"capa": "calor"}),
    ("paginas/mapa.py", {"capa": "tasa"}),
    ("paginas/mapa.py", {"capa": "calientes", "resolucion": "10"}),
    ("paginas/mapa.py", {"capa": "puntos", "barrio": "poniente"}),
    ("paginas/percepcion.py", {}),
    ("paginas/cobertura.py", {}),
    ("paginas/cobertura.py", {"periodo": "7d", "ventana": "1", "franja": "True"}),
    ("paginas/barrio.py", {"barrio": "poniente"}),
    ("paginas/barrio.py", {"barrio": "oriente", "periodo": "7d"}),
    ("paginas/datos.py", {}),
]
CONTEO_EN_TEXTO = [
    re.compile(r"(?<![\d.,])(?<!o )[1-4] (casos?|registros)\b"),  # no «con 2 o 3 casos»
    re.compile(r"\bn = [1-4]\b"),
    re.compile(r"(?<![\d.,])[1-4] → |→ [1-4] casos"),
]
ENCABEZADOS_CONTEO = {descargas.encabezado(c) for c in privacidad.CONTEOS} | {
    "Casos",
    "Período anterior",
    "Año anterior",
    "Casos último período",
}


@pytest.fixture
def descargas_hechas(monkeypatch):
    """Los archivos de cada botón de descarga, generados como al hacer clic."""
    hechas = []
    original = DeltaGenerator.download_button

    def registrar(self, etiqueta, data, *args, **kwargs):
        hechas.append((kwargs.get("file_name", ""), data))
        return original(self, etiqueta, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", registrar)
    return hechas


@pytest.fixture
def base_publica(base_encuesta, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_ROL", "publico")
    return base_encuesta


def abrir(pagina: str, **argumentos) -> AppTest:
    return ayudas.abrir(pagina, limite=120, **argumentos)


def _coordenadas(incidentes: pd.DataFrame) -> set[float]:
    return {round(v, 9) for v in pd.concat([incidentes["lat"], incidentes["lon"]])}


def _numeros(texto: str) -> set[float]:
    return {round(float(n), 9) for n in re.findall(r"-?\d+\.\d{7,}", texto)}


def _pequeno(valor) -> bool:
    if isinstance(valor, str):
        return valor.strip() in {"1", "2", "3", "4"}
    try:
        return 1 <= float(valor) < 5 and float(valor) == int(float(valor))
    except (TypeError, ValueError):
        return False


def _tabla_sin_pequenos(tabla: pd.DataFrame, donde: str) -> None:
    for columna in tabla.columns:
        if str(columna) in ENCABEZADOS_CONTEO or str(columna) in privacidad.CONTEOS:
            malos = [v for v in tabla[columna] if _pequeno(v)]
            assert not malos, f"{donde}: conteos bajo 5 en «{columna}»: {malos[:5]}"


def _trazas_sin_pequenos(figura: dict, donde: str) -> None:
    for traza in figura.get("data", []):
        tipo, nombre = traza.get("type"), str(traza.get("name", ""))
        if tipo == "heatmap":
            valores = np.ravel(np.array(traza.get("z", []), dtype=object))
        elif tipo == "bar":
            valores = traza.get("x" if traza.get("orientation") == "h" else "y", [])
        elif tipo == "scatter" and ("casos" in nombre.lower() or nombre.startswith("hace")):
            valores = traza.get("y", [])
        else:
            valores = []
        if isinstance(valores, dict):  # plotly codifica arreglos numéricos en base64
            continue
        malos = [v for v in valores if _pequeno(v)]
        assert not malos, f"{donde}: la traza «{nombre}» ({tipo}) trae {malos[:5]}"
        for texto in traza.get("hovertext", []) or traza.get("text", []) or []:
            _texto_sin_pequenos(str(texto), donde)


def _texto_sin_pequenos(texto: str, donde: str) -> None:
    for patron in CONTEO_EN_TEXTO:
        hallado = patron.search(texto)
        assert not hallado, f"{donde}: «{hallado.group(0)}» en «{texto[:160]}»"


def _figura(proto) -> dict:
    figura = json.loads(proto.spec)
    for traza in figura.get("data", []):
        for clave, valor in list(traza.items()):
            if isinstance(valor, dict) and "bdata" in valor:
                arreglo = np.frombuffer(base64.b64decode(valor["bdata"]), dtype=valor["dtype"])
                forma = [int(n) for n in str(valor.get("shape", len(arreglo))).split(",")]
                traza[clave] = arreglo.reshape(forma).tolist()
    return figura


def revisar(at: AppTest, hechas: list, incidentes: pd.DataFrame, donde: str) -> None:
    """Nada de lo que llega al navegador trae puntos ni conteos de 1 a 4."""
    assert not at.exception, f"{donde}: {at.exception}"
    coordenadas = _coordenadas(incidentes)
    for tabla in at.dataframe:
        _tabla_sin_pequenos(tabla.value, donde)
    for grafico in at.get("plotly_chart"):
        _trazas_sin_pequenos(_figura(grafico.proto), donde)
    for mapa in at.get("deck_gl_json_chart"):
        especificacion = mapa.proto.json
        assert not _numeros(especificacion) & coordenadas, f"{donde}: un punto en el mapa"
        for capa in json.loads(especificacion).get("layers", []):
            for fila in capa.get("data", []) if isinstance(capa.get("data"), list) else []:
                _texto_sin_pequenos(str(fila.get("texto", "")), donde)
                if capa.get("@@type") == "HeatmapLayer":
                    assert not _pequeno(fila.get("casos")), f"{donde}: peso del calor bajo 5"
    for metrica in at.metric:
        if metrica.label.startswith("Casos"):
            assert not _pequeno(metrica.value), f"{donde}: «{metrica.label}» = {metrica.value}"
        _texto_sin_pequenos(metrica.proto.help, donde)
    elementos = [*at.markdown, *at.caption, *at.info, *at.warning, *at.success, *at.text]
    for elemento in elementos:
        _texto_sin_pequenos(str(elemento.value), donde)
    for nombre, datos in hechas:
        contenido = datos() if callable(datos) else datos
        if nombre.endswith(".csv"):
            tabla = pd.read_csv(io.BytesIO(contenido), sep=";", dtype=str, encoding="utf-8-sig")
        elif nombre.endswith(".xlsx"):
            hoja = load_workbook(io.BytesIO(contenido))["Datos"]
            filas = list(hoja.values)
            tabla = pd.DataFrame(filas[1:], columns=filas[0])
        else:
            continue
        assert not _numeros(tabla.to_csv()) & coordenadas, f"{donde}: un punto en {nombre}"
        _tabla_sin_pequenos(tabla, f"{donde} · {nombre}")


@pytest.mark.parametrize(("pagina", "params"), VISTAS)
def test_pantalla_publica(base_publica, incidentes, descargas_hechas, pagina, params):
    at = abrir(pagina, **params)
    revisar(at, descargas_hechas, incidentes, f"{pagina} {params}")


@pytest.mark.parametrize(
    ("pagina", "params"),
    [
        ("paginas/tendencias.py", {"series": "familia", "por": "barrio"}),
        ("paginas/mapa.py", {"capa": "puntos", "barrio": "poniente"}),
        ("paginas/barrio.py", {"barrio": "oriente", "periodo": "7d"}),
    ],
)
def test_las_revisiones_detectan_lo_que_ve_el_analista(
    base_encuesta, incidentes, descargas_hechas, monkeypatch, pagina, params
):
    """Las mismas revisiones fallan con el analista: la base sí tiene conteos bajo 5 y puntos."""
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    at = abrir(pagina, **params)
    assert not at.exception
    with pytest.raises(AssertionError, match="bajo 5|punto|«[1-4] |trae"):
        revisar(at, descargas_hechas, incidentes, pagina)


@pytest.fixture
def roles(base_encuesta, monkeypatch, tmp_path):
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    archivo = tmp_path / "roles.toml"
    archivo.write_text('[roles]\n"@lascondes.cl" = "analista"\n')
    monkeypatch.setenv("OBSERVATORIO_ROLES", str(archivo))
    return base_encuesta


def test_con_oidc_quien_no_esta_en_el_mapa_es_publico(roles, incidentes, descargas_hechas):
    vecino = {"is_logged_in": True, "email": "vecino@gmail.com"}
    for pagina, params in [
        ("paginas/tendencias.py", {"series": "familia"}),
        ("paginas/mapa.py", {"capa": "puntos", "barrio": "poniente"}),
    ]:
        at = abrir(pagina, usuario=vecino, rol="analista", **params)
        revisar(at, descargas_hechas, incidentes, f"{pagina} como {vecino['email']}")


def test_con_oidc_el_analista_del_mapa_ve_el_detalle(roles, incidentes, descargas_hechas):
    analista = {"is_logged_in": True, "email": "ana@lascondes.cl"}
    at = abrir("paginas/mapa.py", usuario=analista, capa="puntos", barrio="poniente")
    assert not at.exception
    with pytest.raises(AssertionError, match="punto|bajo 5"):
        revisar(at, descargas_hechas, incidentes, "analista con OIDC")


def _contenido(at: AppTest) -> list:
    return [
        *(t.value.to_json() for t in at.dataframe),
        *(g.proto.spec for g in at.get("plotly_chart")),
        # pydeck da a cada capa un id al azar: se compara lo demás.
        *(re.sub(r'"id":\s*"[^"]*"', "", m.proto.json) for m in at.get("deck_gl_json_chart")),
        *(str(e.value) for e in [*at.metric, *at.markdown, *at.caption, *at.info]),
    ]


@pytest.mark.parametrize("pagina", ["paginas/resumen.py", "paginas/mapa.py"])
def test_la_url_no_cambia_el_rol(base_publica, pagina):
    normal = abrir(pagina, capa="puntos")
    pidiendo = abrir(pagina, capa="puntos", rol="analista", role="director")
    assert not normal.exception and not pidiendo.exception
    assert _contenido(normal) == _contenido(pidiendo)
    assert "Rol fijado por el servidor: Público" in " ".join(
        c.value for c in pidiendo.sidebar.caption
    )


def test_vif_no_llega_al_mapa_publico(base_encuesta, monkeypatch):
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    analista = abrir("paginas/mapa.py", familia="vif", periodo="aad")
    assert not analista.exception and analista.get("deck_gl_json_chart"), "el analista ve celdas"
    monkeypatch.setenv("OBSERVATORIO_ROL", "publico")
    publico = abrir("paginas/mapa.py", familia="vif", periodo="aad")
    assert not publico.exception
    assert not publico.get("deck_gl_json_chart")
    assert any("No hay casos" in i.value for i in publico.info)
