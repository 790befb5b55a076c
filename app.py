"""Observatorio de Seguridad de Las Condes: punto de entrada, filtros compartidos y navegación."""

from pathlib import Path

import streamlit as st

from consultas.catalogos import catalogo
from ui import acceso, compartir, conexion, filtros, informe

st.set_page_config(
    page_title="Observatorio de Seguridad · Las Condes",
    page_icon=str(Path(__file__).parent / "ui" / "escudo.png"),  # local: nada sale del servidor
    layout="wide",
)

if conexion.abrir() is None:
    st.error(
        f"No se encontró la base de datos en «{conexion.ruta_base()}». Genere los datos de "
        "demostración con `make run` o indique un archivo con la variable OBSERVATORIO_DB."
    )
    st.stop()

# Las páginas están en paginas/ y no en pages/: con una carpeta pages/ Streamlit ejecuta sola la
# página de un enlace directo (/datos) si es lo primero que abre el servidor.
# La navegación va antes de los filtros: al cambiar de página Streamlit limpia la URL, y los
# filtros la vuelven a escribir (también los que la página no muestra).
# Cada página, con los grupos de filtros que usa (sin indicarlos: los de casos, filtros.CASOS).
paginas = {
    st.Page(
        "paginas/resumen.py", title="Resumen", icon=":material/dashboard:", default=True
    ): filtros.CASOS,
    st.Page("paginas/tendencias.py", title="Tendencias", icon=":material/timeline:"): filtros.CASOS,
    st.Page("paginas/mapa.py", title="Mapa", icon=":material/map:"): filtros.CASOS,
    st.Page("paginas/percepcion.py", title="Percepción", icon=":material/groups:"): (
        filtros.OLAS,
        filtros.TERRITORIO,
    ),
    st.Page("paginas/cobertura.py", title="Cobertura", icon=":material/volunteer_activism:"): (
        filtros.PERIODO,
        filtros.TERRITORIO,
    ),
    st.Page("paginas/barrio.py", title="Ficha de barrio", icon=":material/home_pin:"): (
        filtros.FUENTE,
        filtros.PERIODO,
    ),
    st.Page("paginas/datos.py", title="Datos", icon=":material/database:"): (),
}
pagina = st.navigation(list(paginas))
compartir.fijar()  # la versión de los datos de un enlace compartido, antes de la primera consulta
cat = conexion.referencia(catalogo)
st.session_state["catalogo"] = cat
grupos = paginas.get(pagina, filtros.CASOS)
st.session_state["filtros"] = filtros.barra(cat, grupos)
if cat.metadatos.get("origen") == "demo":
    st.sidebar.info("Datos de demostración sintéticos: los barrios y los casos son generados.")
acceso.barra()
compartir.boton()
filtros.avisos()
compartir.avisos(cat)
informe.mostrar(pagina, grupos)  # la página, con su informe y su modo presentación
