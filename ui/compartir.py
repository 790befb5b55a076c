"""Compartir una vista: un enlace con los filtros, las opciones de la página y la versión de los
datos, para que quien lo abra vea las mismas cifras aunque después se importen datos nuevos.

La versión sale del parámetro `version` de la URL al abrir la sesión y queda fijada en ella
(`conexion.VERSION_FIJADA`): `conexion.consultar` lee entonces esa versión. Una sesión sin versión
sigue la vigente, y ve la nueva en su ejecución siguiente a una importación.
"""

import pandas as pd
import streamlit as st

from consultas import versiones
from ui import conexion, formato

PARAMETRO = versiones.PARAMETRO
_LEIDA = "version_leida"  # la URL ya se leyó en esta sesión
_AVISO = "version_aviso"


def fijar() -> None:
    """Al comienzo de cada ejecución, antes de consultar: la versión de los datos de la sesión.

    La primera vez la toma del parámetro `version`; una versión que no existe se avisa y se usan
    los datos vigentes. Después la vuelve a escribir en la URL (al cambiar de página Streamlit la
    limpia), así el enlace de la barra de direcciones también conserva la versión.
    """
    estado = st.session_state
    actual = conexion.de_la_ejecucion().version
    if _LEIDA not in estado:
        estado[_LEIDA] = True
        texto = st.query_params.get(PARAMETRO)
        if texto is not None:
            try:
                estado[conexion.VERSION_FIJADA] = versiones.interpretar(texto, actual)
            except versiones.VersionDesconocida as error:
                estado[_AVISO] = f"{error} Se muestran los datos vigentes (versión {actual})."
    fijada = estado.get(conexion.VERSION_FIJADA)
    if fijada is not None and fijada > actual:  # el archivo se reemplazó por otra base
        estado[_AVISO] = (
            f"La versión {fijada} de los datos ya no existe en esta base; se muestran los datos "
            f"vigentes (versión {actual})."
        )
        del estado[conexion.VERSION_FIJADA]
        fijada = None
    if fijada is None:
        if PARAMETRO in st.query_params:
            del st.query_params[PARAMETRO]
    elif st.query_params.get(PARAMETRO) != str(fijada):
        st.query_params[PARAMETRO] = str(fijada)


def version_vista() -> int:
    """La versión de los datos que muestra esta sesión: la fijada por el enlace, o la vigente."""
    fijada = st.session_state.get(conexion.VERSION_FIJADA)
    return conexion.de_la_ejecucion().version if fijada is None else fijada


def enlace_vista() -> str:
    """El enlace que reabre la vista actual fijada en su versión de los datos: la dirección
    completa si el navegador la informó, si no solo `?parámetros` (para anteponer la del servidor).
    """
    params = {clave: st.query_params.get_all(clave) for clave in st.query_params}
    return (st.context.url or "") + versiones.enlace(params, version_vista())


def _fecha(tabla: pd.DataFrame, version: int) -> str:
    fecha = tabla.loc[tabla["version"] == version, "fecha"]
    return f", del {formato.fecha(fecha.iloc[0])}" if len(fecha) and pd.notna(fecha.iloc[0]) else ""


def _soltar() -> None:
    st.session_state.pop(conexion.VERSION_FIJADA, None)
    if PARAMETRO in st.query_params:
        del st.query_params[PARAMETRO]


def avisos(cat) -> None:
    """Arriba de la página: si la vista está fijada en una versión anterior, lo dice y ofrece los
    datos actuales; y, una vez, si la versión pedida no existía."""
    aviso = st.session_state.pop(_AVISO, None)
    if aviso:
        st.warning(aviso, icon="⚠️")
    fijada = st.session_state.get(conexion.VERSION_FIJADA)
    actual = conexion.de_la_ejecucion().version
    if fijada is None or fijada == actual:
        return
    tabla = conexion.consultar(versiones.lista)
    st.info(
        f"Esta vista muestra la versión {fijada} de los datos{_fecha(tabla, fijada)} (datos al "
        f"{formato.fecha(cat.corte)}), la de un enlace compartido. Hay datos más nuevos: la "
        f"versión {actual}{_fecha(tabla, actual)}.",
        icon=":material/history:",
    )
    st.button("Ver los datos actuales", on_click=_soltar, icon=":material/update:")


@st.dialog("Compartir esta vista", width="large")
def _dialogo() -> None:
    version = version_vista()
    st.code(enlace_vista(), language=None, wrap_lines=True)
    st.caption(
        f"El enlace guarda los filtros, las opciones de la página y la versión {version} de los "
        "datos: quien lo abra verá estas mismas cifras aunque después se importen datos nuevos, y "
        "la página le avisará que hay datos más recientes. Cópielo con el botón de la derecha."
    )


def boton() -> None:
    """En la barra lateral de cada página: el botón que entrega el enlace de la vista."""
    fijada = st.session_state.get(conexion.VERSION_FIJADA)
    if st.sidebar.button(
        "Compartir",
        icon=":material/share:",
        help="Un enlace a esta misma vista, con los datos de esta versión.",
    ):
        _dialogo()
    texto = f"Versión {version_vista()} de los datos"
    st.sidebar.caption(texto + (", fijada por el enlace" if fijada is not None else ""))
