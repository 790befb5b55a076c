"""Cobertura del programa: qué hace el programa y dónde, frente a la necesidad de cada barrio, y si
sus intervenciones coincidieron con bajas de los casos (WDD)."""

import streamlit as st

from consultas import catalogos, cobertura, evaluacion, mapa
from consultas.filtros import dentro_de
from ui import cobertura as vista
from ui import componentes, conexion, descargas, formato
from ui import mapa as dibujo

UMBRALES = {5: "5", 10: "10", 20: "20", 30: "30"}
PESOS = {0: "0 · no cuenta", 1: "1", 2: "2", 3: "3"}
VENTANAS = {m: f"{m} meses" for m in evaluacion.VENTANAS}
FORMULA = """
**Índice de necesidad** = (w₁ · tasa + w₂ · calientes + w₃ · percepción) / (w₁ + w₂ + w₃)

- **tasa**: casos policiales DMCS por 1.000 habitantes en el período;
- **calientes**: parte de las celdas H3 (resolución 9) del barrio que son punto caliente (Gi* con
  FDR, al 90 % o más) con los casos DMCS del período en toda la comuna;
- **percepción**: proporción que se siente insegura en su barrio en la última ola de la encuesta
  iniciada al final del período: la del barrio si su estimación es al menos «poco fiable»; si no,
  la de su sector si lo es; si tampoco, el componente se deja fuera para ese barrio y los pesos se
  reparten entre los otros (en la demostración, como en las encuestas municipales, las
  estimaciones por barrio son «no fiables» y se usa la del sector).

Cada componente entra como la posición del barrio entre los barrios de **toda la comuna** con
dato (0 el menor, 1 el mayor), así una tasa extrema no aplasta a las demás y el índice de un barrio
no cambia al filtrar un sector. **Necesidad alta**: el tercio superior de la comuna.
**Prioritario sin cobertura suficiente**: necesidad alta y menos hogares alcanzados por cada 100
que el umbral elegido. Los hogares alcanzados suman los de cada actividad (un hogar alcanzado dos
veces cuenta dos).
"""

cat, seleccion = componentes.contexto()
st.title("Cobertura del programa")
lineas = conexion.referencia(mapa.lineas)
nombres_linea = dict(zip(lineas["linea"], lineas["linea"] + " " + lineas["nombre"], strict=True))
opciones_linea = {"todas": "Todas las líneas", **nombres_linea}

componentes.opcion_url("c_linea", "linea", opciones_linea, "todas", "la línea del programa")
componentes.opcion_url("c_umbral", "umbral", UMBRALES, 10, "el umbral de cobertura")
izquierda, derecha = st.columns([3, 1])
linea = izquierda.selectbox(
    "Línea del programa", list(opciones_linea), format_func=opciones_linea.get, key="c_linea"
)
umbral = derecha.selectbox(
    "Cobertura suficiente desde",
    list(UMBRALES),
    format_func=lambda u: f"{u} hogares por 100",
    key="c_umbral",
    help="Hogares alcanzados por cada 100 hogares del barrio en el período.",
)
componentes.escribir_opcion_url("linea", linea, "todas")
componentes.escribir_opcion_url("umbral", umbral, 10)
elegidas = () if linea == "todas" else (linea,)

corte_actividades = cat.metadatos.get("fecha_corte_actividades") or cat.corte.isoformat()
territorio = formato.territorio(seleccion, cat)
leyenda = (
    f"{formato.rango(seleccion.desde, seleccion.hasta)} · {territorio} · "
    f"{opciones_linea[linea]} · Actividades al {formato.fecha(corte_actividades)} · "
    f"Casos policiales DMCS · Datos al {formato.fecha(cat.corte_de('policial'))}"
)
st.caption(leyenda)
if seleccion.ventana.dias < 90:
    st.info(
        f"El período elegido tiene {seleccion.ventana.dias} días: la cobertura de un programa se "
        "lee mejor en períodos largos. Pruebe «Año a la fecha» o un período personalizado de 12 "
        "meses en los filtros."
    )

# --- Cobertura por barrio y sector ---------------------------------------------------------------
st.subheader("Actividades por barrio")
componentes.opcion_url("c_peso_tasa", "peso_tasa", PESOS, 1, "el peso de la tasa")
componentes.opcion_url("c_peso_calientes", "peso_calientes", PESOS, 1, "el peso de las celdas")
componentes.opcion_url("c_peso_percepcion", "peso_percepcion", PESOS, 1, "el peso de la percepción")
pesos = tuple(
    st.session_state[clave] for clave in ("c_peso_tasa", "c_peso_calientes", "c_peso_percepcion")
)
componentes.opcion_url("c_ventana", "ventana", VENTANAS, 6, "la ventana de evaluación")
componentes.opcion_url("c_franja", "franja", {False: "no", True: "sí"}, False, "la franja")
barrios = dentro_de(cat.barrios, "sector_id", seleccion.sectores)
barrios = tuple(seleccion.barrios) or tuple(barrios["barrio_id"])
conexion.adelantar(
    (cobertura.necesidad_y_cobertura, seleccion, elegidas, pesos, umbral),
    (evaluacion.evaluar, st.session_state.c_ventana, barrios, st.session_state.c_franja),
    (cobertura.actividades_por_tipo, seleccion, elegidas),
)
tabla = conexion.consultar(cobertura.necesidad_y_cobertura, seleccion, elegidas, pesos, umbral)
uno, dos, tres, cuatro = st.columns(4)
uno.metric("Actividades", formato.numero(tabla["actividades"].sum()))
dos.metric("Participantes", formato.numero(tabla["participantes"].sum()))
tres.metric("Hogares alcanzados", formato.numero(tabla["hogares_alcanzados"].sum()))
cuatro.metric("Barrios con actividades", f"{(tabla['actividades'] > 0).sum()} de {len(tabla)}")
st.dataframe(
    vista.tabla_cobertura(
        tabla.sort_values(["actividades", "barrio"], ascending=[False, True]), seleccion
    ),
    hide_index=True,
    column_config={
        "Ficha": st.column_config.LinkColumn("Ficha", display_text="Abrir ficha"),
    },
)
st.write(cobertura.frase_cobertura(tabla))
st.caption(
    "Actividades, participantes y hogares alcanzados en el período; meses desde la última "
    f"actividad al {formato.fecha(seleccion.hasta)} · {leyenda}"
)
elegir, abrir = st.columns([3, 1], vertical_alignment="bottom")
nombres_barrio = dict(zip(tabla["barrio_id"], tabla["barrio"], strict=True))
ficha = elegir.selectbox(
    "Ficha de un barrio", list(nombres_barrio), format_func=nombres_barrio.get, key="c_ficha"
)
if ficha:
    abrir.link_button(
        f"Abrir la ficha de {nombres_barrio[ficha]}", vista.enlace_ficha(ficha, seleccion)
    )
descargas.botones(
    tabla[cobertura.COLUMNAS],
    f"cobertura_{seleccion.hasta.isoformat()}",
    "Descargar cobertura y necesidad",
    leyenda,
)

izquierda, derecha = st.columns([3, 2])
with izquierda:
    geometrias, comuna = conexion.referencia(catalogos.geometrias)
    valores = tabla.assign(
        valor=tabla["hogares_por_100"].where(tabla["actividades"] > 0),
        texto=[
            f"{formato.numero(a)} actividades · {formato.numero(h, 1)} hogares por 100"
            for a, h in zip(tabla["actividades"], tabla["hogares_por_100"], strict=True)
        ],
    )[["barrio_id", "valor", "texto"]]
    capas = [
        dibujo.capa_coropleta(geometrias, valores),
        dibujo.capa_contorno(comuna),
        dibujo.capa_nombres(geometrias),
    ]
    evento = st.pydeck_chart(
        dibujo.armar(capas, dibujo.VISTA_MAPA),
        height=520,
        on_select="rerun",
        selection_mode="single-object",
        key="c_mapa",
    )
    st.markdown(
        dibujo.leyenda(
            [("menos", dibujo.COLORES[0]), ("más", dibujo.COLORES[-1])]
            + [("sin actividades o fuera del filtro", dibujo.SIN_DATO)],
            "Hogares alcanzados por cada 100:",
        ),
        unsafe_allow_html=True,
    )
    st.caption(f"Hogares alcanzados por cada 100 hogares, en quintiles · {leyenda}")
    vista.boton_ficha(evento, cat.barrios, seleccion)
with derecha:
    sectores = vista.por_sector(tabla)
    st.dataframe(vista.tabla_sectores(sectores), hide_index=True)
    st.write(vista.frase_sectores(sectores))
    st.caption(f"Por sector · {leyenda}")
with st.expander("Actividades por tipo (sección 3 del programa)"):
    tipos = conexion.consultar(cobertura.actividades_por_tipo, seleccion, elegidas)
    if tipos.empty:
        st.write("No hubo actividades en el período y el territorio filtrados.")
    else:
        st.dataframe(vista.tabla_tipos(tipos), hide_index=True)
        st.write(vista.frase_tipos(tipos))
    st.caption(leyenda)

# --- Necesidad × cobertura -----------------------------------------------------------------------
st.subheader("Necesidad y cobertura")
st.markdown(FORMULA)
columnas = st.columns(3)
etiquetas = [
    "Peso de la tasa (w₁)",
    "Peso de las celdas calientes (w₂)",
    "Peso de la percepción (w₃)",
]
for columna, clave, etiqueta in zip(
    columnas, ("c_peso_tasa", "c_peso_calientes", "c_peso_percepcion"), etiquetas, strict=True
):
    columna.selectbox(etiqueta, list(PESOS), format_func=PESOS.get, key=clave)
for url, clave in (
    ("peso_tasa", "c_peso_tasa"),
    ("peso_calientes", "c_peso_calientes"),
    ("peso_percepcion", "c_peso_percepcion"),
):
    componentes.escribir_opcion_url(url, st.session_state[clave], 1)
if sum(pesos) == 0:
    st.warning("Con todos los pesos en 0 no hay índice de necesidad: dé peso a algún componente.")
else:
    corte = float(tabla["corte_necesidad"].iloc[0]) if len(tabla) else float("nan")
    st.plotly_chart(vista.grafico_cuadrantes(tabla, umbral, corte), config={"displaylogo": False})
    st.write(cobertura.frase_prioritarios(tabla, umbral))
    st.caption(
        f"Pesos {pesos[0]}, {pesos[1]} y {pesos[2]}; necesidad alta desde "
        f"{formato.numero(corte, 2)} (tercio superior de la comuna); cobertura suficiente desde "
        f"{umbral} hogares por 100 · {leyenda}"
    )
    st.markdown("**Barrios prioritarios sin cobertura suficiente**")
    prioritarios = tabla[tabla["prioritario"]]
    if prioritarios.empty:
        st.success("Ningún barrio de necesidad alta está bajo el umbral de cobertura.")
    else:
        st.dataframe(vista.tabla_necesidad(prioritarios), hide_index=True)
        st.caption(f"Componentes de los barrios prioritarios · {leyenda}")
    with st.expander("Cada componente, por barrio"):
        st.dataframe(vista.tabla_necesidad(tabla), hide_index=True)
        st.caption(leyenda)

# --- Evaluación ----------------------------------------------------------------------------------
st.subheader("¿Coincidieron las intervenciones con bajas? (WDD)")
meses = st.selectbox(
    "Ventanas antes y después", list(VENTANAS), format_func=VENTANAS.get, key="c_ventana"
)
componentes.escribir_opcion_url("ventana", meses, 6)
franja = st.toggle(
    "Incluir la franja de desplazamiento",
    key="c_franja",
    help="Suma al WDD el cambio en los casos de otros barrios en las celdas H3 que tocan el "
    "barrio o son vecinas de ellas (unos 200 a 400 m alrededor): si los delitos se corren a la "
    "vuelta de la esquina, la baja del barrio no cuenta como tal.",
)
componentes.escribir_opcion_url("franja", franja, False)
evaluadas = conexion.consultar(evaluacion.evaluar, meses, barrios, franja)
with st.expander("Reglas de la evaluación", expanded=False):
    st.markdown(vista.REGLAS_EVALUACION)
if evaluadas.empty:
    st.info(f"No hay intervenciones del programa que evaluar en {territorio}.")
else:
    orden = evaluacion.ordenar(evaluadas)
    st.dataframe(vista.tabla_evaluacion(orden), hide_index=True)
    st.write(evaluacion.frase(evaluadas))
    columnas = [c for c in evaluadas if c in evaluacion.COLUMNAS or c.startswith("despl")]
    descargas.botones(
        evaluadas[columnas],
        f"evaluacion_{meses}m",
        "Descargar evaluación",
        f"Ventanas de {meses} meses · casos policiales DMCS · {territorio}",
    )
st.caption(
    f"Todas las intervenciones registradas en {territorio} (el período de los filtros no se "
    f"aplica); ventanas de {meses} meses; casos policiales DMCS · Datos al "
    f"{formato.fecha(cat.corte_de('policial'))}"
)
