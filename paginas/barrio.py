"""Ficha de barrio: un barrio en una página imprimible, para el diagnóstico participativo."""

import numpy as np
import pandas as pd
import streamlit as st

from consultas import catalogos, evaluacion, ficha
from consultas.encuestas import COMUNA
from ui import cobertura as vista
from ui import componentes, conexion, filtros, formato
from ui import encuestas as vista_encuesta
from ui import mapa as dibujo

VENTANAS = {m: f"{m} meses" for m in evaluacion.VENTANAS}
# Al imprimir (Ctrl+P) la ficha sale sola, sin la barra lateral ni los controles.
IMPRESION = """<style>@media print {
[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stSelectbox"],
[data-testid="stDownloadButton"] {display: none !important;}
}</style>"""

cat, seleccion = componentes.contexto()
nombres = cat.nombres("barrios")
barrio = seleccion.barrios[0] if seleccion.barrios else None
st.markdown(IMPRESION, unsafe_allow_html=True)


def _cambiar() -> None:
    if st.session_state.b_barrio:
        filtros.elegir_barrio(st.session_state.b_barrio)


st.title(f"Ficha de barrio: {nombres[barrio]}" if barrio else "Ficha de barrio")
st.session_state.b_barrio = barrio
st.selectbox(
    "Barrio",
    list(nombres),
    format_func=nombres.get,
    key="b_barrio",
    placeholder="Elija un barrio",
    on_change=_cambiar,
)
if barrio is None:
    st.info(
        "Elija un barrio para ver su ficha: población, casos y tasa con su tendencia, tipos de "
        "delito, horarios, puntos calientes, encuesta, actividades del programa y su evaluación. "
        "También se abre con un enlace: /barrio?barrio=el-golf."
    )
    st.stop()
if len(seleccion.barrios) > 1:
    st.caption(f"Los filtros tenían {len(seleccion.barrios)} barrios: la ficha muestra el primero.")

perfil = cat.barrios.set_index("barrio_id").loc[barrio]
nombre = perfil["nombre"]
fuente = cat.nombres("fuentes")[seleccion.fuente]
datos_al = f"Datos al {formato.fecha(cat.corte_de(seleccion.fuente))}"
leyenda = (
    f"{nombre} (sector {perfil['sector']}) · {fuente} · "
    f"{formato.rango(seleccion.desde, seleccion.hasta)} · todas las familias · {datos_al}"
)
st.caption(leyenda + ". Para imprimir la ficha use Ctrl+P.")
if cat.metadatos.get("origen") == "demo":
    st.caption("Barrio sintético de la demostración: sus límites y cifras son generados.")

componentes.opcion_url("b_ventana", "ventana", VENTANAS, 6, "la ventana de evaluación")
conexion.adelantar(
    (ficha.casos, seleccion, barrio),
    (ficha.tendencia, seleccion, barrio),
    (ficha.delitos, seleccion, barrio),
    (ficha.horas, seleccion, barrio),
    (ficha.celdas_calientes, seleccion, nombre),
    (ficha.encuesta, seleccion, barrio),
    (ficha.actividades, seleccion, barrio),
    (ficha.ultima_actividad, seleccion, barrio),
    (evaluacion.evaluar, st.session_state.b_ventana, (barrio,)),
)

# --- Población, casos y tasa ---------------------------------------------------------------------
casos = conexion.consultar(ficha.casos, seleccion, barrio)
fila = casos["fila"]
uno, dos, tres, cuatro = st.columns(4)
uno.metric("Población", formato.numero(perfil["poblacion"]))
dos.metric("Hogares", formato.numero(perfil["hogares"]))
if not fila.empty:
    tres.metric(
        "Casos en el período",
        formato.conteo(fila["actual"]),
        delta_description="vs período anterior",
        **componentes.cambio(pd.concat([fila, pd.Series({"comparacion": "período anterior"})])),
    )
    cuatro.metric(
        "Tasa por 1.000 habitantes",
        formato.numero(fila["tasa"], 2),
        help=f"Comuna: {formato.numero(casos['tasa_comuna'], 2)} por 1.000 habitantes.",
    )
if not perfil["poblacion"] > 0:
    st.warning(f"{nombre} no tiene población registrada: no hay tasa por habitantes ni evaluación.")
st.write(ficha.frase_casos(nombre, casos))

tendencia = conexion.consultar(ficha.tendencia, seleccion, barrio)
figura = vista.grafico_tendencia(tendencia, nombre)
st.plotly_chart(figura, config={"displaylogo": False})
st.write(vista.frase_tendencia(tendencia, nombre))
st.caption(
    f"Tasa mensual de los últimos {ficha.MESES_TENDENCIA} meses al "
    f"{formato.fecha(seleccion.hasta)} (el último mes puede estar incompleto) · {fuente} · "
    f"todas las familias · {datos_al}"
)

# --- Tipos de delito y horarios ------------------------------------------------------------------
izquierda, derecha = st.columns(2)
with izquierda:
    st.subheader("Tipos más frecuentes")
    delitos = conexion.consultar(ficha.delitos, seleccion, barrio)
    if delitos.empty:
        st.write("No hubo casos en el período.")
    else:
        st.dataframe(
            delitos.assign(casos=formato.conteos(delitos["casos"])).rename(
                columns={"delito": "Tipo", "familia": "Familia", "casos": "Casos"}
            ),
            hide_index=True,
        )
        primero = delitos.iloc[0]
        st.write(
            f"El tipo más frecuente fue {primero['delito'].lower()} "
            f"({formato.conteo(primero['casos'])} casos)."
        )
    st.caption(leyenda)
with derecha:
    st.subheader("Día y hora")
    horas = conexion.consultar(ficha.horas, seleccion, barrio)
    mapa_calor = vista.grafico_horas(horas)
    st.plotly_chart(mapa_calor, config={"displaylogo": False})
    total = np.nansum(horas.to_numpy(dtype=float))
    if total:
        dia, hora = divmod(int(np.nanargmax(horas.to_numpy(dtype=float))), 24)
        # Con conteos suprimidos (público), la suma de lo visible no es el total del barrio.
        de = "L" if horas.isna().to_numpy().any() else f"De {formato.numero(total)} casos, l"
        st.write(
            f"{de}a franja con más fue el {horas.index[dia]} de {hora}:00 a {hora + 1}:00 "
            f"({formato.conteo(horas.iat[dia, hora])} casos)."
        )
    st.caption(f"Casos por día de la semana y hora · {leyenda}")

# --- Puntos calientes ----------------------------------------------------------------------------
st.subheader("Celdas que son punto caliente")
calientes = conexion.consultar(ficha.celdas_calientes, seleccion, nombre)
geometrias, _ = conexion.referencia(catalogos.geometrias)
st.pydeck_chart(vista.mapa_barrio(geometrias, barrio, calientes), height=380)
if not calientes.empty:
    presentes = [c for c in dibujo.COLORES_CLASE if c in set(calientes["clase"])]
    elementos = [(c, dibujo.COLORES_CLASE[c]) for c in presentes]
    st.markdown(dibujo.leyenda(elementos, "Gi* (p ajustado por FDR):"), unsafe_allow_html=True)
if calientes.empty:
    st.write(f"Ninguna celda de {nombre} es punto caliente (Gi*) en el período.")
else:
    st.dataframe(dibujo.tabla_hotspots(calientes), hide_index=True)
    st.write(f"{len(calientes)} celdas de {nombre} son punto caliente (Gi*, p ajustado por FDR).")
st.caption(f"Gi* de resolución 9 sobre toda la comuna · {leyenda}")

# --- Encuesta ------------------------------------------------------------------------------------
st.subheader("Encuesta de percepción")
est = conexion.consultar(ficha.encuesta, seleccion, barrio)
if est.empty:
    st.write("No hay una ola de la encuesta iniciada antes del fin del período.")
else:
    por_nivel = {
        nivel: est[est["nivel"] == nivel].set_index("indicador")
        for nivel in (COMUNA, "sector", "barrio")
    }
    indicadores = por_nivel[COMUNA]
    tabla = {"Indicador": indicadores["nombre"]}
    columnas = (("barrio", nombre), ("sector", f"Sector {perfil['sector']}"), (COMUNA, "Comuna"))
    for nivel, titulo in columnas:
        tabla[titulo] = vista_encuesta.textos_o_guion(por_nivel[nivel].reindex(indicadores.index))
    st.dataframe(tabla, hide_index=True)
    ola = est["ola"].iloc[0]
    fiables = (por_nivel["barrio"]["calidad"] != "no fiable").sum()
    st.write(
        f"Ola {ola}: {fiables} de {len(indicadores)} estimaciones del barrio son publicables; "
        "las «no fiables» solo muestran su n (use la del sector)."
    )
    st.caption(
        f"Ola {ola} · estimación (IC 95 %) y calidad INE · Datos al "
        f"{formato.fecha(cat.metadatos.get('fecha_corte_encuestas') or cat.corte)}"
    )

# --- Programa ------------------------------------------------------------------------------------
st.subheader("Actividades del programa")
actividades = conexion.consultar(ficha.actividades, seleccion, barrio)
ultima = conexion.consultar(ficha.ultima_actividad, seleccion, barrio)
if actividades.empty:
    previa = f" La última fue el {formato.fecha(ultima)}." if ultima else ""
    st.write(f"{nombre} no tuvo actividades del programa en el período.{previa}")
else:
    st.dataframe(vista.tabla_tipos(actividades, con_barrio=False), hide_index=True)
    alcanzados = int(actividades["hogares_alcanzados"].sum())
    por_100 = 100 * alcanzados / perfil["hogares"] if perfil["hogares"] else float("nan")
    st.write(
        f"{formato.numero(actividades['actividades'].sum())} actividades en el período, "
        f"{formato.numero(alcanzados)} hogares alcanzados ({formato.numero(por_100, 1)} por "
        f"cada 100); la última, el {formato.fecha(ultima)}."
    )
st.caption(
    f"{nombre} · {formato.rango(seleccion.desde, seleccion.hasta)} · actividades del programa · "
    f"Datos al {formato.fecha(cat.metadatos.get('fecha_corte_actividades') or cat.corte)}"
)

st.subheader("Evaluación de sus intervenciones (WDD)")
meses = st.selectbox(
    "Ventanas antes y después", list(VENTANAS), format_func=VENTANAS.get, key="b_ventana"
)
componentes.escribir_opcion_url("ventana", meses, 6)
evaluadas = conexion.consultar(evaluacion.evaluar, meses, (barrio,))
if evaluadas.empty:
    st.write(f"{nombre} no tiene intervenciones del programa que evaluar.")
else:
    tabla_evaluada = vista.tabla_evaluacion(evaluacion.ordenar(evaluadas), con_barrio=False)
    st.dataframe(tabla_evaluada, hide_index=True)
    st.write(evaluacion.frase(evaluadas))
with st.expander("Reglas de la evaluación"):
    st.markdown(vista.REGLAS_EVALUACION)
st.caption(
    f"Todas las intervenciones registradas en {nombre}; ventanas de {meses} meses; casos "
    f"policiales DMCS · Datos al {formato.fecha(cat.corte_de('policial'))}"
)
