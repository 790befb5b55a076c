"""Mapa: dónde se concentran los casos, qué puntos calientes no son ruido y cómo evolucionan."""

import streamlit as st

from consultas import catalogos, espacial, mapa, resumen
from consultas.privacidad import MENOS_DE_5
from ui import acceso, componentes, conexion, descargas, formato, graficos
from ui import cobertura as fichas
from ui import mapa as dibujo

CAPAS = {
    "celdas": "Celdas H3",
    "calor": "Calor",
    "tasa": "Tasa por barrio",
    "calientes": "Puntos calientes (Gi*)",
    "puntos": "Casos individuales",
}
RESOLUCIONES = {8: "8 · celdas de ~0,7 km²", 9: "9 · ~0,1 km²", 10: "10 · ~0,015 km²"}
EVOLUCIONES = {
    "12x28": (12, 28, "12 períodos de 4 semanas"),
    "13x28": (13, 28, "13 períodos de 4 semanas"),
    "6x28": (6, 28, "6 períodos de 4 semanas"),
    "8x91": (8, 91, "8 trimestres de 13 semanas"),
}
EXPLICACION = """
**Qué significa «significativo».** Para cada celda, Gi* compara los casos de la celda y de sus
seis vecinas con lo que se esperaría si los casos del territorio filtrado se repartieran sin
relación con el lugar. Una celda es *caliente al 99 %* cuando una concentración así de alta
aparecería por azar menos de 1 vez en 100 (y *fría* cuando es así de baja).

**Por qué FDR.** Se prueban cientos de celdas a la vez: con 1.000 celdas y un umbral de 5 %,
unas 50 saldrían «calientes» solo por azar. Por eso los p se ajustan con el método de
Benjamini–Hochberg (tasa de falsos descubrimientos): entre las celdas declaradas calientes al
95 %, se espera que a lo más un 5 % lo sea por azar.

**Qué no dice.** Que una celda no sea significativa no significa que no tenga casos: significa que
no se distingue de la variación normal. El universo son todas las celdas que cubren el territorio
filtrado, también las sin casos; los pesos son binarios (la celda y sus vecinas del anillo 1) y el
p es bilateral, de la normal.
"""

cat, seleccion = componentes.contexto()
leyenda = formato.describir(seleccion, cat)
st.title("Mapa")
st.caption(leyenda)

componentes.opcion_url("m_capa", "capa", CAPAS, "celdas", "la capa")
componentes.opcion_url("m_resolucion", "resolucion", RESOLUCIONES, 9, "la resolución H3")
izquierda, centro, derecha = st.columns([3.2, 1.4, 1.6])
capa = izquierda.radio("Capa", list(CAPAS), format_func=CAPAS.get, key="m_capa", horizontal=True)
resolucion = centro.selectbox(
    "Resolución H3", list(RESOLUCIONES), format_func=RESOLUCIONES.get, key="m_resolucion"
)
with derecha:
    ver_actividades = st.checkbox("Actividades del programa", key="m_actividades")
    ver_camaras = st.checkbox(
        "Cámaras municipales", key="m_camaras", disabled=seleccion.fuente == "camaras"
    )
componentes.escribir_opcion_url("capa", capa, "celdas")
componentes.escribir_opcion_url("resolucion", resolucion, 9)
detalle = f"Resolución H3 {resolucion} · {leyenda}"

celdas = conexion.consultar(mapa.puntos_calientes, seleccion, resolucion)
# Para el público, las celdas con 1 a 4 casos no tienen valor (se muestran «<5»): cuentan como
# celdas con casos, y `total` es lo visible.
total = int(celdas["casos"].sum())
if not (celdas["casos"] != 0).any():
    st.info(
        "No hay casos para estos filtros en el período: no hay nada que ubicar en el mapa. "
        "Amplíe el período, los territorios o los tipos de delito."
    )
    st.stop()
con_casos = dibujo.con_textos_celdas(celdas[celdas["casos"] != 0])
geometrias, comuna = conexion.referencia(catalogos.geometrias)


def capa_celdas() -> tuple[list, list, str]:
    grupos = dibujo.clases(con_casos["casos"])
    colores = [dibujo.COLORES[k] if k >= 0 else dibujo.SIN_DATO for k in grupos]
    elementos = [(MENOS_DE_5, dibujo.SIN_DATO)] if (grupos < 0).any() else []
    for k, color in enumerate(dibujo.COLORES):
        valores = con_casos["casos"][grupos == k]
        if len(valores):
            rango = f"{valores.min():.0f}" + (
                f"–{valores.max():.0f}" if valores.max() > valores.min() else ""
            )
            elementos.append((rango, color))
    return [dibujo.capa_hexagonos(con_casos, colores)], elementos, "Casos por celda:"


def capa_calor() -> tuple[list, list, str]:
    elementos = [("menos", dibujo.COLORES[0]), ("más casos", dibujo.COLORES[-1])]
    return [dibujo.capa_calor(con_casos)], elementos, "Densidad de casos:"


def capa_tasa() -> tuple[list, list, str]:
    barrios = conexion.consultar(resumen.barrios_comparados, seleccion)
    valores = barrios.assign(
        valor=barrios["tasa"],
        texto=[
            f"{formato.conteo(f.actual)} casos · {formato.numero(f.tasa, 2)} por 1.000 hab.<br/>"
            f"{formato.porcentaje(f.variacion_pct)} contra el período anterior: {f.clasificacion}"
            for f in barrios.itertuples()
        ],
    )[["barrio_id", "valor", "texto"]]
    grupos = dibujo.clases(valores["valor"])
    elementos = []
    for k, color in enumerate(dibujo.COLORES):
        tasas = valores["valor"][grupos == k]
        if len(tasas):
            texto = f"{formato.numero(tasas.min(), 1)}–{formato.numero(tasas.max(), 1)}"
            elementos.append((texto, color))
    elementos.append(("fuera del filtro", dibujo.SIN_DATO))
    capa = dibujo.capa_coropleta(geometrias, valores)
    return [capa], elementos, "Casos por 1.000 habitantes:"


def capa_calientes() -> tuple[list, list, str]:
    if len(celdas) < mapa.MINIMO_CELDAS:
        st.info(
            "Con tan pocas celdas no hay prueba de puntos calientes (ver abajo): se muestran casos."
        )
        return capa_celdas()
    colores = [dibujo.COLORES_CLASE[c] for c in celdas["clase"].tolist()]
    presentes = set(celdas["clase"].tolist())
    elementos = [(c, color) for c, color in dibujo.COLORES_CLASE.items() if c in presentes]
    capa = dibujo.capa_hexagonos(dibujo.con_textos_celdas(celdas), colores)
    return [capa], elementos, "Gi* (p ajustado por FDR):"


def capa_puntos() -> tuple[list, list, str]:
    if not acceso.ve_puntos():
        st.info("Los casos individuales solo los ve el rol analista; se muestran celdas H3.")
        return capa_celdas()
    if total > mapa.LIMITE_PUNTOS:
        st.info(
            f"Hay {formato.numero(total)} casos, más que el tope de "
            f"{formato.numero(mapa.LIMITE_PUNTOS)} para dibujar puntos: se muestran celdas H3, "
            "que dicen lo mismo sin enviar miles de ubicaciones al navegador. Acote el período, "
            "el territorio o los tipos de delito para ver los casos uno a uno."
        )
        return capa_celdas()
    puntos = conexion.consultar(mapa.puntos, seleccion, mapa.LIMITE_PUNTOS)
    puntos = puntos.assign(
        nombre=puntos["delito"],
        texto=[
            f"{f.fecha_hora:%d-%m-%Y %H:%M} · {f.barrio}" for f in puntos.itertuples(index=False)
        ],
    )[["lon", "lat", "nombre", "texto"]]
    capa = dibujo.capa_circulos(puntos, dibujo.COLOR_PUNTOS, radio=12)
    tope = f"hasta {formato.numero(mapa.LIMITE_PUNTOS)} casos; sobre ese tope, celdas"
    return [capa], [("un caso", dibujo.COLOR_PUNTOS)], f"Casos (solo analista, {tope}):"


capas, elementos, titulo = {
    "celdas": capa_celdas,
    "calor": capa_calor,
    "tasa": capa_tasa,
    "calientes": capa_calientes,
    "puntos": capa_puntos,
}[capa]()

if ver_actividades:
    lineas = conexion.referencia(mapa.lineas)
    elegidas = st.multiselect(
        "Líneas del programa",
        list(lineas["linea"]),
        format_func=dict(
            zip(lineas["linea"], lineas["linea"] + " " + lineas["nombre"], strict=True)
        ).get,
        key="m_lineas",
        placeholder="Todas las líneas",
    )
    actividades = conexion.consultar(mapa.actividades_por_barrio, seleccion, tuple(elegidas))
    if actividades.empty:
        st.caption("No hubo actividades del programa en el período y el territorio filtrados.")
    else:
        capas.append(dibujo.capa_actividades(actividades, geometrias))
        elementos += [
            (f"línea {lin}", dibujo.COLORES_LINEA[lin]) for lin in actividades["linea"].unique()
        ]
if ver_camaras and seleccion.fuente != "camaras":
    camaras = conexion.consultar(mapa.camaras_por_celda, seleccion, resolucion)
    camaras = camaras.assign(
        nombre=[f"Celda {h} · {b}" for h, b in zip(camaras["h3"], camaras["barrio"], strict=True)],
        texto=[f"{formato.conteo(n)} registros de cámaras" for n in camaras["actual"]],
    )
    capas.append(dibujo.capa_hexagonos(camaras, [[0, 0, 0]] * len(camaras), opaco=False))
    elementos.append(("cámaras (borde)", dibujo.COLOR_CAMARAS))

fondo = [dibujo.capa_limites(geometrias), dibujo.capa_contorno(comuna)]
nombres = dibujo.capa_nombres(geometrias)
evento = st.pydeck_chart(
    dibujo.armar([*capas, *fondo, nombres], dibujo.VISTA_MAPA),
    height=600,
    on_select="rerun",
    selection_mode="single-object",
    key="m_mapa",
)
fichas.boton_ficha(evento, cat.barrios, seleccion)
st.markdown(dibujo.leyenda(elementos, titulo), unsafe_allow_html=True)
st.caption(f"{CAPAS[capa]} · {detalle}")
st.write(mapa.frase_mapa(celdas, resolucion))

# --- Puntos calientes ------------------------------------------------------------------------
st.subheader("Puntos calientes (Gi*)")
if len(celdas) < mapa.MINIMO_CELDAS:
    st.warning(
        f"El territorio filtrado cubre solo {len(celdas)} celdas de resolución {resolucion}: con "
        f"menos de {mapa.MINIMO_CELDAS} celdas la prueba Gi* no tiene con qué comparar y no se "
        "muestra. Use una resolución más fina o un territorio más amplio."
    )
else:
    conteo = celdas["clase"].value_counts()
    columnas = st.columns(5)
    for columna, etiqueta in zip(
        columnas, ["caliente 99 %", "caliente 95 %", "caliente 90 %"], strict=False
    ):
        columna.metric(f"Celdas {etiqueta}", formato.numero(conteo.get(etiqueta, 0)))
    frias = int(celdas["clase"].str.startswith(espacial.FRIO).sum())
    columnas[3].metric("Celdas frías", formato.numero(frias))
    columnas[4].metric("Celdas en el universo", formato.numero(len(celdas)))
    promedio = total / len(celdas)
    if promedio < mapa.PROMEDIO_MINIMO:
        st.warning(
            f"Hay pocos casos por celda (en promedio {formato.numero(promedio, 2)}): la "
            "aproximación normal de Gi* exagera la significancia de celdas con 2 o 3 casos. "
            "Use una resolución más gruesa o un período más largo antes de sacar conclusiones."
        )
    with st.expander("Qué significa «significativo» y por qué FDR"):
        st.markdown(EXPLICACION)
    calientes = celdas[celdas["clase"] != espacial.NO_SIGNIFICATIVO].sort_values(
        "gi_z", ascending=False
    )
    if calientes.empty:
        st.success("Ninguna celda se distingue de la variación normal con estos filtros.")
    else:
        st.dataframe(dibujo.tabla_hotspots(calientes.head(25)), hide_index=True)
    st.caption(f"Celdas significativas, de mayor a menor z · {detalle}")
    descargas.botones(
        celdas[["barrio", *mapa.COLUMNAS_HOTSPOTS]],
        f"hotspots_r{resolucion}_{seleccion.hasta.isoformat()}",
        "Descargar todas las celdas",
        detalle,
    )


# --- Evolución -------------------------------------------------------------------------------
@st.fragment
def evolucion() -> None:
    st.subheader("Evolución de los puntos calientes")
    componentes.opcion_url("m_evolucion", "evolucion", EVOLUCIONES, "12x28", "la evolución")
    clave = st.selectbox(
        "Períodos",
        list(EVOLUCIONES),
        format_func=lambda k: EVOLUCIONES[k][2],
        key="m_evolucion",
        help="Períodos iguales que terminan en la fecha final del filtro.",
    )
    periodos, dias, nombre = EVOLUCIONES[clave]
    tabla, tramos = conexion.consultar(mapa.evolucion, seleccion, resolucion, periodos, dias)
    if len(tabla) < mapa.MINIMO_CELDAS or tramos["casos"].sum() == 0:
        st.info("No hay celdas o casos suficientes para seguir los puntos calientes en el tiempo.")
        return
    rango = formato.rango(tramos["desde"].iloc[0], tramos["hasta"].iloc[-1])
    con_patron = tabla[tabla["categoria"] != espacial.SIN_PATRON]
    izquierda, derecha = st.columns([3, 2])
    with izquierda:
        colores = [dibujo.COLORES_CATEGORIA[c] for c in con_patron["categoria"].tolist()]
        textos = dibujo.con_textos_evolucion(con_patron)
        fondo = [dibujo.capa_limites(geometrias), dibujo.capa_contorno(comuna)]
        hexagonos = dibujo.capa_hexagonos(textos, colores)
        st.pydeck_chart(dibujo.armar([hexagonos, *fondo], dibujo.VISTA_MAPA), height=460)
        presentes = set(con_patron["categoria"].tolist())
        elementos = [(c, k) for c, k in dibujo.COLORES_CATEGORIA.items() if c in presentes]
        st.markdown(dibujo.leyenda(elementos, "Categoría:"), unsafe_allow_html=True)
    with derecha:
        st.dataframe(dibujo.tabla_categorias(tabla), hide_index=True)
        st.write(mapa.frase_evolucion(tabla, nombre))
    st.caption(f"{nombre}, del {rango} · {detalle}")
    with st.expander("Reglas de cada categoría"):
        st.markdown(
            "Cada período se clasifica con su propio Gi* (caliente o frío al 90 % o más, p "
            "ajustado por FDR). La tendencia es la prueba de Mann–Kendall sobre la serie de z de "
            "la celda. Las reglas se aplican en este orden:\n\n"
            + "\n".join(f"- **{c}**: {regla}" for c, regla in espacial.REGLAS.items())
        )
    if not con_patron.empty:
        st.dataframe(dibujo.tabla_evolucion(con_patron), hide_index=True)
        descargas.botones(
            tabla.drop(columns=["celda", "lat", "lon"]),
            f"evolucion_r{resolucion}_{seleccion.hasta.isoformat()}",
            "Descargar evolución",
            f"{nombre} · {detalle}",
        )
    componentes.escribir_opcion_url("evolucion", clave, "12x28")


evolucion()

# --- Concentración ---------------------------------------------------------------------------
st.subheader("Concentración de los casos")
concentracion = conexion.consultar(mapa.concentracion, seleccion, resolucion)
uno, dos, tres = st.columns(3)
uno.metric("Casos en el 5 % de celdas con más casos", formato.proporcion(concentracion["top5"]))
dos.metric("Casos en el 10 % de celdas con más casos", formato.proporcion(concentracion["top10"]))
tres.metric("Celdas con casos", formato.numero(concentracion["celdas"]))
figura = graficos.concentracion(*concentracion["curva"])
st.plotly_chart(figura, config={"displaylogo": False})
st.write(mapa.frase_concentracion(concentracion))
st.caption(f"Curva de concentración (ley de concentración del delito) · {detalle}")
