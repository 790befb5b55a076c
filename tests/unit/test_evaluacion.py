"""Evaluación de intervenciones (WDD): cálculos hechos a mano, reglas de intervención, comparación
y datos insuficientes en una base pequeña, y el efecto plantado en la demostración."""

import math
from datetime import date, datetime, timedelta

import duckdb
import h3.api.basic_int as h3
import numpy as np
import pandas as pd
import pytest

from consultas import evaluacion as ev
from consultas import sql
from datos import catalogo, demo
from tests import fixtures

# --- WDD, varianza, z, p y veredictos, a mano ------------------------------------------------


def test_wdd_sin_cambio_distinguible():
    # Barrio 100 -> 70, comparación 100 -> 100: WDD = -30, Var = 370, z = −30/√370 = −1,5596.
    tabla = ev.calcular(
        pd.DataFrame(
            {
                "antes": [100],
                "despues": [70],
                "comparacion_antes": [100],
                "comparacion_despues": [100],
            }
        )
    ).iloc[0]
    assert tabla["wdd"] == -30
    assert tabla["varianza"] == 370
    assert tabla["z"] == pytest.approx(-1.559626, abs=1e-6)
    assert tabla["p_valor"] == pytest.approx(math.erfc(1.559626 / math.sqrt(2)), abs=1e-6)
    assert tabla["veredicto"] == ev.SIN_CAMBIO


def test_wdd_baja_y_alza():
    tabla = ev.calcular(
        pd.DataFrame(
            {
                "antes": [200, 50],
                "despues": [140, 80],
                "comparacion_antes": [180, 60],
                "comparacion_despues": [190, 55],
            }
        )
    )
    # (140 − 200) − (190 − 180) = −70, Var 710, z = −2,6271; (80 − 50) − (55 − 60) = 35, Var 245.
    assert tabla["wdd"].tolist() == [-70, 35]
    assert tabla["varianza"].tolist() == [710, 245]
    assert tabla["z"].tolist() == pytest.approx([-70 / math.sqrt(710), 35 / math.sqrt(245)])
    assert tabla["p_valor"].tolist() == pytest.approx([0.008613, 0.025347], abs=1e-6)
    assert tabla["veredicto"].tolist() == [ev.BAJA, ev.ALZA]


def test_wdd_con_area_de_desplazamiento():
    # Barrio 50 -> 30, comparación 40 -> 45, desplazamiento 60 -> 70: −20 − 5 + 10 = −15.
    assert ev.wdd(50, 30, 40, 45, desplazamiento=(60, 70)) == -15
    assert ev.varianza(50, 30, 40, 45, 60, 70) == 295


def test_calcular_con_la_franja_de_desplazamiento():
    conteos = pd.DataFrame(
        {
            "antes": [100],
            "despues": [70],
            "comparacion_antes": [60],
            "comparacion_despues": [66],
            "desplazamiento_antes": [40],
            "desplazamiento_despues": [55],
        }
    )
    fila = ev.calcular(conteos).iloc[0]
    # (70 − 100) − (66 − 60) + (55 − 40) = −21; varianza 100 + 70 + 60 + 66 + 40 + 55 = 391.
    assert (fila["wdd"], fila["varianza"]) == (-21, 391)
    assert fila["z"] == pytest.approx(-21 / 391**0.5)
    assert fila["veredicto"] == ev.SIN_CAMBIO


def test_veredicto_en_los_bordes_y_con_pocos_casos():
    z = [-1.96, 1.96, -1.9599, 1.9599, -5.0, float("nan")]
    antes = [100, 100, 100, 100, ev.MINIMO_CASOS - 1, 100]
    assert ev.veredicto(z, antes, [100] * 6).tolist() == [
        ev.BAJA,
        ev.ALZA,
        ev.SIN_CAMBIO,
        ev.SIN_CAMBIO,
        ev.INSUFICIENTE,
        ev.INSUFICIENTE,
    ]
    # La comparación también necesita el mínimo.
    assert ev.veredicto([-5.0], [100], [ev.MINIMO_CASOS - 1]).tolist() == [ev.INSUFICIENTE]


def test_varianza_cero_no_da_z():
    assert np.isnan(ev.z_wdd(0, 0))


def test_ventanas_iguales_en_dias():
    desde, inicio, fin = ev.ventanas(date(2024, 3, 31), 6)
    assert fin == date(2024, 9, 30)
    assert inicio - desde == fin - inicio == timedelta(days=183)


# --- Reglas sobre una base pequeña hecha a mano -----------------------------------------------

INICIO = date(2024, 7, 1)  # ventanas de 6 meses: antes [30-12-2023, 01-07-2024), después 184 días


def _casos(barrio: str, desde: date, dias: int, n: int, delito="hurto", fuente="policial"):
    """n casos repartidos parejo en [desde, desde + dias)."""
    paso = dias * 24 * 60 / n
    familia = {d.delito: d.familia for d in catalogo.DELITOS}[delito]
    return [
        {
            "fecha_hora": datetime.combine(desde, datetime.min.time())
            + timedelta(minutes=int(k * paso)),
            "familia": familia,
            "delito": delito,
            "fuente": fuente,
            "barrio_id": barrio,
        }
        for k in range(n)
    ]


def _base(ruta):
    antes, despues = date(2023, 12, 30), INICIO
    filas = (
        _casos("norte", antes, 184, 100)
        + _casos("norte", despues, 184, 70)
        + _casos("norte", antes, 184, 30, delito="amenazas")  # no es DMCS: no cuenta
        + _casos("norte", despues, 184, 20, fuente="central_1402")  # otra fuente: no cuenta
        + _casos("oriente", antes, 184, 60)
        + _casos("oriente", despues, 184, 66)
        + _casos("sur", antes, 184, 50)
        + _casos("sur", despues, 184, 50)
        + _casos("poniente", date(2023, 6, 1), 1, 1)
    )
    df = pd.DataFrame(filas).sort_values("fecha_hora", ignore_index=True)
    df.insert(0, "incidente_id", [f"E-{k:05d}" for k in range(len(df))])
    df["lat"], df["lon"] = -33.395, -70.595
    celda = h3.latlng_to_cell(-33.395, -70.595, 9)
    df["h3"] = np.uint64(celda)
    df["h3_11"] = np.uint64(h3.latlng_to_cell(-33.395, -70.595, 11))
    df = df[["incidente_id", "fecha_hora", "familia", "delito", "fuente", "lat", "lon"]].assign(
        barrio_id=df["barrio_id"], h3=df["h3"], h3_11=df["h3_11"]
    )
    fixtures.construir(ruta, df, fixtures.SIN_ACTIVIDADES)
    actividades = pd.DataFrame(
        [
            ("A-1", INICIO, "norte", "2.1", "Diagnóstico participativo", 20, 5),
            ("A-2", date(2024, 7, 20), "norte", "2.1", "Ajuste operativo", 5, 0),  # sin calma
            ("A-3", INICIO, "sur", "2.1", "Diagnóstico participativo", 20, 5),
            ("A-4", INICIO, "poniente", "2.3", "Capacitaciones", 10, 3),
            ("A-5", date(2025, 6, 2), "sur", "2.3", "Campañas preventivas", 30, 100),
            ("A-6", date(2023, 8, 1), "oriente", "2.4", "Desarrollo de activaciones", 40, 20),
        ],
        columns=["actividad_id", "fecha", "barrio_id", "linea", "actividad", "participantes"]
        + ["hogares"],
    )
    con = duckdb.connect(str(ruta))
    con.register("act", actividades)
    con.execute("INSERT INTO actividades SELECT * FROM act")
    con.close()


@pytest.fixture(scope="module")
def con_chica(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("evaluacion") / "chica.duckdb"
    _base(ruta)
    con = duckdb.connect(str(ruta), read_only=True)
    yield con
    con.close()


def test_intervenciones_y_reglas(con_chica):
    tabla = ev.evaluar(con_chica, 6).set_index(["barrio", "linea"])
    # La segunda actividad 2.1 de Norte (19 días después) no es una intervención nueva.
    assert sorted(tabla.index) == [
        ("Norte", "2.1"),
        ("Oriente", "2.4"),
        ("Poniente", "2.3"),
        ("Sur", "2.1"),
        ("Sur", "2.3"),
    ]
    norte = tabla.loc[("Norte", "2.1")]
    assert (norte["antes"], norte["despues"]) == (100, 70)
    # Comparación: Oriente (otro sector, tasa 150 contra 100 por 1.000); Poniente no tiene
    # población y Sur es del mismo sector.
    assert norte["comparacion"] == "Oriente"
    assert (norte["comparacion_antes"], norte["comparacion_despues"]) == (60, 66)
    assert norte["wdd"] == -36
    assert norte["z"] == pytest.approx(-36 / math.sqrt(296))
    assert norte["veredicto"] == ev.BAJA


def test_datos_insuficientes_con_motivo(con_chica):
    tabla = ev.evaluar(con_chica, 6).set_index(["barrio", "linea"])
    sur = tabla.loc[("Sur", "2.1")]  # tasa 20 por 1.000: Oriente (150) no se le parece
    assert sur["veredicto"] == ev.INSUFICIENTE
    assert "no hay barrios" in sur["motivo"]
    assert sur["antes"] == 50 and pd.isna(sur["comparacion_antes"])
    assert "población" in tabla.loc[("Poniente", "2.3"), "motivo"]
    reciente = tabla.loc[("Sur", "2.3")]
    assert reciente["veredicto"] == ev.INSUFICIENTE
    assert "después del corte" in reciente["motivo"] and "30-06-2025" in reciente["motivo"]
    assert pd.isna(reciente["wdd"]) and np.isnan(reciente["z"])


def test_ventana_anterior_sin_datos(con_chica):
    # La actividad de Oriente del 01-08-2023: su ventana anterior empezaría en febrero de 2023,
    # antes del primer caso (01-06-2023).
    oriente = ev.evaluar(con_chica, 6).set_index("barrio").loc["Oriente"]
    assert oriente["veredicto"] == ev.INSUFICIENTE
    assert "antes del 01-06-2023" in oriente["motivo"]


def test_comparacion_con_actividades_en_las_ventanas_se_excluye(con_chica):
    # Con 12 meses las ventanas de Norte incluyen la actividad de Oriente (08-2023): sin
    # comparación posible.
    norte = ev.evaluar(con_chica, 12).set_index(["barrio", "linea"]).loc[("Norte", "2.1")]
    assert norte["veredicto"] == ev.INSUFICIENTE and "no hay barrios" in norte["motivo"]


def test_filtro_por_barrio_y_columnas_exportables(con_chica):
    tabla = ev.exportable(con_chica, 6, ("norte",))
    assert list(tabla.columns) == ev.COLUMNAS
    assert tabla["barrio"].tolist() == ["Norte"]
    assert str(tabla["antes"].dtype) == "Int64"


def test_frase(con_chica):
    texto = ev.frase(ev.evaluar(con_chica, 6))
    assert texto.startswith("5 intervenciones: 1 baja significativa y 4 con datos")
    assert texto.endswith("insuficientes. Bajas significativas en Norte.")
    orden = ev.ordenar(ev.evaluar(con_chica, 6))
    assert orden["veredicto"].iloc[0] == ev.BAJA
    assert orden["inicio"].iloc[1:].is_monotonic_decreasing


# --- El efecto plantado en la demostración ----------------------------------------------------


@pytest.fixture(scope="module")
def con_demo(tmp_path_factory):
    ruta = tmp_path_factory.mktemp("evaluacion") / "demo.duckdb"
    demo.generar(ruta)
    con = duckdb.connect(str(ruta), read_only=True)
    yield con
    con.close()


def _plantadas(tabla: pd.DataFrame) -> pd.DataFrame:
    claves = pd.DataFrame(demo.EFECTOS_PLANTADOS, columns=["barrio", "inicio"])
    return tabla.merge(claves, on=["barrio", "inicio"])


def test_efecto_plantado_se_recupera_con_ventanas_de_12_meses(con_demo):
    tabla = ev.evaluar(con_demo, 12)
    plantadas = _plantadas(tabla)
    assert len(plantadas) == len(demo.EFECTOS_PLANTADOS)
    assert (plantadas["veredicto"] == ev.BAJA).all(), plantadas[ev.COLUMNAS]
    # La baja del barrio ronda el 25 % plantado.
    cambio = plantadas["despues"] / plantadas["antes"] - 1
    assert cambio.between(-0.35, -0.12).all(), cambio


def test_con_franja_el_efecto_plantado_sigue_y_la_franja_se_cuenta_aparte(con_demo):
    tabla = _plantadas(ev.evaluar(con_demo, 12, desplazamiento=True))
    assert (tabla["veredicto"] == ev.BAJA).all(), tabla[ev.COLUMNAS]
    # En la demostración no se plantó desplazamiento: la franja casi no cambia (±15 %).
    cambio = tabla["desplazamiento_despues"] / tabla["desplazamiento_antes"] - 1
    assert (tabla["desplazamiento_antes"] > 0).all() and cambio.abs().lt(0.15).all(), cambio
    franja = tabla["desplazamiento_despues"] - tabla["desplazamiento_antes"]
    sin = (
        tabla["despues"]
        - tabla["antes"]
        - (tabla["comparacion_despues"] - tabla["comparacion_antes"])
    )
    assert (tabla["wdd"] == sin + franja).all()


def test_sin_bajas_donde_no_se_planto(con_demo):
    for meses in (6, 12):
        tabla = ev.evaluar(con_demo, meses)
        plantados = {b for b, _ in demo.EFECTOS_PLANTADOS}
        otras = tabla[~tabla["barrio"].isin(plantados) & (tabla["veredicto"] != ev.INSUFICIENTE)]
        assert len(otras) >= 30
        # A lo más la tasa nominal de una cola (2,5 %), con holgura: 5 %; y centradas en cero.
        assert (otras["veredicto"] == ev.BAJA).mean() <= 0.05
        assert abs(otras["z"].mean()) < 0.5


def test_con_6_meses_la_baja_plantada_se_ve_pero_no_siempre_se_distingue(con_demo):
    """Con la ventana por defecto la baja está (WDD negativo, el barrio baja más de un 15 %),
    pero ~300 casos por ventana dan z ≈ −2,2 esperado: no siempre supera −1,96."""
    plantadas = _plantadas(ev.evaluar(con_demo, 6))
    assert (plantadas["wdd"] < 0).all()
    assert (plantadas["despues"] < 0.85 * plantadas["antes"]).all()
    assert (plantadas["baja_minima_pct"] > 20).all()


def test_sumar_meses_como_dateoffset_de_pandas():
    dias = pd.date_range("2023-01-01", "2025-03-31", freq="D")
    for meses in VENTANAS_MESES:
        esperado = [(d + pd.DateOffset(months=meses)).date() for d in dias]
        assert [ev.sumar_meses(d.date(), meses) for d in dias] == esperado


VENTANAS_MESES = (*ev.VENTANAS, 1, 24)


def test_conteos_contra_un_conteo_de_pandas():
    diarios = pd.DataFrame(
        {
            "barrio_id": ["b", "a", "b", "x", "a", "b"],
            "dia": pd.to_datetime(
                ["2024-01-01", "2024-01-03", "2024-01-03", "2024-01-02", "2024-01-10", "2024-01-10"]
            ),
            "casos": [3, 1, 2, 7, 5, 4],
        }
    )
    conteos = ev.Conteos(diarios, ["a", "b", "c"], date(2024, 1, 1), date(2024, 1, 10))
    for desde, hasta in [
        (date(2024, 1, 1), date(2024, 1, 11)),
        (date(2024, 1, 2), date(2024, 1, 10)),
    ]:
        en = (diarios["dia"] >= pd.Timestamp(desde)) & (diarios["dia"] < pd.Timestamp(hasta))
        esperado = diarios[en].groupby("barrio_id")["casos"].sum()
        obtenido = conteos.casos(desde, hasta)
        assert obtenido.tolist() == [esperado.get(b, 0) for b in ("a", "b", "c")]
    # El barrio "x" no es de la lista: no se cuenta en ninguno.
    assert conteos.casos(date(2024, 1, 1), date(2024, 1, 11)).sum() == 15


def test_ordenar_igual_al_orden_de_pandas():
    azar = np.random.default_rng(3)
    tabla = pd.DataFrame(
        {
            "veredicto": azar.choice(ev.VEREDICTOS, 60),
            "inicio": [date(2024, 1, 1) + timedelta(days=int(d)) for d in azar.integers(0, 9, 60)],
            "barrio": [f"b{k}" for k in range(60)],
        },
        index=azar.permutation(60),
    )
    rango = tabla["veredicto"].map({v: k for k, v in enumerate(ev.VEREDICTOS)})
    esperado = (
        tabla.assign(_orden=rango)
        .sort_values(["_orden", "inicio"], ascending=[True, False])
        .drop(columns="_orden")
    )
    pd.testing.assert_frame_equal(ev.ordenar(tabla), esperado)


# La regla de las intervenciones escrita como antes, con una ventana lag() en SQL: la referencia
# independiente de la búsqueda en Python (evaluacion.nuevas).
INTERVENCIONES_SQL = """
WITH a AS (
    SELECT barrio_id, linea, actividad, fecha,
           lag(fecha) OVER (PARTITION BY barrio_id, linea ORDER BY fecha, actividad_id) AS previa
    FROM actividades
)
SELECT a.barrio_id, b.nombre AS barrio, b.sector_id, s.nombre AS sector, a.linea,
       l.nombre AS nombre_linea, a.actividad, a.fecha AS inicio
FROM a
JOIN barrios b USING (barrio_id)
JOIN sectores s USING (sector_id)
JOIN lineas l USING (linea)
WHERE (a.previa IS NULL OR date_diff('day', a.previa, a.fecha) >= $calma)
  AND (len($barrios) = 0 OR list_contains($barrios, a.barrio_id))
ORDER BY a.fecha, b.nombre, a.linea
"""


@pytest.mark.parametrize("pedidos", [(), ("norte",), ("sur", "oriente"), ("no-existe",)])
def test_intervenciones_igual_que_con_la_ventana_de_sql(con_chica, con_demo, pedidos):
    for con in (con_chica, con_demo):
        esperado = con.execute(
            INTERVENCIONES_SQL, {"calma": ev.CALMA_DIAS, "barrios": list(pedidos)}
        ).df()
        esperado["inicio"] = pd.to_datetime(esperado["inicio"]).dt.date
        obtenido = ev.evaluar(con, 6, pedidos)[list(esperado.columns)]
        pd.testing.assert_frame_equal(obtenido, esperado)
    assert len(ev.evaluar(con_demo, 6)) > 10, "la demostración debe tener intervenciones"


def test_frase_igual_a_la_de_pandas():
    azar = np.random.default_rng(5)
    for n in (1, 2, 7, 40):
        tabla = pd.DataFrame(
            {
                "veredicto": azar.choice(ev.VEREDICTOS, n),
                "barrio": azar.choice(["Norte", "Sur", "Oriente"], n),
            }
        )
        conteo = tabla["veredicto"].value_counts()
        partes = [
            f"{conteo[v]} {ev._EN_FRASE[v][int(conteo[v] != 1)]}"
            for v in ev.VEREDICTOS
            if v in conteo
        ]
        esperado = f"{n} {'intervenciones' if n != 1 else 'intervención'}: {ev._lista(partes)}"
        bajas = tabla[tabla["veredicto"] == ev.BAJA]
        if not bajas.empty:
            esperado += ". Bajas significativas en " + ev._lista(
                list(dict.fromkeys(bajas["barrio"]))
            )
        assert ev.frase(tabla) == esperado + "."


def test_fechas_de_la_evaluacion_con_y_sin_barrios(con_chica):
    # Primer caso el 01-06-2023; sin fecha de corte en los metadatos del fixture, el último día.
    meta = sql.leer_arreglos(con_chica, "barrios_de_la_evaluacion")
    ultimo = con_chica.execute("SELECT max(fecha_hora)::DATE FROM incidentes").fetchone()[0]
    assert len(meta["barrio_id"]) == 4
    sin_barrios = {c: v[:0] for c, v in meta.items()}
    assert ev._fechas(con_chica, meta) == ev._fechas(con_chica, sin_barrios)
    primera, corte = ev._fechas(con_chica, meta)
    assert primera == date(2023, 6, 1)
    cortes = dict(con_chica.execute("SELECT clave, valor FROM metadatos").fetchall())
    esperado = cortes.get("fecha_corte_policial") or cortes.get("fecha_corte")
    assert corte == (date.fromisoformat(esperado) if esperado else ultimo)


def test_franja_contra_un_conteo_de_pandas(con_demo):
    """Los conteos de la franja, contra los casos DMCS de otros barrios cuya celda de resolución
    9 (con la librería h3) está en la franja del barrio, contados en pandas en cada ventana."""
    tabla = ev.evaluar(con_demo, 6, desplazamiento=True)
    casos = con_demo.execute(
        """SELECT i.barrio_id, i.fecha_hora::DATE AS dia, i.h3_11 FROM incidentes i
        JOIN delitos d USING (delito) WHERE i.fuente = 'policial' AND d.grupo_dmcs IS NOT NULL"""
    ).df()
    celda = np.array([h3.cell_to_parent(int(c), ev.RESOLUCION_FRANJA) for c in casos["h3_11"]])
    dias = pd.to_datetime(casos["dia"]).dt.date.to_numpy()
    geometrias = dict(con_demo.execute("SELECT barrio_id, geometria FROM barrios").fetchall())
    revisadas = 0
    for fila in tabla[tabla["motivo"] == ""].head(8).itertuples():
        en_franja = np.isin(celda, list(ev._franja(geometrias[fila.barrio_id])))
        otros = en_franja & (casos["barrio_id"].to_numpy() != fila.barrio_id)
        desde, inicio, fin = ev.ventanas(fila.inicio, 6)
        antes = int((otros & (dias >= desde) & (dias < inicio)).sum())
        despues = int((otros & (dias >= inicio) & (dias < fin)).sum())
        assert (fila.desplazamiento_antes, fila.desplazamiento_despues) == (antes, despues)
        revisadas += 1
    assert revisadas == 8
