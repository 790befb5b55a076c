"""Resumen para la Dirección: casos, tasa y comparaciones CompStat de los filtros vigentes."""

import streamlit as st

from consultas import catalogos, frases, resumen
from consultas.estadistica import ALZA, MINIMO_CASOS
from consultas.periodos import ANIO_ANTERIOR, PERIODO_ANTERIOR, SELECCIONADO
from ui import cobertura as fichas
from ui import componentes, conexion, descargas, formato, mapa

cat, seleccion = componentes.contexto()
leyenda = formato.describir(seleccion, cat)

st.title("Resumen")
st.caption(leyenda)

tabla = conexion.consultar(resumen.tabla_comparacion, seleccion, formato.territorio(seleccion, cat))
poblacion = conexion.consultar(resumen.poblacion, seleccion)

if not (tabla[["actual", "anterior"]] != 0).to_numpy().any():  # «<5» (sin valor) también cuenta
    st.info(
        "No hay casos para estos filtros en el período ni en los períodos de comparación. "
        "Amplíe el período, los territorios o los tipos de delito."
    )
    st.stop()

anterior = resumen.fila(tabla, SELECCIONADO, PERIODO_ANTERIOR)
anio_anterior = resumen.fila(tabla, SELECCIONADO, ANIO_ANTERIOR)
casos = anterior["actual"]  # sin valor para el público si es de 1 a 4
tasa = 1000 * casos / poblacion if poblacion else float("nan")
col_casos, col_anio, col_tasa = st.columns(3)
col_casos.metric(
    "Casos en el período",
    formato.conteo(casos),
    delta_description="vs período anterior",
    **componentes.cambio(anterior),
)
col_anio.metric(
    "Contra el mismo período del año anterior",
    formato.porcentaje(anio_anterior["variacion_pct"]),
    **componentes.cambio(anio_anterior, porcentaje=False),
)
col_tasa.metric(
    "Tasa por 1.000 habitantes",
    formato.numero(tasa, 2),
    help=f"Población considerada: {formato.numero(poblacion)} habitantes.",
)
st.caption(
    "z de Poisson = 2·(√actual − √anterior). Con |z| < 2 el cambio es variación normal; con menos "
    f"de {MINIMO_CASOS} casos entre ambos períodos no se concluye nada (pocos casos)."
)

st.subheader("Comparación de períodos")
todas = tabla[tabla["familia"] == resumen.TODAS]
st.dataframe(componentes.tabla_compstat(todas), hide_index=True)
st.markdown(frases.compstat(todas))
st.caption(f"Períodos que terminan el {formato.fecha(seleccion.hasta)} · {leyenda}")
descargas.botones(tabla, f"resumen_{seleccion.hasta.isoformat()}", "Descargar tabla", leyenda)

izquierda, derecha = st.columns([1, 1])
with izquierda:
    st.subheader("Familias de delito")
    familias = tabla[
        (tabla["periodo"] == SELECCIONADO)
        & (tabla["comparacion"] == PERIODO_ANTERIOR)
        & (tabla["familia"] != resumen.TODAS)
    ].sort_values("actual", ascending=False)
    st.plotly_chart(componentes.grafico_familias(familias), config={"displaylogo": False})
    st.markdown(frases.familias(familias))
    st.caption(f"Período seleccionado contra el período anterior de igual largo · {leyenda}")

barrios = conexion.consultar(resumen.barrios_comparados, seleccion)
with derecha:
    st.subheader("Tasa por barrio")
    geometrias, comuna = conexion.referencia(catalogos.geometrias)
    valores = barrios.assign(
        valor=barrios["tasa"],
        texto=[
            f"{formato.conteo(c)} casos · {formato.numero(t, 2)} por 1.000 hab."
            for c, t in zip(barrios["actual"], barrios["tasa"], strict=True)
        ],
    )[["barrio_id", "valor", "texto"]]
    evento = st.pydeck_chart(
        mapa.coropleta(geometrias, valores, comuna),
        height=420,
        on_select="rerun",
        selection_mode="single-object",
        key="r_mapa",
    )
    fichas.boton_ficha(evento, cat.barrios, seleccion)
    st.markdown(frases.mapa(barrios))
    st.caption(f"Casos por 1.000 habitantes, en quintiles; gris: fuera del filtro · {leyenda}")

st.subheader("Barrios con las alzas más significativas")
alzas = barrios[barrios["clasificacion"] == ALZA].sort_values("z_poisson", ascending=False)
if alzas.empty:
    st.success("Ningún barrio muestra un alza significativa respecto del período anterior.")
else:
    st.dataframe(componentes.tabla_barrios(alzas.head(10)), hide_index=True)
st.markdown(frases.comparacion(barrios.rename(columns={"nombre": "unidad"}), "barrios"))
st.caption(f"Período seleccionado contra el período anterior de igual largo · {leyenda}")
