"""Percepción y victimización: indicadores de la encuesta con su incertidumbre, y la cifra negra."""

import numpy as np
import streamlit as st

from consultas import catalogos, encuestas
from consultas.encuestas import COMUNA, NO_FIABLE, POCO_FIABLE
from ui import componentes, conexion, descargas, formato, mapa
from ui import encuestas as vista

cat, seleccion = componentes.contexto()
st.title("Percepción y victimización")

if not cat.olas:
    st.info(
        "La base no tiene respuestas de la encuesta de percepción. Importe un archivo de "
        "encuestas en la página Datos."
    )
    st.stop()

olas = tuple(sorted(seleccion.olas or cat.olas[:1]))
ultima = olas[-1]
corte = encuestas.fecha_corte(cat.metadatos) or cat.corte
territorio = formato.territorio(seleccion, cat)
datos_al = f"Datos al {formato.fecha(corte)}"
texto_olas = f"{'Olas' if len(olas) > 1 else 'Ola'} {formato.lista(list(olas), '')}"
leyenda = f"{texto_olas} · {territorio}"
st.caption(
    f"Encuesta municipal de percepción y victimización · {leyenda} · {datos_al}. "
    "Estimaciones con intervalo de confianza del 95 % y calidad según el estándar del INE."
)

todas = conexion.consultar(encuestas.estimaciones, olas)
est = encuestas.filtrar(todas, seleccion.sectores, seleccion.barrios)
nombres = dict(zip(est["indicador"].tolist(), est["nombre"].tolist(), strict=False))
if not nombres:
    st.info("La encuesta no tiene columnas de indicadores con valores 0 y 1.")
    st.stop()

nivel = "barrio" if seleccion.barrios else "sector" if seleccion.sectores else COMUNA
niveles, olas_est = est["nivel"].to_numpy(object), est["ola"].to_numpy(object)
respuestas = est["n"].to_numpy(float, na_value=np.nan)  # sin valor: suprimido para el público
sin_respuestas = [
    o for o in olas if np.nansum(respuestas[(niveles == nivel) & (olas_est == o)]) == 0
]
for ola in sin_respuestas:
    st.info(f"La ola {ola} no tiene respuestas en {territorio}.")
if len(sin_respuestas) == len(olas):
    st.stop()

unicos = conexion.consultar(encuestas.estratos_un_conglomerado, olas)
por_ola: dict[str, list[str]] = {}
for ola, estrato in zip(unicos["ola"].tolist(), unicos["estrato"].tolist(), strict=True):
    por_ola.setdefault(ola, []).append(estrato)
for ola, grupo in sorted(por_ola.items()):
    estratos = formato.lista([f"«{e}»" for e in grupo], "")
    st.warning(
        f"Ola {ola}: {'el estrato' if len(grupo) == 1 else 'los estratos'} {estratos} "
        f"{'tiene' if len(grupo) == 1 else 'tienen'} un solo conglomerado. Un estrato así no "
        "aporta varianza y los errores estándar de esa ola pueden quedar subestimados."
    )

# --- Comuna: todos los indicadores ---------------------------------------------------------------
st.subheader("Todos los indicadores en la comuna")
comuna = est[niveles == COMUNA]
eje_indicadores = comuna["nombre"]
st.plotly_chart(vista.grafico(comuna, eje_indicadores), config={"displaylogo": False})
st.dataframe(vista.tabla(comuna, eje_indicadores, "Indicador"), hide_index=True)
st.caption(
    f"Comuna de Las Condes · {texto_olas} · {datos_al}. Punto: estimación; "
    "línea: intervalo de confianza del 95 %. ◌ poco fiable: pálido; no fiable: sin número."
)

# --- Por sector y barrio -------------------------------------------------------------------------
st.subheader("Por sector y barrio")
indicador = st.selectbox(
    "Indicador", list(nombres), format_func=nombres.get, key="p_indicador", index=0
)
del_indicador = est["indicador"].to_numpy(object) == indicador
unidades = vista.ordenar(est[del_indicador])
eje = vista.etiquetas(unidades)
st.plotly_chart(vista.grafico(unidades, eje), config={"displaylogo": False})
st.dataframe(vista.tabla(unidades, eje, "Unidad"), hide_index=True)
de_barrio = unidades["nivel"].to_numpy(object) == "barrio"
no_fiables = de_barrio & (unidades["calidad"].to_numpy(object) == NO_FIABLE)
barrios = unidades["unidad_id"].to_numpy(object)[de_barrio]
st.caption(
    f"{nombres[indicador]} · {leyenda} · {datos_al}. Sectores y barrios son estimaciones de "
    f"dominio sobre el diseño completo. {formato.numero(no_fiables.sum())} de "
    f"{formato.numero(len(barrios))} estimaciones de barrio son «no fiable» (n < 60 o gl < 9): "
    "la muestra de un barrio suele ser muy chica para concluir."
)
exportar = unidades[["nivel", *encuestas.COLUMNAS]]
descargas.botones(
    exportar, f"percepcion_{indicador}_{'_'.join(olas)}", "Descargar estimaciones", leyenda
)

# --- Cambio entre olas ---------------------------------------------------------------------------
if len(olas) == 2:
    st.subheader(f"Cambio entre las olas {olas[0]} y {olas[1]}")
    cambios = vista.ordenar(encuestas.comparar(est[del_indicador], *olas).assign(ola=olas[1]))
    st.dataframe(
        vista.tabla_cambios(cambios, vista.etiquetas(cambios), "Unidad", *olas), hide_index=True
    )
    st.caption(
        f"{nombres[indicador]} · {leyenda} · {datos_al}. Diferencia en puntos porcentuales; "
        "error estándar √(SE₁² + SE₂²) porque las olas son muestras independientes; "
        "z = diferencia / error. Con |z| < 2 el cambio es «variación normal», la misma cautela "
        "que con los casos; si una de las dos estimaciones es «no fiable», no se compara."
    )

# --- Mapa ---------------------------------------------------------------------------------------
mapeado = "inseguro_barrio" if "inseguro_barrio" in nombres else indicador
st.subheader(f"Mapa por barrio: {nombres[mapeado].lower()}")
en_mapa = todas[
    (todas["nivel"].to_numpy(object) == "barrio")
    & (todas["indicador"].to_numpy(object) == mapeado)
    & (todas["ola"].to_numpy(object) == ultima)
]
visibles = set(barrios.tolist())
mostrable = en_mapa["unidad_id"].isin(visibles) & (en_mapa["calidad"] != NO_FIABLE)
valores = en_mapa.assign(
    barrio_id=en_mapa["unidad_id"],
    valor=(100 * en_mapa["estimacion"]).where(mostrable),
    texto=[
        t if u in visibles else "fuera del filtro"
        for u, t in zip(en_mapa["unidad_id"], vista.textos(en_mapa), strict=True)
    ],
    alfa=(en_mapa["calidad"] == POCO_FIABLE).map({True: 90, False: 190}),
)[["barrio_id", "valor", "texto", "alfa"]]
geometrias, contorno = conexion.referencia(catalogos.geometrias)
st.pydeck_chart(mapa.coropleta(geometrias, valores, contorno), height=420)
if not mostrable.any():
    st.info(
        f"En la ola {ultima} ningún barrio del filtro tiene una estimación al menos «poco fiable»: "
        "todos quedan en gris. Las muestras por barrio son chicas; vea los sectores."
    )
st.caption(
    f"Ola {ultima} · {territorio} · {datos_al}. Porcentaje en quintiles; aclarado: poco fiable; "
    "gris: no fiable o fuera del filtro."
)

# --- Cifra negra --------------------------------------------------------------------------------
st.subheader("Cifra negra: victimización según la encuesta y casos policiales")
cifra = conexion.consultar(encuestas.cifra_negra, ultima)
if seleccion.sectores:
    cifra = cifra[(cifra["nivel"] == COMUNA) | cifra["unidad_id"].isin(seleccion.sectores)]
if cifra.empty:
    st.info(f"La ola {ultima} no tiene respuestas para comparar con los casos policiales.")
else:
    st.dataframe(vista.tabla_cifra_negra(cifra, vista.etiquetas(cifra)), hide_index=True)
    desde, hasta = cifra["desde"].iloc[0], cifra["hasta"].iloc[0]
    faltan = cifra["casos_por_mil"].isna().all()
    st.caption(
        f"Ola {ultima} · comuna y {'sectores elegidos' if seleccion.sectores else 'sectores'} · "
        "casos policiales DMCS del "
        f"{formato.rango(desde, hasta)} (los 12 meses antes del inicio de la ola) · {datos_al}."
        + (" Los datos policiales de la base no cubren esos 12 meses." if faltan else "")
    )
    st.markdown(
        "La encuesta cuenta **hogares** con al menos un delito en los 12 meses previos a la "
        "entrevista; los casos policiales cuentan **denuncias y detenciones** en el territorio, "
        "también de personas que no viven ahí y de comercios. No miden lo mismo, pero cuando los "
        "hogares víctimas superan con holgura a los casos, la diferencia da una idea del tamaño "
        "de la cifra negra: delitos que nunca llegan a la policía. La fracción que dice haber "
        "denunciado lo confirma por otro camino. El intervalo es el de la encuesta (el conteo "
        "policial se toma como fijo); con una estimación «no fiable» no se calcula la razón."
    )

with st.expander("Cómo se calcula"):
    st.markdown(
        "Cada indicador es una proporción ponderada por el factor de expansión. El error "
        "estándar se calcula por linealización de Taylor con estratos y conglomerados "
        "(conglomerados con reemplazo dentro de cada estrato, sin corrección por población "
        "finita), como `svymean` de R. Sectores y barrios son **dominios** sobre el diseño "
        "completo, no el mismo cálculo sobre un subconjunto. Intervalo del 95 % con t de Student "
        "con gl = conglomerados − estratos con respuestas en la unidad. Calidad (INE): «no "
        "fiable» si n < 60 o gl < 9; si no, «fiable» cuando el error estándar es a lo más "
        "q^(2/3)/9, con q = min(p, 1 − p), y «poco fiable» en otro caso. Una respuesta sin dato "
        "en un indicador queda fuera de ese indicador (por ejemplo, «Denunció» solo entre "
        "hogares víctimas)."
    )
