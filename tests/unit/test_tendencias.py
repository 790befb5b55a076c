import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from consultas import resumen, tendencias
from consultas.estadistica import POCOS
from consultas.filtros import Filtros
from consultas.periodos import Ventana
from tests import fixtures

SEMESTRE = Ventana(date(2025, 1, 1), date(2025, 6, 30))


def _contar(df, desde: date, hasta: date, **filtro) -> int:
    return fixtures.contar(df, Ventana(desde, hasta), **filtro)


def test_unidades_completas_a_mano():
    u = tendencias.unidades(Ventana(date(2026, 10, 2), date(2026, 10, 31)), "semana")
    # 30 días: 4 semanas contadas hacia atrás desde el sábado 31; el 2 y 3 de octubre sobran.
    assert [d.date() for d in u["fecha"]] == [date(2026, 10, d) for d in (4, 11, 18, 25)]
    assert u["fin"].iloc[-1].date() == date(2026, 10, 31)
    meses = tendencias.unidades(Ventana(date(2026, 1, 15), date(2026, 4, 10)), "mes")
    assert [(d.date(), f.date()) for d, f in zip(meses["fecha"], meses["fin"], strict=True)] == [
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert tendencias.unidades(Ventana(date(2026, 10, 4), date(2026, 10, 31)), "mes").empty
    assert tendencias.unidades(Ventana(date(2026, 10, 25), date(2026, 10, 30)), "semana").empty
    assert len(tendencias.unidades(Ventana(date(2024, 2, 28), date(2024, 3, 1)), "dia")) == 3


def test_serie_semanal_coincide_con_conteos_independientes(base):
    con, df = base
    filtros = Filtros(SEMESTRE.desde, SEMESTRE.hasta, sectores=("alto",))
    filtro = {"fuente": "policial", "barrios": ["norte", "sur"]}
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "total")
    primer = tendencias.primer_dia(con, "policial")
    assert primer == df.loc[df["fuente"] == "policial", "fecha_hora"].min().date()
    serie = tendencias.serie(historia, filtros.ventana, "semana", primer)
    assert len(serie) == 25  # 181 días: 25 semanas completas que terminan el 30-06-2025
    assert serie["esperado"].notna().sum() >= 20
    for fila in serie.itertuples():
        desde, hasta = fila.fecha.date(), fila.fin.date()
        assert hasta - desde == timedelta(days=6)
        assert fila.casos == _contar(df, desde, hasta, **filtro)
        semanas = [
            _contar(df, desde - timedelta(7 * j), hasta - timedelta(7 * j), **filtro)
            for j in range(4)
        ]
        assert fila.media_movil == pytest.approx(np.mean(semanas))
        hace = timedelta(days=364)
        assert fila.hace_1_anio == _contar(df, desde - hace, hasta - hace, **filtro)
        assert math.isnan(fila.hace_3_anios)  # 2022: antes de los datos, no cero
        referencias = [
            _contar(df, desde - timedelta(d), hasta - timedelta(d), **filtro)
            for k in (1, 2, 3)
            for d in (364 * k - 7, 364 * k, 364 * k + 7)
            if desde - timedelta(d) >= primer
        ]
        if len(referencias) < 3:
            assert math.isnan(fila.esperado) and fila.posicion == tendencias.SIN_HISTORIA
            continue
        assert fila.esperado == pytest.approx(np.mean(referencias))
        inferior, superior = tendencias.limites_banda(
            np.mean(referencias), np.var(referencias, ddof=1)
        )
        assert (fila.limite_inferior, fila.limite_superior) == (inferior[0], superior[0])
        assert fila.fuera == (fila.casos > superior[0] or fila.casos < inferior[0])


def test_serie_mensual_ajusta_al_largo_del_mes_y_desglosa_por_familia(base):
    con, df = base
    filtros = Filtros(date(2025, 2, 1), date(2025, 3, 31), familias=("propiedad",))
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "familia")
    assert set(historia["grupo"]) == {"Contra la propiedad no violentos"}
    serie = tendencias.serie(
        historia, filtros.ventana, "mes", tendencias.primer_dia(con, "policial")
    )
    febrero = serie.iloc[0]
    assert febrero.fecha.date() == date(2025, 2, 1)
    filtro = {"fuente": "policial", "familias": ["propiedad"]}
    assert febrero.casos == _contar(df, date(2025, 2, 1), date(2025, 2, 28), **filtro)
    # Referencias de febrero: ene, feb y mar de 2024 y de 2023, llevadas a 28 días.
    referencias = []
    for anio in (2024, 2023):
        for mes in (1, 2, 3):
            inicio = date(anio, mes, 1)
            fin = (pd.Timestamp(inicio) + pd.offsets.MonthEnd(0)).date()
            casos = _contar(df, inicio, fin, **filtro)
            referencias.append(casos * 28 / ((fin - inicio).days + 1))
    assert febrero.esperado == pytest.approx(np.mean(referencias))
    por_tipo = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "delito")
    assert por_tipo["casos"].sum() == historia["casos"].sum()


def test_limites_de_la_banda_calculados_a_mano():
    # Poisson(10): P(X ≤ 3) = 0,0103 < 0,025 ≤ P(X ≤ 4) = 0,0293; P(X ≤ 16) = 0,9730 < 0,975
    # ≤ P(X ≤ 17) = 0,9857.
    inferior, superior = tendencias.limites_banda([10.0], [8.0])
    assert (inferior[0], superior[0]) == (4, 17)
    # Media 10 y varianza 20: binomial negativa con r = 10² / (20 − 10) = 10 y p = 0,5.
    pmf = [math.comb(k + 9, k) * 0.5**10 * 0.5**k for k in range(80)]
    acumulada = np.cumsum(pmf)
    esperados = (int(np.argmax(acumulada >= 0.025)), int(np.argmax(acumulada >= 0.975)))
    inferior, superior = tendencias.limites_banda([10.0], [20.0])
    assert (inferior[0], superior[0]) == esperados == (3, 20)
    cero_inf, cero_sup = tendencias.limites_banda([0.0], [0.0])
    assert (cero_inf[0], cero_sup[0]) == (0, 0)


def test_posicion_en_la_banda():
    casos = np.array([20, 3, 17, 2, 9, 4])
    esperado = np.array([10, 10, 10, 2.5, np.nan, 10])
    inferior = np.array([4, 4, 4, 0, np.nan, 4])
    superior = np.array([17, 17, 17, 6, np.nan, 17])
    assert list(tendencias.posicion_banda(casos, esperado, inferior, superior)) == [
        tendencias.SOBRE,
        tendencias.BAJO,
        tendencias.DENTRO,  # en el borde no es "fuera"
        POCOS,  # 2 + 2,5 < 6 casos
        tendencias.SIN_HISTORIA,
        tendencias.DENTRO,
    ]


def _poisson_cdf(k: int, media: float) -> float:
    return sum(math.exp(-media) * media**i / math.factorial(i) for i in range(k + 1))


def test_limites_del_embudo_calculados_a_mano():
    # Tasa 10 por 1.000 y 1.000 habitantes: 10 casos esperados. Cuantil 97,5 % de Poisson(10):
    # r = 17; α = (F(17) − 0,975) / (F(17) − F(16)); límite = (17 − α) casos = 16,16 por 1.000.
    f17, f16 = _poisson_cdf(17, 10), _poisson_cdf(16, 10)
    superior_mano = 17 - (f17 - 0.975) / (f17 - f16)
    f4, f3 = _poisson_cdf(4, 10), _poisson_cdf(3, 10)
    inferior_mano = 4 - (f4 - 0.025) / (f4 - f3)
    inferior, superior = tendencias.limites_embudo([1000, 0, 4000], 10.0, 0.95)
    assert superior[0] == pytest.approx(superior_mano, rel=1e-9)
    assert superior[0] == pytest.approx(16.16, abs=0.01)
    assert inferior[0] == pytest.approx(inferior_mano, rel=1e-9)
    assert np.isnan(superior[1]) and np.isnan(inferior[1])  # sin población, sin límites
    # Más población, embudo más angosto; siempre alrededor de la tasa de referencia.
    assert inferior[0] < inferior[2] < 10 < superior[2] < superior[0]
    inf998, sup998 = tendencias.limites_embudo([1000], 10.0, 0.998)
    assert inf998[0] < inferior[0] and sup998[0] > superior[0]


def test_comparacion_por_barrio_coincide_con_pandas_y_con_resumen(base):
    con, df = base
    filtros = Filtros(date(2025, 4, 1), date(2025, 6, 30), sectores=("alto",))
    tabla = tendencias.comparacion(con, filtros, "barrio").set_index("unidad_id")
    assert sorted(tabla.index) == ["norte", "sur"]
    actual_comuna = _contar(df, filtros.desde, filtros.hasta, fuente="policial")
    for barrio, fila in tabla.iterrows():
        filtro = {"fuente": "policial", "barrios": [barrio]}
        assert fila["actual"] == _contar(df, filtros.desde, filtros.hasta, **filtro)
        anterior = filtros.ventana.anterior()
        assert fila["anterior"] == _contar(df, anterior.desde, anterior.hasta, **filtro)
        anio = filtros.ventana.anio_anterior()
        assert fila["anio_anterior"] == _contar(df, anio.desde, anio.hasta, **filtro)
        poblacion = fixtures.BARRIOS.set_index("barrio_id").loc[barrio, "poblacion"]
        assert fila["tasa"] == pytest.approx(1000 * fila["actual"] / poblacion)
        assert fila["z_anual"] == pytest.approx(
            2 * (np.sqrt(fila["actual"]) - np.sqrt(fila["anio_anterior"]))
        )
    # La tasa comunal usa toda la comuna (3.900 habitantes), no solo el sector elegido.
    assert tabla["tasa_comuna"].iloc[0] == pytest.approx(1000 * actual_comuna / 3900)
    # Misma etiqueta que Resumen, por el mismo código.
    en_resumen = resumen.barrios_comparados(con, filtros).set_index("barrio_id")
    assert (tabla["clasificacion"] == en_resumen.loc[tabla.index, "clasificacion"]).all()
    assert (tabla["z_poisson"] == en_resumen.loc[tabla.index, "z_poisson"]).all()


def test_comparacion_por_sector_suma_barrios_y_marca_sin_poblacion(base):
    con, _ = base
    filtros = Filtros(date(2025, 4, 1), date(2025, 6, 30))
    barrios = tendencias.comparacion(con, filtros, "barrio").set_index("unidad_id")
    sectores = tendencias.comparacion(con, filtros, "sector").set_index("unidad_id")
    assert sectores.loc["bajo", "actual"] == barrios.loc[["oriente", "poniente"], "actual"].sum()
    assert sectores.loc["bajo", "poblacion"] == 400
    assert barrios.loc["poniente", "embudo"] == tendencias.SIN_POBLACION
    assert np.isnan(barrios.loc["poniente", "tasa"])
    # La posición en el embudo sigue los límites de la misma fila.
    for _, fila in barrios.drop("poniente").iterrows():
        if fila["tasa"] > fila["limite_998_sup"]:
            assert fila["embudo"] == tendencias.SOBRE_998
        elif fila["tasa"] < fila["limite_95_sup"] and fila["tasa"] > fila["limite_95_inf"]:
            assert fila["embudo"] == tendencias.DENTRO_EMBUDO


def test_grillas_de_hora_y_de_mes_coinciden_con_pandas(base):
    con, df = base
    filtros = Filtros(SEMESTRE.desde, SEMESTRE.hasta, fuente="central_1402")
    grilla = tendencias.hora_y_dia(con, filtros)
    assert grilla.shape == (7, 24)
    sel = df[
        (df["fuente"] == "central_1402")
        & (df["fecha_hora"] >= "2025-01-01")
        & (df["fecha_hora"] < "2025-07-01")
    ]
    esperado = sel.groupby([sel["fecha_hora"].dt.day_of_week + 1, sel["fecha_hora"].dt.hour]).size()
    for (dia, hora), n in esperado.items():
        assert grilla.loc[dia, hora] == n
    assert grilla.to_numpy().sum() == len(sel)

    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "total")
    primer = tendencias.primer_dia(con, "central_1402")
    meses = tendencias.mes_y_anio(historia, primer, date(2025, 6, 15))
    todos = df[df["fuente"] == "central_1402"]
    mensual = todos.groupby([todos["fecha_hora"].dt.year, todos["fecha_hora"].dt.month]).size()
    assert meses.loc[2024, 3] == mensual.loc[(2024, 3)]
    assert np.isnan(meses.loc[2025, 6])  # junio de 2025 no está completo al 15
    assert meses.loc[2025, 5] == mensual.loc[(2025, 5)]


def test_ultimas_unidades_contra_las_anteriores(base):
    con, df = base
    filtros = Filtros(SEMESTRE.desde, SEMESTRE.hasta)
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "familia")
    primer = tendencias.primer_dia(con, "policial")
    tabla = tendencias.ultimas(historia, filtros.ventana, "semana", primer).set_index("grupo")
    total = tabla.loc[tendencias.TOTAL]
    assert total["actual"] == _contar(df, date(2025, 6, 3), date(2025, 6, 30), fuente="policial")
    assert total["anterior"] == _contar(df, date(2025, 5, 6), date(2025, 6, 2), fuente="policial")
    assert total["z_poisson"] == pytest.approx(
        2 * (np.sqrt(total["actual"]) - np.sqrt(total["anterior"]))
    )
    assert tabla.drop(tendencias.TOTAL)["actual"].sum() == total["actual"]
    # Con una sola familia en el desglose también hay fila total.
    una = Filtros(SEMESTRE.desde, SEMESTRE.hasta, familias=("propiedad",))
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(una), "familia")
    tabla = tendencias.ultimas(historia, una.ventana, "mes", primer).set_index("grupo")
    assert list(tabla.index) == ["Contra la propiedad no violentos", tendencias.TOTAL]
    assert tabla.loc[tendencias.TOTAL, "actual"] == _contar(
        df, date(2025, 4, 1), date(2025, 6, 30), fuente="policial", familias=["propiedad"]
    )


def test_actividades_del_territorio_y_periodo(base):
    con, _ = base
    todas = tendencias.actividades(con, Filtros(date(2024, 1, 1), date(2025, 6, 30)))
    assert list(todas["linea"]) == ["2.5", "2.3", "2.1"]
    alto = tendencias.actividades(
        con, Filtros(date(2025, 1, 1), date(2025, 6, 30), sectores=("alto",))
    )
    assert list(alto["barrio"]) == ["Norte"]
    assert alto["participantes"].iloc[0] == 40


def test_entradas_sin_datos_no_rompen(base):
    con, _ = base
    corto = Ventana(date(2025, 6, 1), date(2025, 6, 20))
    historia = tendencias.casos_diarios(con, Filtros(corto.desde, corto.hasta), "total")
    primer = tendencias.primer_dia(con, "policial")
    assert tendencias.serie(historia, corto, "mes", primer).empty
    assert tendencias.ultimas(historia, corto, "mes", primer).empty
    assert tendencias.primer_dia(con, "fuente'; DROP TABLE incidentes; --") is None
    vacia = historia.iloc[0:0]
    assert tendencias.serie(vacia, corto, "semana", None).empty
    sin_casos = tendencias.serie(vacia, corto, "semana", primer)
    assert (sin_casos["casos"] == 0).all() and len(sin_casos) == 2
    assert tendencias.mes_y_anio(vacia, None, corto.hasta).empty
    sin_historia = tendencias.serie(
        historia, Ventana(date(2023, 2, 1), date(2023, 3, 31)), "semana", primer
    )
    assert (sin_historia["posicion"] == tendencias.SIN_HISTORIA).all()
    # Todas las unidades empiezan antes del primer día: sin filas, con las columnas y tipos de
    # siempre.
    antes = tendencias.serie(
        historia, Ventana(primer - timedelta(days=20), primer), "semana", primer
    )
    assert antes.empty and list(antes.columns) == tendencias.COLUMNAS_SERIE
    assert antes["grupo"].dtype == sin_historia["grupo"].dtype
    assert antes["casos"].dtype == sin_historia["casos"].dtype == np.int64


def test_sobredispersion_de_spiegelhalter_a_mano():
    # 10 barrios de 1.000 habitantes con tasa comunal 10 por 1.000: E = 10 casos cada uno.
    tabla = pd.DataFrame(
        {
            "poblacion": [1000] * 10,
            "tasa_comuna": [10.0] * 10,
            "embudo": [tendencias.DENTRO_EMBUDO] * 10,
            "actual": [0, 20] * 5,  # z = ±√10: φ = 10, muy sobre χ²(9) al 95 % / 10 = 1,69
        }
    )
    assert tendencias.sobredispersion(tabla) == pytest.approx(10.0)
    # 7 y 13 casos: z = ±3/√10, φ = 0,9: dentro de lo que da el azar.
    assert tendencias.sobredispersion(tabla.assign(actual=[7, 13] * 5)) is None
    assert tendencias.sobredispersion(tabla.head(9)) is None  # con menos de 10 no se estima


def test_historia_y_meses_atras_iguales_a_pandas():
    """La tabla acumulada día × grupo (en numpy) es la de pivot_table, con grupos en orden
    alfabético, días sin casos en cero, días fuera del rango y un grupo faltante fuera; los meses
    hacia atrás son los de PeriodIndex."""
    rng = np.random.default_rng(3)
    dias = pd.to_datetime(date(2023, 1, 1)) + pd.to_timedelta(rng.integers(-5, 400, 300), "D")
    historia = pd.DataFrame(
        {
            "dia": dias,
            "grupo": pd.Series(rng.choice(["robos", "hurtos", "Armas", None], 300), dtype="str"),
            "casos": rng.integers(1, 9, 300),
        }
    )
    primer, hasta = date(2023, 1, 1), date(2023, 12, 31)
    h = tendencias._Historia(historia, primer, hasta)
    esperado = historia.pivot_table(
        index="dia", columns="grupo", values="casos", aggfunc="sum", fill_value=0
    ).reindex(pd.date_range(primer, hasta, freq="D"), fill_value=0)
    assert h.grupos == list(esperado.columns) == ["Armas", "hurtos", "robos"]
    np.testing.assert_array_equal(h.acumulado[1:], esperado.to_numpy(float).cumsum(axis=0))
    u = tendencias.unidades(Ventana(date(2022, 3, 1), date(2023, 2, 28)), "mes")
    for n in (0, 1, 12, 37):
        inicios, fines = tendencias._atras(tendencias._en_numpy(u), "mes", n)
        meses = pd.PeriodIndex(u["fecha"], freq="M") - n
        assert list(inicios) == list(meses.start_time)
        assert list(fines) == list(meses.end_time.normalize())


def test_cuantil_de_poisson_igual_a_scipy():
    from scipy import stats

    rng = np.random.default_rng(7)
    medias = np.concatenate(
        [
            [0.0, np.nan, -1.0, 1e-12, np.inf, 2e9, 1e12],  # las tres últimas, por scipy
            np.logspace(-3, 5, 4000),
            np.arange(0, 500.0),
            rng.uniform(0, 50, 2000),
        ]
    )
    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        np.testing.assert_array_equal(
            tendencias.cuantil_poisson(q, medias), stats.poisson.ppf(q, medias)
        )


def _meses_con_pandas(ventana: Ventana) -> pd.DataFrame:
    desde, hasta = pd.Timestamp(ventana.desde), pd.Timestamp(ventana.hasta)
    meses = pd.period_range(desde, hasta, freq="M")
    u = pd.DataFrame({"fecha": meses.start_time, "fin": meses.end_time.normalize()})
    return u[(u["fecha"] >= desde) & (u["fin"] <= hasta)].reset_index(drop=True)


@pytest.mark.parametrize(
    ("desde", "hasta"),
    [
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 1, 2), date(2024, 12, 30)),
        (date(2023, 2, 1), date(2024, 2, 29)),
        (date(2024, 2, 1), date(2024, 2, 28)),
        (date(2025, 6, 3), date(2025, 6, 30)),
        (date(2019, 12, 31), date(2026, 1, 1)),
        (date(2025, 6, 30), date(2025, 6, 30)),
    ],
)
def test_meses_completos_igual_a_period_range(desde, hasta):
    ventana = Ventana(desde, hasta)
    pd.testing.assert_frame_equal(tendencias.unidades(ventana, "mes"), _meses_con_pandas(ventana))


def test_la_suma_acumulada_se_arma_una_vez_por_historia(base, monkeypatch):
    con, _ = base
    filtros = Filtros(SEMESTRE.desde, SEMESTRE.hasta)
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "familia")
    primer = tendencias.primer_dia(con, "policial")
    esperadas = [
        tendencias.serie(historia.copy(), filtros.ventana, "semana", primer),
        tendencias.ultimas(historia.copy(), filtros.ventana, "semana", primer),
        tendencias.mes_y_anio(historia.copy(), primer, filtros.hasta),
    ]
    armadas = []
    original = tendencias._Historia
    monkeypatch.setattr(tendencias, "_Historia", lambda *a: armadas.append(a) or original(*a))
    obtenidas = [
        tendencias.serie(historia, filtros.ventana, "semana", primer),
        tendencias.ultimas(historia, filtros.ventana, "semana", primer),
        tendencias.mes_y_anio(historia, primer, filtros.hasta),
    ]
    assert len(armadas) == 1
    for obtenida, esperada in zip(obtenidas, esperadas, strict=True):
        pd.testing.assert_frame_equal(obtenida, esperada)
    tendencias.serie(historia.copy(), filtros.ventana, "semana", primer)  # otra historia
    tendencias.serie(historia, filtros.ventana, "semana", date(2024, 1, 1))  # otro primer día
    assert len(armadas) == 3


@pytest.mark.parametrize(("tasa", "maxima"), [(3.2, 25_000), (0.0, 800), (float("nan"), 5_000)])
def test_curvas_del_embudo_igual_a_columna_por_columna(tasa, maxima):
    poblacion = np.linspace(max(maxima, 1) / 200, 1.05 * maxima, 200)
    esperado = pd.DataFrame({"poblacion": poblacion})
    for nivel in tendencias.NIVELES_EMBUDO:
        inferior, superior = tendencias.limites_embudo(poblacion, tasa, nivel)
        nombre = tendencias._nombre_nivel(nivel)
        esperado[f"inf_{nombre}"], esperado[f"sup_{nombre}"] = inferior, superior
    pd.testing.assert_frame_equal(tendencias.curvas_embudo(tasa, maxima), esperado)
