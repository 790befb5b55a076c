from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultas import frases, privacidad, tendencias
from consultas import tendencias as t
from consultas.estadistica import ALZA, BAJA, NORMAL, POCOS, clasificar, comparar, z_poisson
from consultas.filtros import Filtros
from consultas.frases import CALIFICATIVOS, MESES, SINGULARES, _n, _ninguno, _verbo, lista
from consultas.periodos import ANIO_ANTERIOR, PERIODO_ANTERIOR, SELECCIONADO


def _comparada(actual: int, anterior: int) -> pd.Series:
    return comparar(pd.DataFrame({"actual": [actual], "anterior": [anterior]})).iloc[0]


def test_cambio_en_palabras_calculado_a_mano():
    assert frases.cambio(112, 100, NORMAL, 12.0, "las 4 semanas anteriores") == (
        "subieron 12 % respecto de las 4 semanas anteriores (100 → 112 casos), "
        "dentro de la variación normal"
    )
    assert frases.cambio(110, 120, NORMAL, -100 / 12, "el período anterior") == (
        "bajaron 8,3 % respecto del período anterior (120 → 110 casos), "
        "dentro de la variación normal"
    )
    assert frases.cambio(1, 0, POCOS, np.nan, "el período anterior") == (
        "sumaron 1 caso contra 0 en el período anterior: muy pocos para concluir un cambio"
    )
    assert frases.cambio(9, 0, ALZA, np.nan, "el período anterior") == (
        "sumaron 9 casos contra ninguno en el período anterior, un alza significativa"
    )


@settings(deadline=None)  # el tiempo de cada ejemplo no es lo que se prueba
@given(st.integers(0, 5000), st.integers(0, 5000))
def test_ninguna_frase_afirma_un_cambio_que_la_etiqueta_no_da(actual, anterior):
    fila = _comparada(actual, anterior)
    texto = frases.cambio(actual, anterior, fila["clasificacion"], fila["variacion_pct"], "antes")
    assert ("alza significativa" in texto) == (fila["clasificacion"] == ALZA)
    assert ("baja significativa" in texto) == (fila["clasificacion"] == BAJA)
    assert ("variación normal" in texto) == (fila["clasificacion"] == NORMAL)
    if "subieron" in texto:
        assert actual > anterior
    if "bajaron" in texto:
        assert actual < anterior


def test_frase_de_la_serie():
    fila = pd.Series(
        {
            "grupo": t.TOTAL,
            "unidades": 4,
            "desde": date(2026, 10, 4),
            "hasta": date(2026, 10, 31),
            "actual": 92,
            "anterior": 100,
            "variacion_pct": -8.0,
            "clasificacion": NORMAL,
        }
    )
    ultimas = pd.DataFrame([fila])
    assert frases.serie(ultimas, "semana", "los casos de Hurtos", "en el barrio El Golf") == (
        "En las últimas 4 semanas (04-10-2026 a 31-10-2026) los casos de Hurtos en el barrio "
        "El Golf bajaron 8,0 % respecto de las 4 semanas anteriores (100 → 92 casos), dentro de "
        "la variación normal."
    )
    uno = ultimas.assign(unidades=1)
    assert frases.serie(uno, "mes", "los casos", "en la comuna").startswith(
        "En el último mes (04-10-2026 a 31-10-2026)"
    )
    assert "el mes anterior" in frases.serie(uno, "mes", "los casos", "en la comuna")
    sin_total = ultimas.assign(grupo="Hurtos")
    assert "No hay historia suficiente" in frases.serie(sin_total, "semana", "los casos", "")
    assert "No hay historia suficiente" in frases.serie(pd.DataFrame(), "semana", "los casos", "")


def _serie(posiciones: list[str], escala: str = "semana") -> pd.DataFrame:
    fechas = pd.date_range("2026-01-05", periods=len(posiciones), freq="7D")
    return pd.DataFrame({"fecha": fechas, "posicion": posiciones})


def test_frase_de_la_banda_cuenta_lo_marcado():
    serie = _serie([t.SOBRE, t.DENTRO, t.SOBRE, t.BAJO, t.SOBRE, POCOS] + [t.DENTRO] * 14)
    assert frases.banda(serie, "semana") == (
        "De 19 semanas con banda, 3 semanas quedaron sobre lo esperado (05-01-2026, 19-01-2026 "
        "y 02-02-2026) y 1 semana quedó bajo lo esperado (26-01-2026); con una banda de 95 % se "
        "esperarían unas 1,0 fuera por azar."
    )
    tranquila = frases.banda(_serie([t.DENTRO] * 4), "dia")
    assert "ningún día quedó sobre" in tranquila and "ningún día quedó bajo" in tranquila
    assert "faltan datos" in frases.banda(_serie([t.SIN_HISTORIA] * 3), "mes")
    assert "muy pocos casos" in frases.banda(_serie([POCOS, t.SIN_HISTORIA]), "mes")


def test_frase_de_hora_y_dia():
    grilla = pd.DataFrame(0, index=range(1, 8), columns=range(24))
    grilla.loc[5, 18] = 30  # viernes 18:00
    grilla.loc[5, 20] = 10
    grilla.loc[1, 3] = 30
    assert frases.hora_y_dia(grilla) == (
        "De 70 casos, el viernes concentró el 57,1 % (con casos parejos sería 14,3 %) y la "
        "franja de 18:00 a 20:59, el 57,1 % (12,5 % con casos parejos)."
    )
    pocos = pd.DataFrame(0, index=range(1, 8), columns=range(24))
    pocos.loc[2, 23] = 3
    assert "no permite distinguir" in frases.hora_y_dia(pocos)
    # La franja da la vuelta a medianoche.
    noche = pd.DataFrame(0, index=range(1, 8), columns=range(24))
    noche.loc[6, [23, 0, 1]] = 20
    assert "de 23:00 a 01:59" in frases.hora_y_dia(noche)


def test_frase_de_mes_y_anio():
    # Dos años completos (2023: 365 días, 2024: 366): diciembre 62 días, febrero 57.
    grilla = pd.DataFrame([[155.0] * 12, [155.0] * 12], index=[2023, 2024], columns=range(1, 13))
    grilla[12] = [310.0, 310.0]  # 10 por día
    grilla[2] = [112.0, 116.0]  # 4 por día
    grilla.loc[2025] = [50.0] + [np.nan] * 11  # año incompleto: no cuenta
    assert frases.mes_y_anio(grilla) == (
        "En los años completos (2023 a 2024), diciembre tuvo más casos por día (10,0) y "
        "febrero, menos (4,0); esa diferencia supera la variación normal."
    )
    pareja = pd.DataFrame([[300.0] * 12], index=[2024], columns=range(1, 13))
    pareja[1] = 310.0
    assert "dentro de la variación normal" in frases.mes_y_anio(pareja)
    assert "Aún no hay un año completo" in frases.mes_y_anio(grilla.loc[[2025]])


def test_frases_de_comparacion_y_embudo():
    tabla = pd.DataFrame(
        {
            "unidad": ["A", "B", "C", "D", "E"],
            "clasificacion": [ALZA, NORMAL, NORMAL, POCOS, BAJA],
            "z_poisson": [2.5, 1.0, -0.5, 0.0, -3.0],
            "embudo": [t.SOBRE_998, t.SOBRE_95, t.DENTRO_EMBUDO, t.SIN_POBLACION, t.BAJO_998],
            "tasa_comuna": [12.345] * 5,
        }
    )
    assert frases.comparacion(tabla, "barrios") == (
        "De 5 barrios, 1 tuvo un alza significativa (A) y 1 tuvo una baja significativa (E) "
        "respecto del período anterior; 2 variaron dentro de lo normal y 1 tuvo muy pocos "
        "casos para concluir."
    )
    assert frases.embudo(tabla, "barrios") == (
        "Tasa comunal: 12,35 casos por 1.000 habitantes. De 4 barrios, 1 queda sobre el límite "
        "de 99,8 % (A) y 1 bajo él (E); 1 más queda fuera solo del de 95 %. Por azar se "
        "esperarían 0,2 fuera del 95 % y 0,01 fuera del 99,8 %. 1 sin población no se grafica."
    )
    varias = tabla.assign(clasificacion=[ALZA, ALZA, ALZA, BAJA, BAJA])
    assert "(A, B y C)" in frases.comparacion(varias, "barrios")
    assert "(E y D)" in frases.comparacion(varias, "barrios"), "la baja más marcada primero"
    sin = tabla.assign(embudo=t.SIN_POBLACION)
    assert "no hay tasas" in frases.embudo(sin, "barrios")


def test_frases_de_resumen():
    tabla = pd.DataFrame(
        {
            "periodo": [SELECCIONADO, SELECCIONADO],
            "comparacion": [PERIODO_ANTERIOR, ANIO_ANTERIOR],
            "actual": [64, 64],
            "anterior": [36, 60],
        }
    )
    assert frases.compstat(comparar(tabla)) == (
        "En el período seleccionado hubo 64 casos: subieron 78 % respecto del período anterior "
        "(36 → 64 casos), un alza significativa; y subieron 6,7 % respecto del mismo período del "
        "año anterior (60 → 64 casos), dentro de la variación normal."
    )
    familias = comparar(
        pd.DataFrame({"familia": ["Robos", "Hurtos"], "actual": [30, 70], "anterior": [10, 72]})
    )
    assert frases.familias(familias) == (
        "La familia con más casos fue Hurtos (70, 70,0 % del total). Alza significativa en "
        "Robos (+200 %). Las demás, variación normal o pocos casos."
    )
    barrios = pd.DataFrame(
        {"nombre": ["A", "B", "C"], "tasa": [2.5, np.nan, 0.1], "actual": [25, 3, 1]}
    )
    assert frases.mapa(barrios).startswith(
        "La tasa más alta es la de A (2,50 por 1.000 hab., 25 casos) y la más baja la de C "
        "(0,10, 1 caso)."
    )


def test_frases_con_un_solo_territorio_familia_o_actividad():
    uno = pd.DataFrame({"unidad": ["El Golf"], "clasificacion": [BAJA], "z_poisson": [-2.4]})
    assert frases.comparacion(uno, "barrios").startswith(
        "De 1 barrio, ninguno tuvo un alza significativa y 1 tuvo una baja significativa (El Golf)"
    )
    solo = pd.DataFrame({"nombre": ["El Golf"], "tasa": [22.727], "actual": [200]})
    assert frases.mapa(solo) == "La tasa de El Golf es 22,73 por 1.000 habitantes (200 casos)."
    familia = comparar(pd.DataFrame({"familia": ["Hurtos"], "actual": [200], "anterior": [232]}))
    assert frases.familias(familia) == (
        "La familia con más casos fue Hurtos (200, 100,0 % del total). Baja significativa en "
        "Hurtos (-14 %)."
    )
    actividades = pd.DataFrame({"linea": ["2.3", "2.1", "2.3"], "participantes": [40, 25, 5]})
    assert frases.actividades(actividades, "en la comuna") == (
        "En el período hubo 3 actividades del programa en la comuna (70 participantes); la línea "
        "más frecuente fue la 2.3 (2)."
    )
    assert frases.actividades(actividades.head(1), "en el barrio Norte") == (
        "En el período hubo 1 actividad del programa en el barrio Norte (línea 2.3, 40 "
        "participantes)."
    )
    assert "No hay actividades" in frases.actividades(actividades.iloc[0:0], "en la comuna")


# --- Las frases de Tendencias contra las de antes (filtros de la tabla entera y pandas) --------


def _sobredispersion_con_pandas(tabla: pd.DataFrame) -> float | None:
    """φ de Spiegelhalter (2005): promedio de z² = ((O − E) / √E)² con z acotado a sus
    percentiles 10 y 90; None si no hay al menos 10 territorios con población o si φ no supera lo
    que daría el azar (prueba χ² al 95 % con n − 1 grados de libertad)."""
    from scipy import stats  # al usarse: importar scipy.stats toma ~1 s al arrancar

    con_poblacion = tabla[tabla["embudo"] != t.SIN_POBLACION]
    n = len(con_poblacion)
    if n < 10:
        return None
    esperado = con_poblacion["tasa_comuna"] * con_poblacion["poblacion"] / 1000
    if not (esperado > 0).all():
        return None
    z = ((con_poblacion["actual"] - esperado) / np.sqrt(esperado)).to_numpy()
    z = np.clip(z, *np.percentile(z, [10, 90]))
    phi = float(np.mean(z**2))
    return phi if n * phi > stats.chi2.ppf(0.95, n - 1) else None


def _embudo_con_pandas(tabla: pd.DataFrame, plural: str) -> str:
    """Cuántos territorios quedan fuera de los límites del embudo, y cuántos se esperarían."""
    con_poblacion = tabla[tabla["embudo"] != t.SIN_POBLACION]
    if con_poblacion.empty:
        return f"Ninguno de los {plural} elegidos tiene población registrada: no hay tasas."
    n = len(con_poblacion)
    tasa = con_poblacion["tasa_comuna"].iloc[0]
    territorios = SINGULARES.get(plural, plural) if n == 1 else plural
    sobre = con_poblacion.loc[con_poblacion["embudo"] == t.SOBRE_998, "unidad"].tolist()
    bajo = con_poblacion.loc[con_poblacion["embudo"] == t.BAJO_998, "unidad"].tolist()
    solo_95 = int(con_poblacion["embudo"].isin([t.SOBRE_95, t.BAJO_95]).sum())
    frase = (
        f"Tasa comunal: {_n(tasa, 2)} casos por 1.000 habitantes. De {_n(n)} {territorios}, "
        f"{_ninguno(len(sobre))} {_verbo(len(sobre), 'queda', 'quedan')} sobre el límite de 99,8 %"
        + (f" ({lista(sobre)})" if sobre else "")
        + f" y {_ninguno(len(bajo))} bajo él"
        + (f" ({lista(bajo)})" if bajo else "")
        + f"; {_ninguno(solo_95)} más {_verbo(solo_95, 'queda', 'quedan')} fuera solo del de 95 %. "
        f"Por azar se esperarían "
        f"{_n(0.05 * n, 1)} fuera del 95 % y {_n(0.002 * n, 2)} fuera del 99,8 %."
    )
    phi = _sobredispersion_con_pandas(tabla)
    if phi is not None:
        frase += (
            f" Las tasas de los {plural} varían {_n(phi, 1)} veces más de lo que daría el azar "
            "(sobredispersión): buena parte de las diferencias entre ellos es real, no ruido."
        )
    sin = len(tabla) - n
    if sin:
        frase += f" {_n(sin)} sin población no se {_verbo(sin, 'grafica', 'grafican')}."
    return frase


def _comparacion_con_pandas(tabla: pd.DataFrame, plural: str) -> str:
    """Cuántos territorios tuvieron alza o baja significativa contra el período anterior."""
    if tabla.empty:
        return f"No hay {plural} en el territorio elegido."
    n = len(tabla)
    partes = []
    if n == 1:
        plural = SINGULARES.get(plural, plural)
    for etiqueta in (ALZA, BAJA):
        # De la más a la menos marcada: la lista corta nombra primero las que más importan.
        elegidas = tabla[tabla["clasificacion"] == etiqueta]
        nombres = elegidas.sort_values("z_poisson", ascending=etiqueta != ALZA)["unidad"].tolist()
        cuantos = _ninguno(len(nombres))
        texto = f"{cuantos} {_verbo(len(nombres), 'tuvo', 'tuvieron')} {CALIFICATIVOS[etiqueta]}"
        partes.append(texto + (f" ({lista(nombres)})" if nombres else ""))
    normal = int((tabla["clasificacion"] == NORMAL).sum())
    pocos = int((tabla["clasificacion"] == POCOS).sum())
    return (
        f"De {_n(n)} {plural}, {partes[0]} y {partes[1]} respecto del período anterior; "
        f"{_ninguno(normal)} {_verbo(normal, 'varió', 'variaron')} dentro de lo normal y "
        f"{_ninguno(pocos)} {_verbo(pocos, 'tuvo', 'tuvieron')} muy pocos casos para concluir."
    )


def _mes_y_anio_con_pandas(grilla: pd.DataFrame) -> str:
    """El mes con más y con menos casos por día en los años completos, y si la diferencia supera
    la variación normal (z de Poisson con el conteo del mes menor llevado al largo del mayor)."""
    completos = grilla.dropna()
    if completos.empty:
        return "Aún no hay un año completo de datos para comparar los meses."
    anios = [int(a) for a in completos.index]
    dias = pd.Series(
        {m: sum(pd.Period(f"{a}-{m:02d}").days_in_month for a in anios) for m in range(1, 13)}
    )
    suma = completos.sum()
    por_dia = suma / dias
    alto, bajo = int(por_dia.idxmax()), int(por_dia.idxmin())
    mayor, menor = suma[alto], suma[bajo] * dias[alto] / dias[bajo]
    etiqueta = str(clasificar(z_poisson(mayor, menor), mayor, menor))
    conclusion = {
        ALZA: "esa diferencia supera la variación normal",
        NORMAL: "esa diferencia está dentro de la variación normal: no se distingue una estación",
        POCOS: "son muy pocos casos para distinguir una estación",
    }[etiqueta]
    periodo = str(anios[0]) if len(anios) == 1 else f"{anios[0]} a {anios[-1]}"
    return (
        f"En los años completos ({periodo}), {MESES[alto - 1]} tuvo más casos por día "
        f"({_n(por_dia[alto], 1)}) y {MESES[bajo - 1]}, menos ({_n(por_dia[bajo], 1)}); "
        f"{conclusion}."
    )


@pytest.mark.parametrize("por", ["barrio", "sector"])
@pytest.mark.parametrize("publico", [False, True])
@pytest.mark.parametrize(
    ("desde", "hasta"),
    [(date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 6, 3), date(2025, 6, 30))],
)
def test_frases_de_tendencias_iguales_a_las_de_pandas(demo_pequena, por, publico, desde, hasta):
    con = duckdb.connect(str(demo_pequena), read_only=True)
    filtros = Filtros(desde, hasta)
    tabla = tendencias.comparacion(con, filtros, por)
    historia = tendencias.casos_diarios(con, tendencias.sin_periodo(filtros), "total")
    meses = tendencias.mes_y_anio(historia, tendencias.primer_dia(con, "policial"), hasta)
    con.close()
    if publico:
        tabla = privacidad.aplicar(tendencias.comparacion, tabla)
    plural = "barrios" if por == "barrio" else "sectores"
    for parte in (tabla, tabla.iloc[:1], tabla.iloc[:0], tabla.sort_values("unidad")):
        assert frases.comparacion(parte, plural) == _comparacion_con_pandas(parte, plural)
        if len(parte):
            assert frases.embudo(parte, plural) == _embudo_con_pandas(parte, plural)
        assert t.sobredispersion(parte) == _sobredispersion_con_pandas(parte)
    assert frases.mes_y_anio(meses) == _mes_y_anio_con_pandas(meses)
    assert frases.mes_y_anio(meses.iloc[:1]) == _mes_y_anio_con_pandas(meses.iloc[:1])
