"""Datos para el analista: frescura de cada fuente, importación de archivos e historial."""

import logging
from datetime import date

import streamlit as st

from consultas import catalogos
from datos import auditoria, importacion
from ui import acceso, componentes, conexion, formato
from ui import importacion as informe

ESTADO_VALIDACION = "datos_validacion"  # (clave, Validacion o mensaje de error)
ESTADO_RESULTADO = "datos_resultado"  # resumen de la última importación, para después de recargar
ESTADO_SUBIDA = "datos_subida"  # cambia tras importar para vaciar el selector de archivo


def aplicar(v: importacion.Validacion) -> None:
    """Importa, recuerda el resultado y recarga la página con el selector de archivo vacío."""
    with st.status("Importando…") as estado:
        try:
            v = importacion.aplicar(conexion.ruta_base(), v)
        except Exception as error:  # la base queda intacta: aplicar es todo o nada
            if not isinstance(error, importacion.ImportacionFallida):
                logging.getLogger(__name__).exception("Falló la importación")
            estado.update(label="La importación falló", state="error")
            st.error(f"No se pudo importar: {str(error).rstrip('.')}. La base quedó como estaba.")
            return
        estado.update(label="Importación terminada", state="complete")
    acceso.registrar(
        "importacion",
        tipo=v.tipo,
        archivo=v.archivo,
        sha256=v.sha256,
        aceptadas=len(v.aceptadas),
        rechazadas=len(v.rechazadas),
    )
    st.session_state[ESTADO_RESULTADO] = informe.resumen(v)
    st.session_state.pop(ESTADO_VALIDACION, None)
    st.session_state[ESTADO_SUBIDA] = st.session_state.get(ESTADO_SUBIDA, 0) + 1
    st.rerun()


cat, _ = componentes.contexto()
datos_al = f"Datos al {formato.fecha(cat.corte)}"
hoy = date.today()

st.title("Datos")
st.caption(
    "Qué tan al día está cada fuente, importación de archivos nuevos y registro de lo importado."
)

# --- Frescura ------------------------------------------------------------------------------------
st.subheader("Frescura de los datos")
es_demo, descripcion = informe.origen(cat.metadatos)
(st.warning if es_demo else st.info)(descripcion)
st.dataframe(informe.frescura(cat.metadatos, hoy), hide_index=True)
st.caption(
    f"Fecha del último registro de cada fuente en la base y días transcurridos hasta hoy, "
    f"{formato.fecha(hoy)} · {datos_al}"
)


# --- Importación ---------------------------------------------------------------------------------
def importar_archivo() -> None:
    """Subir, validar y confirmar: solo para los roles analista y dirección."""
    st.subheader("Importar un archivo")
    tipo = st.selectbox(
        "Tipo de archivo",
        list(importacion.TIPOS),
        format_func=importacion.TIPOS.get,
        key="datos_tipo",
    )
    fuente = "policial"
    if tipo == "incidentes":
        fuente = componentes.elegir_fuente(
            cat,
            "Fuente de los incidentes",
            "datos_fuente",
            "Se usa en las filas que no traen su propia columna «fuente».",
        )
    extensiones = ["geojson", "json"] if tipo == "barrios" else ["csv", "xlsx"]
    subido = st.file_uploader(
        "Archivo",
        type=extensiones,
        key=f"datos_archivo_{tipo}_{st.session_state.get(ESTADO_SUBIDA, 0)}",
        help="CSV (con `;` o `,`, UTF-8 o Windows-1252) o planilla XLSX; GeoJSON para los barrios.",
    )

    if subido is None:
        if ESTADO_RESULTADO in st.session_state:
            resultado = st.session_state[ESTADO_RESULTADO]
            (st.success if resultado["cambio"] else st.info)(informe.mensaje(resultado))
    else:
        st.session_state.pop(ESTADO_RESULTADO, None)
        contenido = subido.getvalue()
        clave = informe.clave(tipo, fuente, subido.name, contenido, conexion.firma())
        guardada = st.session_state.get(ESTADO_VALIDACION)
        if guardada is None or guardada[0] != clave:
            with st.status("Validando…") as estado:
                try:
                    validado = importacion.validar(
                        conexion.de_la_ejecucion(), tipo, contenido, subido.name, fuente
                    )
                    estado.update(label=f"«{subido.name}» validado", state="complete")
                except importacion.ImportacionFallida as error:
                    validado = str(error)
                    estado.update(label=f"«{subido.name}» no se puede leer", state="error")
            st.session_state[ESTADO_VALIDACION] = guardada = (clave, validado)
        v = guardada[1]

        if isinstance(v, str):
            st.error(v)
        else:
            for columna, (etiqueta, valor) in zip(
                st.columns(6), informe.metricas(v).items(), strict=True
            ):
                columna.metric(etiqueta, valor)
            if v.notas:
                st.caption("Lectura del archivo: " + " · ".join(v.notas))

            if v.aceptadas.empty:
                st.error(
                    "Ninguna fila del archivo se puede importar: revise los motivos de rechazo, "
                    "corrija el archivo y vuelva a subirlo."
                )
            elif not v.cambia_algo:
                st.info("El archivo no cambia nada en la base: todas sus filas ya están iguales.")
            else:
                importar = st.button(
                    "Importar " + informe.cantidad(len(v.aceptadas), "fila", "filas"),
                    type="primary",
                    help=(
                        f"Agrega {informe.cantidad(v.nuevas, 'fila nueva', 'filas nuevas')} y "
                        f"actualiza {formato.numero(v.actualizadas)}; la base se reemplaza de "
                        "una vez."
                    ),
                )
                if importar:
                    aplicar(v)

            if not v.rechazadas.empty:
                st.markdown("**Filas rechazadas**")
                st.dataframe(informe.vista_rechazadas(v), hide_index=True)
                st.caption(informe.leyenda_rechazadas(v))
                total = len(v.rechazadas)
                st.download_button(
                    "Descargar la fila rechazada (CSV)"
                    if total == 1
                    else f"Descargar las {formato.numero(total)} filas rechazadas (CSV)",
                    importacion.rechazadas_csv(v),
                    file_name=f"rechazadas_{subido.name.rsplit('.', 1)[0]}.csv",
                    mime="text/csv",
                    on_click="ignore",  # descargar no necesita volver a ejecutar la página
                )

            if not v.aceptadas.empty:
                st.markdown("**Filas aceptadas**")
                nombres = {
                    "delito": cat.nombres("delitos"),
                    "familia": cat.nombres("familias"),
                    "fuente": cat.nombres("fuentes"),
                    "barrio_id": cat.nombres("barrios"),
                }
                st.dataframe(informe.vista_aceptadas(v, nombres), hide_index=True)
                st.caption(informe.leyenda_aceptadas(v))


if acceso.puede_importar():
    importar_archivo()
else:
    st.subheader("Importar un archivo")
    st.info("La importación de archivos es para los roles Analista y Dirección.")

# --- Historial -----------------------------------------------------------------------------------
st.subheader("Historial de importaciones")
historia = conexion.consultar(catalogos.historial_importaciones)
if historia.empty:
    st.info("Todavía no hay importaciones en esta base.")
else:
    st.dataframe(informe.tabla_historial(historia), hide_index=True)
    st.caption(f"{informe.leyenda_historial(historia)} · {datos_al}")

# --- Auditoría ----------------------------------------------------------------------------------
if acceso.rol() == "director":
    st.subheader("Registro de auditoría")
    registro = auditoria.leer(conexion.ruta_base())
    if registro.empty:
        st.info("Todavía no hay eventos registrados.")
    else:
        st.dataframe(informe.tabla_auditoria(registro), hide_index=True)
    st.caption(
        "Ingresos, importaciones, descargas y exportaciones: quién, cuándo, con qué rol y qué "
        "vista o archivo; los últimos 1.000, el más reciente primero."
    )
