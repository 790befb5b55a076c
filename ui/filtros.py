"""La barra de filtros compartida por todas las páginas, sincronizada con la URL."""

from datetime import date

import pandas as pd
import streamlit as st

from consultas.catalogos import Catalogo
from consultas.filtros import Filtros, a_url, dentro_de, desde_url
from consultas.periodos import PRESETS, Ventana, rango
from ui import componentes, formato

_CLAVES = {
    "preset": "f_periodo",
    "desde": "f_desde",
    "hasta": "f_hasta",
    "sectores": "f_sectores",
    "barrios": "f_barrios",
    "familias": "f_familias",
    "delitos": "f_delitos",
    "fuente": "f_fuente",
}


def _cargar(filtros: Filtros) -> None:
    estado = st.session_state
    for campo, clave in _CLAVES.items():
        valor = getattr(filtros, campo)
        estado[clave] = list(valor) if isinstance(valor, tuple) else valor


def _leer_url(cat: Catalogo) -> None:
    """Solo al abrir la sesión: la URL manda sobre los valores por defecto."""
    params = {clave: st.query_params.get_all(clave) for clave in st.query_params}
    filtros, avisos = desde_url(params, cat)
    _cargar(filtros)
    st.session_state.f_avisos = avisos
    st.session_state.f_avisos_pendientes = list(avisos)


def _restablecer(cat: Catalogo) -> None:
    _cargar(desde_url({}, cat)[0])


def _lista(etiqueta: str, tabla: pd.DataFrame, clave: str, vacio: str) -> list[str]:
    """Selección múltiple sobre un catálogo (id en la primera columna, y `nombre`).

    Antes de dibujarla se quita lo que ya no está entre las opciones (p. ej. un barrio de un
    sector que se acaba de quitar).
    """
    ids = list(tabla.iloc[:, 0])
    st.session_state[clave] = [v for v in st.session_state.get(clave, []) if v in set(ids)]
    nombres = dict(zip(ids, tabla["nombre"], strict=True))
    return st.multiselect(etiqueta, ids, format_func=nombres.get, key=clave, placeholder=vacio)


def _ventana(cat: Catalogo, preset: str, corte: date) -> Ventana:
    if preset != "personalizado":
        ventana = rango(preset, corte)
        # Al pasar a "Personalizado" las fechas parten del último período elegido.
        st.session_state.f_desde, st.session_state.f_hasta = ventana.desde, ventana.hasta
        return ventana
    desde = st.date_input(
        "Desde", key="f_desde", min_value=cat.primera, max_value=corte, format="DD-MM-YYYY"
    )
    hasta = st.date_input(
        "Hasta", key="f_hasta", min_value=cat.primera, max_value=corte, format="DD-MM-YYYY"
    )
    if not isinstance(desde, date) or not isinstance(hasta, date) or desde > hasta:
        st.warning("El período no es válido: la fecha inicial debe ser anterior a la final.")
        return rango("28d", corte)
    return Ventana(desde, hasta)


def barra(cat: Catalogo) -> Filtros:
    """Dibuja los filtros en la barra lateral y devuelve la selección vigente."""
    if "f_avisos" not in st.session_state:
        _leer_url(cat)
    with st.sidebar:
        st.header("Filtros")
        fuente = componentes.elegir_fuente(
            cat,
            "Fuente",
            "f_fuente",
            "Los casos policiales y los registros municipales no se suman entre sí.",
        )
        preset = st.selectbox("Período", list(PRESETS), format_func=PRESETS.get, key="f_periodo")
        ventana = _ventana(cat, preset, cat.corte_de(fuente))
        st.caption(f"Del {formato.rango(ventana.desde, ventana.hasta)}")
        sectores = _lista("Sectores", cat.sectores, "f_sectores", "Todos los sectores")
        barrios = dentro_de(cat.barrios, "sector_id", sectores)
        elegidos = _lista("Barrios", barrios, "f_barrios", "Todos los barrios")
        familias = _lista("Familias de delito", cat.familias, "f_familias", "Todas las familias")
        delitos = dentro_de(cat.delitos, "familia", familias)
        tipos = _lista("Tipos de delito o procedimiento", delitos, "f_delitos", "Todos los tipos")
        st.button("Restablecer filtros", on_click=_restablecer, args=(cat,))
    filtros = Filtros(
        desde=ventana.desde,
        hasta=ventana.hasta,
        preset=preset,
        sectores=tuple(sectores),
        barrios=tuple(elegidos),
        familias=tuple(familias),
        delitos=tuple(tipos),
        fuente=fuente,
    )
    _escribir_url(filtros)
    return filtros


# Parámetros de la URL que son de los filtros compartidos; los demás (p. ej. la capa del Mapa)
# son de la página y se conservan.
CLAVES_URL = {"periodo", "desde", "hasta", "sector", "barrio", "familia", "delito", "fuente"}


def _escribir_url(filtros: Filtros) -> None:
    actuales = {clave: st.query_params.get_all(clave) for clave in st.query_params}
    params = a_url(filtros) | {k: v for k, v in actuales.items() if k not in CLAVES_URL}
    if actuales != params:
        st.query_params.from_dict(params)


def avisos() -> None:
    """Muestra, una vez, lo que se ignoró de la URL."""
    for aviso in st.session_state.pop("f_avisos_pendientes", []):
        st.warning(aviso, icon="⚠️")
