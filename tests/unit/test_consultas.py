from datetime import date

import numpy as np
import pandas as pd
import pytest

from consultas import catalogos, ficha, resumen
from consultas.estadistica import clasificar, variacion_pct, z_poisson
from consultas.filtros import Filtros
from consultas.periodos import (
    ANIO_ANTERIOR,
    PERIODO_ANTERIOR,
    Ventana,
    comparaciones_compstat,
    rango,
)
from consultas.sql import consulta, leer
from datos.catalogo import FAMILIAS
from tests import fixtures


def test_presets_de_periodo_calculados_a_mano():
    assert rango("7d", date(2026, 10, 31)) == Ventana(date(2026, 10, 25), date(2026, 10, 31))
    assert rango("28d", date(2026, 10, 31)).desde == date(2026, 10, 4)
    assert rango("mes", date(2026, 10, 31)) == Ventana(date(2026, 10, 1), date(2026, 10, 31))
    assert rango("mes", date(2026, 10, 15)) == Ventana(date(2026, 9, 1), date(2026, 9, 30))
    assert rango("trimestre", date(2026, 10, 31)) == Ventana(date(2026, 7, 1), date(2026, 9, 30))
    assert rango("trimestre", date(2026, 12, 31)) == Ventana(date(2026, 10, 1), date(2026, 12, 31))
    assert rango("trimestre", date(2026, 2, 10)) == Ventana(date(2025, 10, 1), date(2025, 12, 31))
    assert rango("aad", date(2026, 3, 5)) == Ventana(date(2026, 1, 1), date(2026, 3, 5))
    with pytest.raises(ValueError):
        rango("semana", date(2026, 1, 1))


def test_ventanas_anterior_y_anio_anterior():
    v = Ventana(date(2024, 2, 23), date(2024, 2, 29))
    assert v.dias == 7
    assert v.anterior() == Ventana(date(2024, 2, 16), date(2024, 2, 22))
    assert v.anio_anterior() == Ventana(date(2023, 2, 23), date(2023, 2, 28))
    ytd = comparaciones_compstat(date(2025, 6, 30))[2]
    assert ytd.actual == Ventana(date(2025, 1, 1), date(2025, 6, 30))
    assert set(ytd.referencias) == {ANIO_ANTERIOR}


def test_z_de_poisson_y_etiquetas_a_mano():
    actual = np.array([16, 9, 4, 5, 1, 5, 0])
    anterior = np.array([4, 4, 9, 4, 0, 1, 0])
    z = z_poisson(actual, anterior)
    np.testing.assert_allclose(
        z, [4.0, 2.0, -2.0, 2 * (np.sqrt(5) - 2), 2.0, 2 * (np.sqrt(5) - 1), 0.0]
    )
    assert list(clasificar(z, actual, anterior)) == [
        "alza significativa",
        "alza significativa",
        "baja significativa",
        "variación normal",
        "pocos casos",  # de 0 a 1 caso: z = 2, pero nada que concluir
        "alza significativa",  # 6 casos entre ambos: z = 2,47
        "pocos casos",
    ]
    pct = variacion_pct([15, 3], [10, 0])
    assert pct[0] == pytest.approx(50.0)
    assert np.isnan(pct[1])


def test_tabla_comparacion_coincide_con_pandas(base):
    con, df = base
    filtros = Filtros(
        desde=date(2025, 5, 1),
        hasta=date(2025, 5, 31),
        sectores=("alto",),
        familias=("propiedad", "robos_violentos"),
        fuente="policial",
    )
    tabla = resumen.tabla_comparacion(con, filtros, unidad="Sector Alto")
    assert list(tabla.columns) == resumen.COLUMNAS
    nombres = {f.familia: f.nombre for f in FAMILIAS}
    for _, fila in tabla.iterrows():
        familias = (
            ["propiedad", "robos_violentos"]
            if fila["familia"] == resumen.TODAS
            else [k for k, v in nombres.items() if v == fila["familia"]]
        )
        actual = Ventana(fila["desde"], fila["hasta"])
        referencia = actual.anterior() if fila["comparacion"] == PERIODO_ANTERIOR else None
        if fila["comparacion"] == ANIO_ANTERIOR:
            referencia = actual.anio_anterior()
        esperado_actual = fixtures.contar(df, actual, "policial", ["norte", "sur"], familias)
        esperado_anterior = fixtures.contar(df, referencia, "policial", ["norte", "sur"], familias)
        assert fila["actual"] == esperado_actual, fila.to_dict()
        assert fila["anterior"] == esperado_anterior, fila.to_dict()
        assert fila["z_poisson"] == pytest.approx(
            2 * (np.sqrt(esperado_actual) - np.sqrt(esperado_anterior))
        )
    assert not tabla.duplicated(["familia", "periodo", "comparacion"]).any()
    periodos = tabla.drop_duplicates(["periodo", "comparacion"])[["periodo", "comparacion"]]
    assert len(periodos) == 7  # seleccionado ×2, 7 días ×2, 28 días ×2, año a la fecha ×1
    assert set(tabla["familia"]) == {
        resumen.TODAS,
        "Robos violentos",
        "Contra la propiedad no violentos",
    }
    # En cada comparación: primero todas las familias, luego en el orden del catálogo.
    orden = [resumen.TODAS, "Robos violentos", "Contra la propiedad no violentos"]
    for _, grupo in tabla.groupby(["periodo", "comparacion"], sort=False):
        assert list(grupo["familia"]) == orden
    assert tabla["actual"].dtype == np.int64 and tabla["anterior"].dtype == np.int64


def test_barrios_comparados_coincide_con_pandas(base):
    con, df = base
    filtros = Filtros(desde=date(2025, 6, 1), hasta=date(2025, 6, 30), fuente="central_1402")
    tabla = resumen.barrios_comparados(con, filtros).set_index("barrio_id")
    assert sorted(tabla.index) == sorted(fixtures.BARRIOS["barrio_id"])
    for barrio, fila in tabla.iterrows():
        actual = fixtures.contar(df, filtros.ventana, "central_1402", [barrio])
        anterior = fixtures.contar(df, filtros.ventana.anterior(), "central_1402", [barrio])
        assert (fila["actual"], fila["anterior"]) == (actual, anterior)
        poblacion = fixtures.BARRIOS.set_index("barrio_id").loc[barrio, "poblacion"]
        if poblacion:
            assert fila["tasa"] == pytest.approx(1000 * actual / poblacion)
        else:
            assert np.isnan(fila["tasa"])  # sin población no hay tasa, no un infinito


@pytest.mark.parametrize("barrio", ["norte", "sur", "oriente", "poniente", "no-existe"])
def test_casos_de_la_ficha_coinciden_con_pandas_y_con_la_tabla_de_barrios(base, barrio):
    con, df = base
    # Con sector y familia elegidos: la Ficha cuenta toda la comuna y todas las familias.
    filtros = Filtros(
        desde=date(2025, 6, 1),
        hasta=date(2025, 6, 30),
        fuente="central_1402",
        sectores=("bajo",),
        familias=("robos_violentos",),
    )
    datos = ficha.casos(con, filtros, barrio)
    tabla = resumen.barrios_comparados(con, ficha.de_la_ficha(filtros))
    propia = tabla[tabla["barrio_id"] == barrio]
    pd.testing.assert_series_equal(
        datos["fila"], propia.iloc[0] if len(propia) else pd.Series(dtype=object)
    )
    total = sum(
        fixtures.contar(df, filtros.ventana, "central_1402", [b])
        for b in fixtures.BARRIOS["barrio_id"]
    )
    assert datos["tasa_comuna"] == pytest.approx(1000 * total / fixtures.BARRIOS["poblacion"].sum())
    if barrio == "no-existe":
        assert datos["fila"].empty
        return
    actual = fixtures.contar(df, filtros.ventana, "central_1402", [barrio])
    anterior = fixtures.contar(df, filtros.ventana.anterior(), "central_1402", [barrio])
    fila = datos["fila"]
    assert (fila["barrio_id"], fila["actual"], fila["anterior"]) == (barrio, actual, anterior)
    assert fila.name == sorted(fixtures.BARRIOS["nombre"]).index(fila["nombre"])
    poblacion = fixtures.BARRIOS.set_index("barrio_id").loc[barrio, "poblacion"]
    if poblacion:
        assert fila["tasa"] == pytest.approx(1000 * actual / poblacion)
    else:
        assert np.isnan(fila["tasa"])
    if anterior:
        assert fila["variacion_pct"] == pytest.approx(100 * (actual - anterior) / anterior)
    else:
        assert np.isnan(fila["variacion_pct"])
    assert fila["z_poisson"] == pytest.approx(2 * (np.sqrt(actual) - np.sqrt(anterior)))


def test_poblacion_por_sector_y_barrio(base):
    con, _ = base
    dia = date(2025, 1, 1)
    assert resumen.poblacion(con, Filtros(dia, dia)) == 3900
    assert resumen.poblacion(con, Filtros(dia, dia, sectores=("alto",))) == 3500
    assert resumen.poblacion(con, Filtros(dia, dia, barrios=("oriente",))) == 400


def test_catalogo_y_metadatos(base):
    con, df = base
    cat = catalogos.catalogo(con)
    assert cat.corte == fixtures.CORTE
    assert cat.primera == df["fecha_hora"].min().date()
    assert cat.nombres("sectores") == {"alto": "Alto", "bajo": "Bajo"}
    assert cat.metadatos["version"] == "fixture-1"


def test_valor_hostil_viaja_como_parametro_y_no_como_sql(base):
    con, _ = base
    hostil = "policial'; DROP TABLE incidentes; --"
    filtros = Filtros(date(2023, 1, 1), date(2025, 6, 30), fuente=hostil, barrios=("x' OR 1=1",))
    assert resumen.barrios_comparados(con, filtros).empty
    assert leer(con, "rango_fechas")["primera"].notna().all()


def test_cargador_sql_incluye_bloques_y_exige_parametros(base):
    con, _ = base
    texto = consulta("casos_por_barrio")
    assert "{{" not in texto and "list_contains($familias, i.familia)" in texto
    with pytest.raises(KeyError, match="desde"):
        leer(con, "casos_por_barrio", fuente="policial")
    assert isinstance(leer(con, "sectores"), pd.DataFrame)
