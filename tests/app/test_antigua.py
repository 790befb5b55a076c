"""Un archivo escrito antes del agregado diario (sin la tabla incidentes_diarios) se sigue
abriendo: cada página funciona y muestra lo mismo que con el agregado."""

import shutil

import duckdb
import pytest

from tests.app import ayudas
from tests.app.test_versiones import PAGINAS


@pytest.fixture(scope="module")
def ruta_antigua(ruta_encuesta, tmp_path_factory):
    ruta = tmp_path_factory.mktemp("antigua") / "antigua.duckdb"
    shutil.copy(ruta_encuesta, ruta)
    con = duckdb.connect(str(ruta))
    con.execute("DROP TABLE incidentes_diarios")
    con.close()
    return ruta


@pytest.mark.parametrize("pagina", PAGINAS)
def test_cada_pagina_abre_sin_el_agregado_y_muestra_lo_mismo(
    ruta_encuesta, ruta_antigua, monkeypatch, pagina
):
    monkeypatch.delenv("OBSERVATORIO_ROL", raising=False)
    vistas = {}
    for ruta in (ruta_encuesta, ruta_antigua):
        monkeypatch.setenv("OBSERVATORIO_DB", str(ruta))
        at = ayudas.abrir(pagina, barrio="norte", periodo="aad")
        assert not at.exception, at.exception
        metricas = " ".join(f"{m.label}={m.value}" for m in at.metric)
        tablas = " ".join(t.value.to_csv() for t in at.dataframe)
        vistas[ruta] = f"{ayudas.textos(at)} {metricas} {tablas}"
    assert vistas[ruta_antigua] == vistas[ruta_encuesta]
    assert len(vistas[ruta_antigua]) > 100
