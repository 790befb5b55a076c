"""Observatorio de Seguridad de Las Condes: punto de entrada, filtros compartidos y navegación."""

from pathlib import Path

import streamlit as st

from consultas.catalogos import catalogo
from ui import conexion, filtros

st.set_page_config(
    page_title="Observatorio de Seguridad · Las Condes",
    page_icon=str(Path(__file__).parent / "ui" / "escudo.png"),  # local: nada sale del servidor
    layout="wide",
)

if conexion.conexion() is None:
    st.error(
        f"No se encontró la base de datos en «{conexion.ruta_base()}». Genere los datos de "
        "demostración con `make run` o indique un archivo con la variable OBSERVATORIO_DB."
    )
    st.stop()

# Las páginas están en paginas/ y no en pages/: con una carpeta pages/ Streamlit ejecuta sola la
# página de un enlace directo (/datos) si es lo primero que abre el servidor.
# La navegación va antes de los filtros: al cambiar de página Streamlit limpia la URL, y los
# filtros la vuelven a escribir.
pagina = st.navigation(
    [
        st.Page("paginas/resumen.py", title="Resumen", icon=":material/dashboard:", default=True),
        st.Page("paginas/tendencias.py", title="Tendencias", icon=":material/timeline:"),
        st.Page("paginas/datos.py", title="Datos", icon=":material/database:"),
    ]
)
cat = conexion.consultar(catalogo)
st.session_state["catalogo"] = cat
st.session_state["filtros"] = filtros.barra(cat)
if cat.metadatos.get("origen") == "demo":
    st.sidebar.info("Datos de demostración sintéticos: los barrios y los casos son generados.")
filtros.avisos()
pagina.run()
