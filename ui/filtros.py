"""La barra de filtros de las páginas, sincronizada con la URL. Cada página muestra solo sus
grupos de filtros (declarados en app.py); los demás conservan su valor y su lugar en la URL."""

from datetime import date

import pandas as pd
import streamlit as st

from consultas.catalogos import Catalogo
from consultas.filtros import CLAVES_URL, Filtros, a_url, dentro_de, desde_url
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
    "olas": "f_olas",
}

# Grupos de filtros: cada página declara en app.py los que le sirven y la barra dibuja solo esos.
FUENTE, PERIODO, TERRITORIO, DELITOS, OLAS = "fuente", "periodo", "territorio", "delitos", "olas"
CASOS = (FUENTE, PERIODO, TERRITORIO, DELITOS)  # los de las páginas de casos: el valor por defecto
_GRUPOS = {
    FUENTE: ("f_fuente",),
    PERIODO: ("f_periodo", "f_desde", "f_hasta"),
    TERRITORIO: ("f_sectores", "f_barrios"),
    DELITOS: ("f_familias", "f_delitos"),
    OLAS: ("f_olas",),
}
# Copia propia de todos los valores: Streamlit borra el estado de un widget que una ejecución no
# dibuja, y un filtro oculto en una página debe volver intacto (y seguir en la URL) en otra.
_VALORES = "f_valores"
_DIBUJADOS = "f_dibujados"


def _cargar(filtros: Filtros, claves: tuple[str, ...] | None = None) -> None:
    estado = st.session_state
    valores = estado.setdefault(_VALORES, {})
    for campo, clave in _CLAVES.items():
        if claves is None or clave in claves:
            valor = getattr(filtros, campo)
            valores[clave] = estado[clave] = list(valor) if isinstance(valor, tuple) else valor


def _leer_url(cat: Catalogo) -> None:
    """Solo al abrir la sesión: la URL manda sobre los valores por defecto."""
    params = {clave: st.query_params.get_all(clave) for clave in st.query_params}
    filtros, avisos = desde_url(params, cat)
    _cargar(filtros)
    st.session_state.f_avisos = avisos
    st.session_state.f_avisos_pendientes = list(avisos)


def _restablecer(cat: Catalogo, claves: tuple[str, ...]) -> None:
    """Vuelve al valor por defecto solo los filtros de la página (los ocultos se conservan)."""
    _cargar(desde_url({}, cat)[0], claves)


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


def _olas(cat: Catalogo) -> None:
    if not cat.olas:
        st.caption("La base no tiene encuestas.")
        return
    st.session_state.f_olas = [o for o in st.session_state.get("f_olas", []) if o in cat.olas]
    st.multiselect(
        "Olas de la encuesta",
        list(cat.olas),
        key="f_olas",
        max_selections=2,
        placeholder=f"La más reciente ({cat.olas[0]})",
        help="Una ola, o dos para compararlas.",
    )


def _dibujar(cat: Catalogo, grupos: tuple[str, ...], fuente: str) -> Ventana | None:
    """Dibuja los widgets de los grupos pedidos; devuelve el período si se dibujó."""
    ventana = None
    if FUENTE in grupos:
        fuente = componentes.elegir_fuente(
            cat,
            "Fuente",
            "f_fuente",
            "Los casos policiales y los registros municipales no se suman entre sí.",
        )
    if OLAS in grupos:
        _olas(cat)
    if PERIODO in grupos:
        preset = st.selectbox("Período", list(PRESETS), format_func=PRESETS.get, key="f_periodo")
        ventana = _ventana(cat, preset, cat.corte_de(fuente))
        st.caption(f"Del {formato.rango(ventana.desde, ventana.hasta)}")
    if TERRITORIO in grupos:
        sectores = _lista("Sectores", cat.sectores, "f_sectores", "Todos los sectores")
        barrios = dentro_de(cat.barrios, "sector_id", sectores)
        _lista("Barrios", barrios, "f_barrios", "Todos los barrios")
    if DELITOS in grupos:
        familias = _lista("Familias de delito", cat.familias, "f_familias", "Todas las familias")
        delitos = dentro_de(cat.delitos, "familia", familias)
        _lista("Tipos de delito o procedimiento", delitos, "f_delitos", "Todos los tipos")
    return ventana


def barra(cat: Catalogo, grupos: tuple[str, ...] = CASOS) -> Filtros:
    """Dibuja en la barra lateral los filtros de `grupos` y devuelve la selección vigente,
    incluidos los filtros ocultos en esta página, que conservan su valor y su lugar en la URL."""
    if "f_avisos" not in st.session_state:
        _leer_url(cat)
    valores = st.session_state[_VALORES]
    claves = tuple(c for g in grupos for c in _GRUPOS[g])
    # Un widget que la ejecución anterior no dibujó vuelve con el valor guardado: el estado que
    # Streamlit le deja (o no) en ese caso no es confiable.
    anteriores = st.session_state.get(_DIBUJADOS, ())
    for clave in claves:
        if clave not in anteriores:
            st.session_state[clave] = valores[clave]
    st.session_state[_DIBUJADOS] = claves
    ventana = None
    if grupos:
        with st.sidebar:
            st.header("Filtros")
            ventana = _dibujar(cat, grupos, valores["f_fuente"])
            st.button("Restablecer filtros", on_click=_restablecer, args=(cat, claves))
    valores.update({clave: st.session_state[clave] for clave in claves})
    if ventana is None:
        preset = valores["f_periodo"]
        ventana = (
            Ventana(valores["f_desde"], valores["f_hasta"])
            if preset == "personalizado"
            else rango(preset, cat.corte_de(valores["f_fuente"]))
        )
    filtros = Filtros(
        desde=ventana.desde,
        hasta=ventana.hasta,
        preset=valores["f_periodo"],
        sectores=tuple(valores["f_sectores"]),
        barrios=tuple(valores["f_barrios"]),
        familias=tuple(valores["f_familias"]),
        delitos=tuple(valores["f_delitos"]),
        fuente=valores["f_fuente"],
        olas=tuple(valores["f_olas"]),
    )
    _escribir_url(filtros)
    return filtros


def _escribir_url(filtros: Filtros) -> None:
    actuales = {clave: st.query_params.get_all(clave) for clave in st.query_params}
    params = a_url(filtros) | {k: v for k, v in actuales.items() if k not in CLAVES_URL}
    if actuales != params:
        st.query_params.from_dict(params)


def avisos() -> None:
    """Muestra, una vez, lo que se ignoró de la URL."""
    for aviso in st.session_state.pop("f_avisos_pendientes", []):
        st.warning(aviso, icon="⚠️")


def elegir_barrio(barrio_id: str) -> None:
    """Deja el filtro territorial en un solo barrio, sin sectores (la Ficha de barrio toma su
    barrio de ese filtro: `/barrio?barrio=…`). Para un callback: la barra lo lee en la ejecución
    siguiente, y el barrio queda en la URL."""
    valores = st.session_state[_VALORES]
    valores["f_barrios"] = [barrio_id]
    valores["f_sectores"] = []
