"""`observatorio exportar <tabla> --publico`: cada tabla con la regla del público."""

import io

import pandas as pd
import pytest

import observatorio
from consultas import privacidad
from datos import catalogo

# Cada tabla exportable con opciones que dejan conteos chicos (período corto, celdas finas).
TABLAS = {
    "resumen": ["--periodo", "7d", "--sector", "fleming"],
    "hotspots": ["--periodo", "aad", "--resolucion", "10"],
    "concentracion": ["--periodo", "28d", "--resolucion", "10"],
    "evolucion": ["--periodo", "aad", "--resolucion", "9", "--periodos", "6"],
    "percepcion": ["--por", "barrio"],
    "tendencias": ["--periodo", "aad", "--escala", "dia", "--sector", "fleming"],
    "comparacion": ["--periodo", "7d"],
    "evaluacion": ["--ventana-meses", "1"],
    "cobertura": ["--periodo", "7d"],
}


def exportar(capsys, tabla: str, *argumentos) -> pd.DataFrame:
    codigo = observatorio.main(["exportar", tabla, *argumentos])
    salida = capsys.readouterr()
    assert codigo == 0, salida.err
    return pd.read_csv(io.StringIO(salida.out), dtype=str, keep_default_na=False)


def pequenos(tabla: pd.DataFrame) -> dict[str, list[str]]:
    return {
        c: [v for v in tabla[c] if v.strip() in {"1", "2", "3", "4", "1.0", "2.0", "3.0", "4.0"}]
        for c in tabla.columns
        if c in privacidad.CONTEOS
    }


@pytest.mark.parametrize("tabla", list(TABLAS))
def test_exportar_publico_sin_conteos_bajo_5_ni_puntos(capsys, demo_pequena, tabla):
    argumentos = ["--db", str(demo_pequena), *TABLAS[tabla]]
    publica = exportar(capsys, tabla, *argumentos, "--publico")
    assert not {"lat", "lon"} & set(publica.columns)
    assert not any(pequenos(publica).values()), pequenos(publica)
    completa = exportar(capsys, tabla, *argumentos)
    assert list(publica.columns) == list(completa.columns)
    if tabla != "concentracion":  # sin delitos sensibles, hay celdas que quedan sin casos
        assert len(publica) == len(completa)
    if any(pequenos(completa).values()):
        # Lo que el analista ve como 1 a 4, el público lo recibe como «<5».
        assert (publica == privacidad.MENOS_DE_5).to_numpy().any()


def test_las_opciones_elegidas_si_dejan_conteos_chicos(capsys, demo_pequena):
    """Sin esto, la prueba de arriba podría pasar sin haber suprimido nada."""
    con_chicos = [
        t
        for t in TABLAS
        if any(pequenos(exportar(capsys, t, "--db", str(demo_pequena), *TABLAS[t])).values())
    ]
    assert {"resumen", "hotspots", "concentracion", "comparacion", "tendencias"} <= set(con_chicos)


def test_vif_nunca_por_celda_para_el_publico(capsys, demo_pequena):
    argumentos = ["--db", str(demo_pequena), "--periodo", "aad", "--familia", "vif"]
    assert len(exportar(capsys, "concentracion", *argumentos)) > 0, "el analista sí las ve"
    assert exportar(capsys, "concentracion", *argumentos, "--publico").empty
    # Por barrio (comparación), la VIF sí se publica, con su regla de conteos.
    comparacion = exportar(capsys, "comparacion", *argumentos, "--publico")
    assert len(comparacion) > 0


def test_celdas_publicas_cuentan_sin_delitos_sensibles(capsys, demo_pequena):
    """Cada celda visible del público tiene los casos de los tipos no sensibles, ni uno más."""
    argumentos = ["--db", str(demo_pequena), "--periodo", "aad", "--resolucion", "8"]
    publica = exportar(capsys, "concentracion", *argumentos, "--publico")
    no_sensibles = [d.delito for d in catalogo.DELITOS if not d.sensible]
    filtro = [arg for d in no_sensibles for arg in ("--delito", d)]
    esperada = exportar(capsys, "concentracion", *argumentos, *filtro)
    completa = exportar(capsys, "concentracion", *argumentos)
    visibles = publica[publica["casos"] != privacidad.MENOS_DE_5].set_index("h3")["casos"]
    referencia = esperada.set_index("h3")["casos"]
    assert len(visibles) > 10
    assert (visibles.astype(int) == referencia.loc[visibles.index].astype(int)).all()
    assert pd.to_numeric(completa["casos"]).sum() > pd.to_numeric(esperada["casos"]).sum()
