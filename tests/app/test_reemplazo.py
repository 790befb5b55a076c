"""Una importación que reemplaza la base a mitad de una ejecución no deja cifras mezcladas."""

import json
import os
import re
import shutil

import duckdb
import pandas as pd
import pytest

from consultas import resumen
from consultas.periodos import rango
from tests import fixtures
from tests.app.ayudas import abrir

AGREGADOS = 7  # casos que trae la "importación"


def casos_en_el_mapa(at) -> int:
    """Suma de los casos por barrio que dice la coropleta del Resumen (otra consulta que la de
    las métricas)."""
    mapa = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    textos = [f["properties"].get("texto") for f in mapa["layers"][0]["data"]["features"]]
    return sum(
        int(m.group(1).replace(".", ""))
        for t in textos
        if isinstance(t, str) and (m := re.match(r"([\d.]+) casos", t))
    )


def casos(at) -> int:
    metricas = {m.label: m.value for m in at.metric}
    return int(metricas["Casos en el período"].replace(".", ""))


@pytest.fixture
def bases(ruta_fixture, incidentes, tmp_path, monkeypatch):
    """La base que se sirve y la que la reemplazará, con AGREGADOS casos más en el sector alto."""
    servida = tmp_path / "base.duckdb"
    shutil.copy(ruta_fixture, servida)
    ventana = rango("aad", fixtures.CORTE)
    en_filtro = incidentes[
        (incidentes["fuente"] == "policial")
        & incidentes["barrio_id"].isin(["norte", "sur"])
        & (incidentes["fecha_hora"].dt.date >= ventana.desde)
    ]
    nuevos = en_filtro.head(AGREGADOS).assign(incidente_id=[f"N-{k}" for k in range(AGREGADOS)])
    nueva = tmp_path / "nueva.duckdb"
    fixtures.construir(nueva, pd.concat([incidentes, nuevos]).sort_values("fecha_hora"))
    monkeypatch.setenv("OBSERVATORIO_DB", str(servida))
    return servida, nueva


def test_una_ejecucion_lee_una_sola_version_y_la_siguiente_la_nueva(bases, incidentes, monkeypatch):
    servida, nueva = bases
    original = resumen.tabla_comparacion

    def y_se_reemplaza(con, *argumentos):
        tabla = original(con, *argumentos)
        if nueva.exists():  # la importación termina justo después de la primera consulta
            os.replace(nueva, servida)
        return tabla

    monkeypatch.setattr(resumen, "tabla_comparacion", y_se_reemplaza)
    antes = fixtures.contar(
        incidentes, rango("aad", fixtures.CORTE), "policial", barrios=["norte", "sur"]
    )

    at = abrir("paginas/resumen.py", periodo="aad", sector="alto")
    assert not at.exception and not at.error
    assert not nueva.exists(), "el reemplazo no ocurrió durante la ejecución"
    assert casos(at) == casos_en_el_mapa(at) == antes

    at.run()
    assert not at.exception and not at.error
    assert casos(at) == casos_en_el_mapa(at) == antes + AGREGADOS


def test_el_catalogo_se_lee_de_nuevo_cuando_la_base_se_reemplaza(bases):
    """El catálogo se lee una vez por archivo (conexion.referencia): otro archivo lo trae nuevo."""
    servida, nueva = bases
    at = abrir("paginas/resumen.py")
    assert "Norte" in at.multiselect(key="f_barrios").options
    with duckdb.connect(str(nueva)) as con:
        con.execute("UPDATE barrios SET nombre = 'Norte Alto' WHERE barrio_id = 'norte'")
    os.replace(nueva, servida)
    at.run()
    assert not at.exception and not at.error
    opciones = at.multiselect(key="f_barrios").options
    assert "Norte Alto" in opciones and "Norte" not in opciones
