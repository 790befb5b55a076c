"""Una frase en castellano bajo cada gráfico, generada desde los mismos datos que lo dibujan.

Sirve también de texto alternativo del gráfico. Las palabras de cambio siguen las etiquetas (el z
de Poisson de Resumen, la banda y el embudo de Tendencias): una frase nunca afirma un alza o una
baja que la etiqueta no da.
"""

import calendar
import math

import numpy as np
import pandas as pd

from consultas import tendencias as t
from consultas.estadistica import ALZA, BAJA, NORMAL, POCOS, clasificar, z_poisson
from consultas.periodos import ANIO_ANTERIOR, PERIODO_ANTERIOR, SELECCIONADO
from consultas.privacidad import MENOS_DE_5
from ui import formato

UNIDADES = {"dia": ("día", "días"), "semana": ("semana", "semanas"), "mes": ("mes", "meses")}
FEMENINO = {"semana"}
DIAS_SEMANA = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
MESES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
SINGULARES = {"barrios": "barrio", "sectores": "sector"}
CALIFICATIVOS = {
    ALZA: "un alza significativa",
    BAJA: "una baja significativa",
    NORMAL: "dentro de la variación normal",
}


def _n(valor, decimales: int = 0) -> str:
    return formato.numero(valor, decimales)


def _pct(valor: float) -> str:
    return f"{_n(abs(valor), 0 if abs(valor) >= 10 else 1)} %"


def _cuantas(n: int, escala: str) -> str:
    """'1 semana', '3 semanas', 'ninguna semana', 'ningún día'."""
    singular, plural = UNIDADES[escala]
    if n == 0:
        return ("ninguna " if escala in FEMENINO else "ningún ") + singular
    return f"{n} {singular if n == 1 else plural}"


def respecto(referencia: str) -> str:
    if referencia.startswith("el "):
        return "respecto del " + referencia[3:]
    return "respecto de " + referencia


def _verbo(n: int, singular: str, plural: str) -> str:
    return plural if n > 1 else singular


def _ninguno(n: int) -> str:
    return "ninguno" if n == 0 else _n(n)


def _casos(n) -> str:
    return f"{_n(n)} caso" + ("" if n == 1 else "s")


def cambio(
    actual: float, anterior: float, clasificacion: str, variacion: float, referencia: str
) -> str:
    """El cambio de un conteo contra `referencia` en palabras, con la etiqueta del z de Poisson
    como calificativo: 'subieron 12 % respecto de las 4 semanas anteriores (100 → 112 casos),
    dentro de la variación normal'."""
    if clasificacion == MENOS_DE_5:  # la regla del público suprimió uno de los conteos
        return (
            f"sumaron {formato.conteo(actual)} casos contra {formato.conteo(anterior)} en "
            f"{referencia}: con menos de 5 casos el cambio no se publica"
        )
    if clasificacion == POCOS:
        return (
            f"sumaron {_casos(actual)} contra {_n(anterior)} en {referencia}: muy pocos para "
            "concluir un cambio"
        )
    if anterior == 0 or (isinstance(variacion, float) and math.isnan(variacion)):
        verbo = f"sumaron {_casos(actual)} contra ninguno en {referencia}"
    elif actual == anterior:
        verbo = f"se mantuvieron en {_n(actual)} casos, igual que en {referencia}"
    else:
        direccion = "subieron" if actual > anterior else "bajaron"
        verbo = (
            f"{direccion} {_pct(variacion)} {respecto(referencia)} "
            f"({_n(anterior)} → {_n(actual)} casos)"
        )
    return f"{verbo}, {CALIFICATIVOS[clasificacion]}"


def lista(nombres: list[str], maximo: int = 4) -> str:
    return formato.lista(list(nombres), "", maximo)


def que(filtros, cat) -> str:
    """De qué casos se habla: 'los casos', 'los casos de Hurtos', 'los casos de la familia …'."""
    if filtros.delitos:
        return "los casos de " + lista([cat.nombres("delitos")[d] for d in filtros.delitos])
    if filtros.familias:
        nombres = [cat.nombres("familias")[f] for f in filtros.familias]
        articulo = "la familia" if len(nombres) == 1 else "las familias"
        return f"los casos de {articulo} {lista(nombres)}"
    return "los casos"


def donde(filtros, cat) -> str:
    """'en la comuna', 'en el barrio El Golf', 'en los sectores Fleming y Apoquindo'."""
    for ids, tabla, singular, plural in [
        (filtros.barrios, "barrios", "el barrio", "los barrios"),
        (filtros.sectores, "sectores", "el sector", "los sectores"),
    ]:
        if ids:
            nombres = [cat.nombres(tabla)[i] for i in ids]
            return f"en {singular if len(nombres) == 1 else plural} {lista(nombres)}"
    return "en la comuna"


# ---------------------------------------------------------------------------------------------
# Tendencias.


def serie(ultimas: pd.DataFrame, escala: str, que: str, donde: str) -> str:
    """El total de las últimas unidades del período contra las anteriores (tendencias.ultimas).

    'En las últimas 4 semanas (04-10-2026 a 31-10-2026) los casos en la comuna subieron 3 % …'."""
    total = ultimas[ultimas["grupo"] == t.TOTAL] if len(ultimas) else ultimas
    if total.empty:
        return "No hay historia suficiente para comparar las últimas unidades con las anteriores."
    fila = total.iloc[0]
    singular, plural = UNIDADES[escala]
    n = int(fila["unidades"])
    ultimas = (
        f"En {'la última' if escala in FEMENINO else 'el último'} {singular}"
        if n == 1
        else f"En {'las últimas' if escala in FEMENINO else 'los últimos'} {n} {plural}"
    )
    anteriores = (
        f"{'la' if escala in FEMENINO else 'el'} {singular} anterior"
        if n == 1
        else f"{'las' if escala in FEMENINO else 'los'} {n} {plural} anteriores"
    )
    texto = cambio(
        fila["actual"], fila["anterior"], fila["clasificacion"], fila["variacion_pct"], anteriores
    )
    return f"{ultimas} ({formato.rango(fila['desde'], fila['hasta'])}) {que} {donde} {texto}."


def grupos_con_cambio(tabla: pd.DataFrame) -> str:
    """Qué grupos de un desglose cambiaron más allá de la variación normal."""
    if tabla.empty:
        return ""
    partes = []
    for etiqueta, texto in [(ALZA, "Alza significativa en"), (BAJA, "Baja significativa en")]:
        grupos = tabla[(tabla["clasificacion"] == etiqueta) & (tabla["grupo"] != t.TOTAL)]
        if len(grupos):
            partes.append(f"{texto} {lista(grupos['grupo'].tolist())}.")
    return " ".join(partes) or "Ningún grupo del desglose cambió más allá de la variación normal."


def banda(serie: pd.DataFrame, escala: str) -> str:
    """Cuántas unidades quedaron fuera de la banda, cuáles, y cuántas se esperarían por azar."""
    evaluadas = serie[serie["posicion"].isin([t.SOBRE, t.BAJO, t.DENTRO])]
    if evaluadas.empty:
        if (serie["posicion"] == POCOS).any():
            return "Hay muy pocos casos por unidad para marcar algo fuera de lo esperado."
        return (
            "No hay banda de lo esperado: faltan datos de los mismos períodos de años anteriores."
        )
    n = len(evaluadas)
    partes = []
    for posicion in (t.SOBRE, t.BAJO):
        fechas = evaluadas.loc[evaluadas["posicion"] == posicion, "fecha"]
        verbo = "quedaron" if len(fechas) > 1 else "quedó"
        texto = f"{_cuantas(len(fechas), escala)} {verbo} {posicion}"
        if len(fechas):
            texto += " (" + lista([formato.fecha(f) for f in fechas], maximo=5) + ")"
        partes.append(texto)
    azar = (1 - t.NIVEL_BANDA) * n
    return (
        f"De {_cuantas(n, escala)} con banda, {partes[0]} y {partes[1]}; con una banda de "
        f"{_n(100 * t.NIVEL_BANDA)} % se esperarían unas {_n(azar, 1)} fuera por azar."
    )


def actividades(tabla: pd.DataFrame, donde: str) -> str:
    if tabla.empty:
        return f"No hay actividades del programa registradas {donde} en el período."
    participantes = _n(tabla["participantes"].sum())
    if len(tabla) == 1:
        return (
            f"En el período hubo 1 actividad del programa {donde} (línea {tabla['linea'].iloc[0]}, "
            f"{participantes} participantes)."
        )
    lineas = tabla["linea"].value_counts()
    return (
        f"En el período hubo {_n(len(tabla))} actividades del programa {donde} "
        f"({participantes} participantes); la línea más frecuente fue la {lineas.index[0]} "
        f"({_n(lineas.iloc[0])})."
    )


def hora_y_dia(grilla: pd.DataFrame) -> str:
    """El día y la franja de tres horas con más casos, contra lo que darían casos parejos."""
    if grilla.isna().to_numpy().any():
        return (
            "Las casillas con menos de 5 casos se muestran sin valor: el reparto por día y hora se "
            "lee en la grilla, sin totales que permitan despejarlas."
        )
    total = int(grilla.to_numpy().sum())
    if total == 0:
        return "No hubo casos en el período."
    if total < 30:
        return f"Con {_n(total)} casos, la grilla no permite distinguir un patrón por día y hora."
    por_dia = grilla.sum(axis=1)
    dia = int(por_dia.idxmax())
    por_hora = grilla.sum(axis=0).to_numpy()
    franjas = por_hora + np.roll(por_hora, -1) + np.roll(por_hora, -2)  # de h a h + 2, circular
    hora = int(franjas.argmax())
    return (
        f"De {_n(total)} casos, el {DIAS_SEMANA[dia - 1]} concentró el "
        f"{_n(100 * por_dia.loc[dia] / total, 1)} % (con casos parejos sería 14,3 %) y la franja "
        f"de {hora:02d}:00 a {(hora + 2) % 24:02d}:59, el {_n(100 * franjas[hora] / total, 1)} % "
        "(12,5 % con casos parejos)."
    )


def mes_y_anio(grilla: pd.DataFrame) -> str:
    """El mes con más y con menos casos por día en los años completos, y si la diferencia supera
    la variación normal (z de Poisson con el conteo del mes menor llevado al largo del mayor)."""
    completos = grilla.dropna()
    if completos.empty:
        return "Aún no hay un año completo de datos para comparar los meses."
    anios = [int(a) for a in completos.index]
    dias = pd.Series({m: sum(calendar.monthrange(a, m)[1] for a in anios) for m in range(1, 13)})
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


def comparacion(tabla: pd.DataFrame, plural: str) -> str:
    """Cuántos territorios tuvieron alza o baja significativa contra el período anterior."""
    if tabla.empty:
        return f"No hay {plural} en el territorio elegido."
    n = len(tabla)
    partes = []
    if n == 1:
        plural = SINGULARES.get(plural, plural)
    # Columna por columna: filtrar la tabla entera (una veintena de columnas) tomaba ms.
    clasificacion = tabla["clasificacion"].to_numpy(object)
    unidades, z = tabla["unidad"].to_numpy(object), tabla["z_poisson"].to_numpy()
    for etiqueta in (ALZA, BAJA):
        # De la más a la menos marcada: la lista corta nombra primero las que más importan.
        filas = np.flatnonzero(clasificacion == etiqueta)
        orden = pd.Series(z[filas]).sort_values(ascending=etiqueta != ALZA).index
        nombres = unidades[filas[orden]].tolist()
        cuantos = _ninguno(len(nombres))
        texto = f"{cuantos} {_verbo(len(nombres), 'tuvo', 'tuvieron')} {CALIFICATIVOS[etiqueta]}"
        partes.append(texto + (f" ({lista(nombres)})" if nombres else ""))
    normal = int((clasificacion == NORMAL).sum())
    pocos = int((clasificacion == POCOS).sum())
    return (
        f"De {_n(n)} {plural}, {partes[0]} y {partes[1]} respecto del período anterior; "
        f"{_ninguno(normal)} {_verbo(normal, 'varió', 'variaron')} dentro de lo normal y "
        f"{_ninguno(pocos)} {_verbo(pocos, 'tuvo', 'tuvieron')} muy pocos casos para concluir."
    )


def embudo(tabla: pd.DataFrame, plural: str) -> str:
    """Cuántos territorios quedan fuera de los límites del embudo, y cuántos se esperarían."""
    embudo = tabla["embudo"].to_numpy(object)
    con_poblacion = embudo != t.SIN_POBLACION
    if not con_poblacion.any():
        return f"Ninguno de los {plural} elegidos tiene población registrada: no hay tasas."
    n = int(con_poblacion.sum())
    tasa = tabla["tasa_comuna"].to_numpy()[con_poblacion][0]
    territorios = SINGULARES.get(plural, plural) if n == 1 else plural
    unidades = tabla["unidad"].to_numpy(object)
    sobre = unidades[embudo == t.SOBRE_998].tolist()
    bajo = unidades[embudo == t.BAJO_998].tolist()
    solo_95 = int(np.isin(embudo, [t.SOBRE_95, t.BAJO_95]).sum())
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
    phi = t.sobredispersion(tabla)
    if phi is not None:
        frase += (
            f" Las tasas de los {plural} varían {_n(phi, 1)} veces más de lo que daría el azar "
            "(sobredispersión): buena parte de las diferencias entre ellos es real, no ruido."
        )
    sin = len(tabla) - n
    if sin:
        frase += f" {_n(sin)} sin población no se {_verbo(sin, 'grafica', 'grafican')}."
    return frase


# ---------------------------------------------------------------------------------------------
# Resumen.


def compstat(tabla: pd.DataFrame) -> str:
    """El período seleccionado contra el anterior y el mismo del año anterior (filas 'Todas')."""
    partes = []
    for comparacion in (PERIODO_ANTERIOR, ANIO_ANTERIOR):
        filas = tabla[(tabla["periodo"] == SELECCIONADO) & (tabla["comparacion"] == comparacion)]
        if filas.empty:
            continue
        f = filas.iloc[0]
        partes.append(
            cambio(
                f["actual"],
                f["anterior"],
                f["clasificacion"],
                f["variacion_pct"],
                f"el {comparacion}",
            )
        )
    if not partes:
        return ""
    actual = tabla.loc[tabla["periodo"] == SELECCIONADO, "actual"].iloc[0]
    return f"En el período seleccionado hubo {_n(actual)} casos: " + "; y ".join(partes) + "."


def familias(tabla: pd.DataFrame) -> str:
    """La familia con más casos y las que cambiaron más allá de la variación normal."""
    if tabla.empty or tabla["actual"].sum() == 0:
        return "No hubo casos en el período seleccionado."
    mayor = tabla.sort_values("actual", ascending=False).iloc[0]
    frase = (
        f"La familia con más casos fue {mayor['familia']} ({_n(mayor['actual'])}, "
        f"{_n(100 * mayor['actual'] / tabla['actual'].sum(), 1)} % del total)."
    )
    cambios = []
    for etiqueta, texto in [(ALZA, "Alza significativa en"), (BAJA, "Baja significativa en")]:
        filas = tabla[tabla["clasificacion"] == etiqueta]
        if len(filas):
            nombres = [
                f"{r.familia} ({formato.porcentaje(r.variacion_pct, 0)})"
                for r in filas.itertuples()
            ]
            cambios.append(f"{texto} {lista(nombres)}.")
    if not cambios:
        return frase + (
            " Ninguna familia cambió más allá de la variación normal respecto del período anterior."
        )
    frase = f"{frase} {' '.join(cambios)}"
    if tabla["clasificacion"].isin([NORMAL, POCOS]).any():
        frase += " Las demás, variación normal o pocos casos."
    return frase


def mapa(barrios: pd.DataFrame) -> str:
    """El barrio con la tasa más alta y el con la más baja, con la advertencia del azar."""
    con_tasa = barrios.dropna(subset=["tasa"])
    if con_tasa.empty:
        return "Ningún barrio elegido tiene población registrada: no hay tasas."
    ordenados = con_tasa.sort_values("tasa")
    alto, bajo = ordenados.iloc[-1], ordenados.iloc[0]
    if len(ordenados) == 1:
        return (
            f"La tasa de {alto['nombre']} es {_n(alto['tasa'], 2)} por 1.000 habitantes "
            f"({_casos(alto['actual'])})."
        )
    return (
        f"La tasa más alta es la de {alto['nombre']} ({_n(alto['tasa'], 2)} por 1.000 hab., "
        f"{_casos(alto['actual'])}) y la más baja la de {bajo['nombre']} "
        f"({_n(bajo['tasa'], 2)}, {_casos(bajo['actual'])}). En barrios chicos la tasa varía "
        "mucho por azar: el embudo de la página Tendencias muestra cuáles se apartan de la comuna."
    )
