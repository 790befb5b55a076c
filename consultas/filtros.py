"""Los filtros compartidos por todas las páginas, como valores simples (sin Streamlit)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from consultas.periodos import PRESET_POR_DEFECTO, PRESETS, Ventana, rango


@dataclass(frozen=True)
class Filtros:
    """Una tupla vacía significa "todos" (sin filtro), nunca "ninguno"."""

    desde: date
    hasta: date
    preset: str = PRESET_POR_DEFECTO
    sectores: tuple[str, ...] = ()
    barrios: tuple[str, ...] = ()
    familias: tuple[str, ...] = ()
    delitos: tuple[str, ...] = ()
    fuente: str = "policial"  # las fuentes nunca se mezclan en silencio: se elige una
    olas: tuple[str, ...] = ()  # de la encuesta: vacío es la más reciente; a lo más dos

    @property
    def ventana(self) -> Ventana:
        return Ventana(self.desde, self.hasta)

    def parametros(self) -> dict:
        """Parámetros SQL del filtro de incidentes (ver el bloque filtro_incidentes)."""
        return {
            "fuente": self.fuente,
            "sectores": list(self.sectores),
            "barrios": list(self.barrios),
            "familias": list(self.familias),
            "delitos": list(self.delitos),
        }


def parametros_actividades(filtros: Filtros, lineas: tuple[str, ...] = ()) -> dict:
    """Parámetros SQL de las consultas de actividades: fechas inclusivas, líneas y territorio."""
    return {
        "desde": filtros.desde,
        "ultimo": filtros.hasta,
        "lineas": list(lineas),
        "barrios": list(filtros.barrios),
        "sectores": list(filtros.sectores),
    }


def limites(ventana: Ventana) -> tuple[datetime, datetime]:
    """[desde 00:00, hasta + 1 día 00:00): la forma semiabierta que usan las consultas."""
    return (
        datetime.combine(ventana.desde, time()),
        datetime.combine(ventana.hasta + timedelta(days=1), time()),
    )


def limites_con_anterior(ventana: Ventana) -> dict[str, datetime]:
    """Los parámetros desde, hasta y desde_anterior de las consultas que comparan el período con
    el anterior de igual largo (el que termina donde empieza el período)."""
    desde, hasta = limites(ventana)
    return {"desde": desde, "hasta": hasta, "desde_anterior": limites(ventana.anterior())[0]}


FUENTE_POR_DEFECTO = "policial"
MAXIMO_OLAS = 2


def mostrar(valor: str) -> str:
    """Un valor de la URL, recortado y sin caracteres de formato, para citarlo en avisos. Sin
    «http://» ni «www.»: el aviso es markdown y los convertiría en un enlace."""
    limpio = "".join(c for c in valor if c.isalnum() or c in " -_.:/")
    limpio = re.sub(r"(?i)[a-z]+:/+|www\.", "", limpio)
    return limpio[:40] + ("…" if len(limpio) > 40 else "")


MAXIMO_VALORES = 200  # por parámetro de la URL: más que barrios, familias o tipos de delito
MAXIMO_CITADOS = 3  # hasta tantos desconocidos, un aviso por cada uno; sobre eso, uno solo


def _elegir(
    valores: list[str], validos, etiqueta: str, avisos: list[str], adjetivo: str = "desconocido"
) -> tuple[str, ...]:
    """Los valores válidos, sin repetir y en orden. Lo desconocido se avisa en un solo aviso
    (una URL con miles de valores da un aviso, no miles); sobre MAXIMO_VALORES valores distintos
    se ignora el resto."""
    distintos = list(dict.fromkeys(valores))
    if len(distintos) > MAXIMO_VALORES:
        avisos.append(
            f"Se ignoraron {len(distintos) - MAXIMO_VALORES} valores de {etiqueta.split()[-1]}: "
            f"se aceptan a lo más {MAXIMO_VALORES}."
        )
        distintos = distintos[:MAXIMO_VALORES]
    elegidos = tuple(v for v in distintos if v in validos)
    desconocidos = [v for v in distintos if v not in validos]
    if len(desconocidos) <= MAXIMO_CITADOS:
        avisos += [f"Se ignoró {etiqueta} {adjetivo} «{mostrar(v)}»." for v in desconocidos]
    else:
        citados = ", ".join(f"«{mostrar(v)}»" for v in desconocidos[:MAXIMO_CITADOS])
        resto = len(desconocidos) - MAXIMO_CITADOS
        plural = {"el": "los", "la": "las"}[etiqueta.split()[0]]
        nombre = etiqueta.split()[-1]
        nombre = nombre + ("es" if nombre.endswith("r") else "s")
        avisos.append(
            f"Se ignoraron {plural} {nombre} {adjetivo}s {citados}"
            + (f" y {resto} más." if resto > 0 else ".")
        )
    return elegidos


def _fecha(texto: str | None, nombre: str, avisos: list[str]) -> date | None:
    try:
        return date.fromisoformat(texto or "")
    except ValueError:
        avisos.append(
            f"La fecha «{mostrar(texto or '')}» ({nombre}) no es válida (use AAAA-MM-DD)."
        )
        return None


def _ventana_url(params: dict[str, list[str]], primera: date, corte: date, avisos: list[str]):
    preset = (params.get("periodo") or [PRESET_POR_DEFECTO])[0]
    if preset not in PRESETS:
        avisos.append(f"Se ignoró el período desconocido «{mostrar(preset)}».")
        preset = PRESET_POR_DEFECTO
    if preset != "personalizado":
        return preset, rango(preset, corte)
    desde = _fecha((params.get("desde") or [None])[0], "desde", avisos)
    hasta = _fecha((params.get("hasta") or [None])[0], "hasta", avisos)
    if desde is None or hasta is None or desde > hasta:
        if desde and hasta:
            avisos.append("La fecha inicial es posterior a la final.")
        avisos.append("Se usa el período por defecto.")
        return PRESET_POR_DEFECTO, rango(PRESET_POR_DEFECTO, corte)
    if desde < primera or hasta > corte:
        avisos.append("El período se ajustó a las fechas con datos.")
        desde, hasta = max(desde, primera), min(hasta, corte)
        if desde > hasta:
            return PRESET_POR_DEFECTO, rango(PRESET_POR_DEFECTO, corte)
    return preset, Ventana(desde, hasta)


def dentro_de(tabla: pd.DataFrame, columna: str, elegidos) -> pd.DataFrame:
    """Filas de un catálogo que pertenecen a lo elegido en el nivel superior (todas si nada)."""
    return tabla[tabla[columna].isin(elegidos)] if elegidos else tabla


def desde_url(params: dict[str, list[str]], cat) -> tuple[Filtros, list[str]]:
    """Filtros a partir de los parámetros de la URL; lo inválido vuelve al valor por defecto con
    un aviso en castellano, nunca con un error."""
    avisos: list[str] = []
    fuente = (params.get("fuente") or [FUENTE_POR_DEFECTO])[0]
    if fuente not in set(cat.fuentes["fuente"]):
        avisos.append(f"Se ignoró la fuente desconocida «{mostrar(fuente)}».")
        fuente = FUENTE_POR_DEFECTO
    preset, ventana = _ventana_url(params, cat.primera, cat.corte_de(fuente), avisos)
    sectores = _elegir(
        params.get("sector", []), set(cat.sectores["sector_id"]), "el sector", avisos
    )
    barrios = dentro_de(cat.barrios, "sector_id", sectores)
    familias = _elegir(
        params.get("familia", []), set(cat.familias["familia"]), "la familia", avisos, "desconocida"
    )
    delitos = dentro_de(cat.delitos, "familia", familias)
    olas = _elegir(params.get("ola", []), set(cat.olas), "la ola", avisos, "desconocida")
    if len(olas) > MAXIMO_OLAS:
        avisos.append(f"Se comparan a lo más dos olas: se usan {olas[0]} y {olas[1]}.")
        olas = olas[:MAXIMO_OLAS]
    filtros = Filtros(
        desde=ventana.desde,
        hasta=ventana.hasta,
        preset=preset,
        sectores=sectores,
        barrios=_elegir(params.get("barrio", []), set(barrios["barrio_id"]), "el barrio", avisos),
        familias=familias,
        delitos=_elegir(params.get("delito", []), set(delitos["delito"]), "el delito", avisos),
        fuente=fuente,
        olas=olas,
    )
    return filtros, avisos


# Los parámetros de la URL que son de los filtros compartidos (los que escribe a_url); los demás
# son de la página (p. ej. la capa del Mapa) y se conservan.
CLAVES_URL = {"periodo", "desde", "hasta", "sector", "barrio", "familia", "delito", "fuente", "ola"}


def a_url(filtros: Filtros) -> dict[str, list[str]]:
    """Parámetros de la URL que reproducen los filtros; se omite lo que está por defecto."""
    params: dict[str, list[str]] = {}
    if filtros.preset != PRESET_POR_DEFECTO:
        params["periodo"] = [filtros.preset]
    if filtros.preset == "personalizado":
        params["desde"] = [filtros.desde.isoformat()]
        params["hasta"] = [filtros.hasta.isoformat()]
    for clave, valores in [
        ("sector", filtros.sectores),
        ("barrio", filtros.barrios),
        ("familia", filtros.familias),
        ("delito", filtros.delitos),
        ("ola", filtros.olas),
    ]:
        if valores:
            params[clave] = list(valores)
    if filtros.fuente != FUENTE_POR_DEFECTO:
        params["fuente"] = [filtros.fuente]
    return params
