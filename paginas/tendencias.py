"""Tendencias: cuándo ocurren los casos y si un cambio es real o es variación normal."""

import streamlit as st

from consultas import frases, tendencias
from consultas.estadistica import MINIMO_CASOS
from ui import componentes, conexion, descargas, formato, graficos

ORDENES = {
    "z_poisson": "z contra el período anterior",
    "variacion_pct": "Variación contra el período anterior",
    "z_anual": "z contra el año anterior",
    "tasa": "Tasa por 1.000 habitantes",
    "actual": "Casos",
    "unidad": "Nombre",
}
UNIDAD_COMPLETA = {"semana": "una semana completa (7 días)", "mes": "un mes calendario completo"}

cat, seleccion = componentes.contexto()
leyenda = formato.describir(seleccion, cat)
que, donde = frases.que(seleccion, cat), frases.donde(seleccion, cat)

st.title("Tendencias")
st.caption(leyenda)

# Las opciones de la página también van en la URL (?escala=mes&series=familia&por=sector).
OPCIONES = {
    "escala": ("t_escala", tendencias.ESCALAS, "semana", "la escala"),
    "series": ("t_desglose", tendencias.DESGLOSES, "total", "la serie"),
    "por": ("t_por", tendencias.TERRITORIOS, "barrio", "el territorio de comparación"),
}
for url, (clave, opciones, defecto, nombre) in OPCIONES.items():
    componentes.opcion_url(clave, url, opciones, defecto, nombre)

izquierda, centro, derecha = st.columns([1, 1.2, 1])
escala = izquierda.radio(
    "Escala",
    list(tendencias.ESCALAS),
    format_func=tendencias.ESCALAS.get,
    horizontal=True,
    key="t_escala",
)
desglose = centro.radio(
    "Series",
    list(tendencias.DESGLOSES),
    format_func=tendencias.DESGLOSES.get,
    horizontal=True,
    key="t_desglose",
)
con_actividades = derecha.toggle("Actividades del programa", value=True, key="t_actividades")

primer_dia = conexion.consultar(tendencias.primer_dia, seleccion.fuente)
historia = conexion.consultar(tendencias.casos_diarios, tendencias.sin_periodo(seleccion), desglose)
if historia.empty:
    st.info(
        "No hay casos para estos filtros en toda la historia de la fuente. Amplíe los "
        "territorios o los tipos de delito, o elija otra fuente."
    )
    st.stop()

st.subheader("Serie en el tiempo")
serie = conexion.derivar(tendencias.serie, historia, seleccion.ventana, escala, primer_dia)
if serie.empty:
    st.info(
        f"El período elegido ({formato.rango(seleccion.desde, seleccion.hasta)}) no contiene "
        f"{UNIDAD_COMPLETA.get(escala, 'un día con datos')}: elija una escala más fina o un "
        "período más largo."
    )
else:
    actividades = conexion.consultar(tendencias.actividades, seleccion) if con_actividades else None
    st.plotly_chart(graficos.serie(serie, escala, actividades), config=graficos.CONFIG)
    ultimas = conexion.derivar(tendencias.ultimas, historia, seleccion.ventana, escala, primer_dia)
    texto = [frases.serie(ultimas, escala, que, donde)]
    if desglose == "total":
        texto.append(frases.banda(serie, escala))
    else:
        texto.append(frases.grupos_con_cambio(ultimas))
    if actividades is not None:
        texto.append(frases.actividades(actividades, donde))
    st.markdown(" ".join(t for t in texto if t))
    if desglose == "total" and (serie["posicion"] == tendencias.SIN_HISTORIA).all():
        st.info(
            "No hay banda de lo esperado: la fuente no tiene datos de los mismos períodos de "
            "años anteriores. La serie se muestra sin ella."
        )
    regla = (
        tendencias.REGLA_BANDA
        if desglose == "total"
        else "La banda de lo esperado se dibuja con la serie total (elija «Total» en Series)."
    )
    st.caption(
        f"Solo unidades completas: las semanas se cuentan hacia atrás desde el "
        f"{formato.fecha(seleccion.hasta)}. Media móvil de {tendencias.MEDIA_MOVIL[escala]} "
        f"unidades. {regla} Cambio de las últimas unidades: z de Poisson, |z| < 2 es variación "
        f"normal, menos de {MINIMO_CASOS} casos es «pocos casos». Actividades: territorio y "
        f"período elegidos. · {leyenda}"
    )
    descargas.botones(
        serie, f"tendencias_{escala}_{seleccion.hasta.isoformat()}", "Descargar serie", leyenda
    )

izquierda, derecha = st.columns(2)
with izquierda:
    st.subheader("Hora y día de la semana")
    grilla = conexion.consultar(tendencias.hora_y_dia, seleccion)
    if grilla.to_numpy().sum() == 0:
        st.info("No hubo casos en el período elegido: no hay nada que repartir por hora y día.")
    else:
        st.plotly_chart(graficos.hora_y_dia(grilla), config=graficos.CONFIG)
        st.markdown(frases.hora_y_dia(grilla))
    st.caption(f"Casos del período por día de la semana y hora · {leyenda}")
with derecha:
    st.subheader("Mes y año")
    meses = conexion.derivar(tendencias.mes_y_anio, historia, primer_dia, seleccion.hasta)
    if meses.empty:
        st.info("Aún no hay un mes calendario completo de datos antes del fin del período.")
    else:
        st.plotly_chart(graficos.mes_y_anio(meses), config=graficos.CONFIG)
        st.markdown(frases.mes_y_anio(meses))
    st.caption(
        "Casos por mes calendario completo, toda la historia hasta el fin del período; en blanco, "
        f"meses sin datos completos · {leyenda}"
    )

st.subheader("Comparación por territorio")
izquierda, derecha = st.columns(2)
por = izquierda.radio(
    "Comparar por",
    list(tendencias.TERRITORIOS),
    format_func=tendencias.TERRITORIOS.get,
    horizontal=True,
    key="t_por",
)
orden = derecha.selectbox("Ordenar por", list(ORDENES), format_func=ORDENES.get, key="t_orden")
for url, valor in {"escala": escala, "series": desglose, "por": por}.items():
    componentes.escribir_opcion_url(url, valor, OPCIONES[url][2])
plural = "barrios" if por == "barrio" else "sectores"
tabla = conexion.consultar(tendencias.comparacion, seleccion, por)
ordenada = tabla.sort_values(orden, ascending=orden == "unidad", na_position="last")
st.dataframe(
    graficos.tabla_territorios(ordenada, tendencias.TERRITORIOS[por]),
    hide_index=True,
)
st.markdown(frases.comparacion(tabla, plural))
st.caption(
    f"Período seleccionado contra el período anterior de igual largo y contra el mismo período "
    f"del año anterior; z de Poisson = 2·(√actual − √anterior), |z| < 2 es variación normal y "
    f"menos de {MINIMO_CASOS} casos entre ambos, pocos casos · {leyenda}"
)
descargas.botones(
    tabla, f"comparacion_{por}_{seleccion.hasta.isoformat()}", "Descargar comparación", leyenda
)

st.subheader("Embudo de tasas")
if (tabla["embudo"] == tendencias.SIN_POBLACION).all():
    st.info(
        f"Ninguno de los {plural} elegidos tiene población registrada: sin población no hay "
        "tasa que comparar. Elija otros territorios o importe la población de los barrios."
    )
else:
    st.plotly_chart(graficos.embudo(tabla, plural), config=graficos.CONFIG)
    st.markdown(frases.embudo(tabla, plural))
    st.caption(f"{tendencias.REGLA_EMBUDO} · {leyenda}")
