"""Informe y modo presentación de cada página, sin código en las páginas.

`mostrar(pagina, grupos)` (app.py) ejecuta la página anotando lo que dibuja (ui/recolector.py);
en la barra lateral ofrece «Descargar informe» (PDF y HTML de la vista, hechos al hacer clic, con
el avance a la vista) y «Presentar» (`?presentar=1`: un gráfico o tabla por pantalla).
"""

import os
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import streamlit as st

from consultas import encuestas, versiones
from ui import acceso, compartir, documento, formato, recolector
from ui.filtros import DELITOS, FUENTE, OLAS, PERIODO, TERRITORIO

PEDIDO = "informe_pedido"
ARCHIVOS = "informe_archivos"
DIAPOSITIVA = "presentar_diapositiva"
URL_POR_DEFECTO = "http://localhost:8501"
VISUALES = {"grafico", "tabla", "mapa"}


# --- La vista en palabras ---------------------------------------------------------------------


def filtros_en_palabras(seleccion, cat, grupos) -> str:
    """Los filtros que usa la página, en castellano."""
    partes = []
    if FUENTE in grupos:
        partes.append("Fuente: " + cat.nombres("fuentes")[seleccion.fuente])
    if PERIODO in grupos:
        partes.append("Período: " + formato.rango(seleccion.desde, seleccion.hasta))
    if OLAS in grupos:
        olas = list(seleccion.olas or cat.olas[:1])
        partes.append(("Olas " if len(olas) > 1 else "Ola ") + formato.lista(olas, "—"))
    if TERRITORIO in grupos or seleccion.barrios:
        partes.append("Territorio: " + formato.territorio(seleccion, cat))
    if DELITOS in grupos:
        familias = cat.nombres("familias")
        partes.append(
            "Familias: " + formato.lista([familias[f] for f in seleccion.familias], "todas")
        )
        if seleccion.delitos:
            delitos = cat.nombres("delitos")
            partes.append("Tipos: " + formato.lista([delitos[d] for d in seleccion.delitos], ""))
    return " · ".join(partes) or "Sin filtros"


def corte(seleccion, cat, grupos):
    """La fecha de los datos que muestra la página."""
    if OLAS in grupos:
        return encuestas.fecha_corte(cat.metadatos) or cat.corte
    if FUENTE in grupos:
        return cat.corte_de(seleccion.fuente)
    return cat.corte


def parametros() -> dict[str, list[str]]:
    """El estado de la vista en la URL, sin lo que es del modo presentación."""
    return {
        clave: st.query_params.get_all(clave) for clave in st.query_params if clave != "presentar"
    }


def fijada() -> dict[str, list[str]]:
    """El parámetro que fija el enlace en la versión de los datos que se vio: las cifras del
    informe siguen siendo las mismas aunque después se importen datos."""
    return {versiones.PARAMETRO: [str(compartir.version_vista())]}


def enlace(url_path: str, params: dict[str, list[str]]) -> str:
    """La dirección que vuelve a abrir la vista (con `params` ya fijados en su versión)."""
    base = os.environ.get("OBSERVATORIO_URL")
    if not base:
        try:
            actual = st.context.url
        except Exception:  # sin navegador (línea de comandos)
            actual = None
        base = f"{urlsplit(actual).scheme}://{urlsplit(actual).netloc}" if actual else None
    consulta = urlencode(params, doseq=True)
    return f"{(base or URL_POR_DEFECTO).rstrip('/')}/{url_path}" + (
        f"?{consulta}" if consulta else ""
    )


def portada(vista: recolector.Vista) -> documento.Portada:
    """La primera página del informe, del contexto en que la vista se dibujó."""
    c = vista.contexto
    return documento.Portada(
        filtros=filtros_en_palabras(c["seleccion"], c["cat"], c["grupos"]),
        corte=corte(c["seleccion"], c["cat"], c["grupos"]),
        rol=acceso.ROLES[c["rol"]],
        publico=c["rol"] == acceso.PUBLICO,
        enlace=c["enlace"],
        generado=datetime.now(),
        demostracion=c["cat"].metadatos.get("origen") == "demo",
    )


def contexto(pagina, grupos) -> dict:
    return {
        "cat": st.session_state["catalogo"],
        "seleccion": st.session_state["filtros"],
        "grupos": grupos,
        "rol": acceso.rol(),
        "enlace": enlace(pagina.url_path, parametros() | fijada()),
    }


def nombre_archivo(vista: recolector.Vista, portada: documento.Portada, extension: str) -> str:
    pagina = vista.pagina or "resumen"
    sufijo = "_compartir" if portada.publico else ""
    return f"informe_{pagina}_{portada.corte:%Y-%m-%d}{sufijo}.{extension}"


# --- Barra lateral: descargar y presentar -----------------------------------------------------


def _vigente(vista, pagina) -> bool:
    return (
        vista is not None
        and not vista.desactualizada
        and vista.pagina == pagina.url_path
        and vista.parametros == parametros()
        and vista.contexto.get("rol") == acceso.rol()
    )


def _preparar(vista: recolector.Vista) -> None:
    """Arma el HTML y el PDF mostrando el avance, y los deja listos para descargar."""
    datos = portada(vista)
    with st.status("Preparando el informe…", expanded=True) as estado:
        avance = st.progress(0.0, text="Armando el HTML…")
        partes = {e: len(vista.de(e)) for e in ("grafico", "tabla", "mapa")}
        texto_html = documento.html(vista, datos)
        avance.progress(0.4, text="Imprimiendo el PDF con Chromium…")
        try:
            pdf = documento.pdf(texto_html)
        except Exception as error:  # sin Chromium u otro problema del navegador
            estado.update(label="No se pudo hacer el PDF", state="error")
            st.error(f"No se pudo imprimir el PDF ({error.__class__.__name__}); el HTML sí está.")
            pdf = None
        avance.progress(1.0, text="Listo")
        estado.update(
            label=(
                f"Informe listo{'' if pdf else ' (solo HTML)'}: {partes['grafico']} gráficos, "
                f"{partes['tabla']} tablas, {partes['mapa']} mapas"
            ),
            state="complete" if pdf else "error",
            expanded=not pdf,
        )
    archivos = {"html": (nombre_archivo(vista, datos, "html"), texto_html.encode("utf-8"))}
    if pdf:
        archivos["pdf"] = (nombre_archivo(vista, datos, "pdf"), pdf)
    st.session_state[ARCHIVOS] = {"clave": _clave(vista), "archivos": archivos}


def _clave(vista: recolector.Vista) -> tuple:
    return (vista.pagina, str(sorted(vista.parametros.items())), vista.contexto.get("rol"))


def _botones_descarga(vista) -> None:
    listos = st.session_state.get(ARCHIVOS)
    if not listos or vista is None or listos["clave"] != _clave(vista):
        return
    for extension, (archivo, datos) in sorted(listos["archivos"].items(), reverse=True):
        st.download_button(
            f"Descargar {extension.upper()}",
            datos,
            file_name=archivo,
            mime="application/pdf" if extension == "pdf" else "text/html",
            key=f"informe_{extension}",
            on_click=acceso.registrar,
            args=("informe",),
            kwargs={"archivo": archivo, "vista": vista.contexto["enlace"]},
            width="stretch",
        )


def control(pagina) -> None:
    """En la barra lateral: preparar el informe de lo que se ve, y presentar."""
    vista = recolector.vista()
    with st.sidebar:
        st.subheader("Informe")
        izquierda, derecha = st.columns(2)
        if izquierda.button(
            "Descargar informe",
            key="informe_preparar",
            help="PDF y HTML de esta vista: título, filtros, datos al día de corte, cada gráfico, "
            "tabla y mapa, las frases y las notas de método.",
        ):
            st.session_state[PEDIDO] = 0
        derecha.button("Presentar", key="informe_presentar", on_click=_presentar, args=(True,))
        if PEDIDO in st.session_state:
            if _vigente(vista, pagina):
                del st.session_state[PEDIDO]
                _preparar(vista)
            else:
                st.caption("Preparando el informe: se espera a que la página termine de dibujarse.")
        _botones_descarga(vista if _vigente(vista, pagina) else None)


def _continuar() -> None:
    """Si el informe pedido esperaba una vista completa y al día, vuelve a ejecutar (una vez)."""
    intentos = st.session_state.get(PEDIDO)
    if intentos is None:
        return
    if intentos >= 1:
        del st.session_state[PEDIDO]
        return
    st.session_state[PEDIDO] = intentos + 1
    st.rerun()


# --- Modo presentación ------------------------------------------------------------------------

ESTILO_PRESENTACION = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none; }
.block-container { max-width: 1400px; padding-top: 1.5rem; }
.block-container p, .block-container li { font-size: 1.6rem; line-height: 1.45; }
.block-container h1 { font-size: 3rem; }
.block-container h2 { font-size: 2.4rem; }
</style>
"""


def presentando() -> bool:
    return st.query_params.get("presentar") == "1"


def _presentar(activo: bool) -> None:
    st.session_state[DIAPOSITIVA] = 0
    if activo:
        st.query_params["presentar"] = "1"
    elif "presentar" in st.query_params:
        del st.query_params["presentar"]


def diapositivas(vista: recolector.Vista) -> list[dict]:
    """Una portada (título y métricas) y una diapositiva por gráfico, tabla o mapa, con el
    subtítulo que la precede y las frases y avisos que la siguen."""
    primera = {"titulo": vista.encabezado, "visual": None, "textos": [], "metricas": []}
    lista, subtitulo, actual = [primera], None, primera
    for e in vista.elementos:
        if e.tipo == "subtitulo":
            subtitulo, actual = str(e.contenido), None
        elif e.tipo == "metrica":
            primera["metricas"].append(e)
        elif e.tipo in VISUALES:
            actual = {
                "titulo": subtitulo or vista.encabezado,
                "visual": e,
                "textos": [],
                "metricas": [],
            }
            lista.append(actual)
        elif e.tipo in {"texto", "aviso"} and (actual is not None or e.tipo == "aviso"):
            (actual or primera)["textos"].append(e)
    return lista


def _dibujar(diapositiva: dict, portada: documento.Portada) -> None:
    st.title(diapositiva["titulo"])
    if diapositiva["visual"] is None:
        st.markdown(f"{portada.filtros}  \n**Datos al {formato.fecha(portada.corte)}**")
        if diapositiva["metricas"]:
            for columna, m in zip(
                st.columns(len(diapositiva["metricas"])), diapositiva["metricas"], strict=True
            ):
                columna.metric(str(m.contenido), m.detalle["valor"], m.detalle["delta"])
    else:
        visual = diapositiva["visual"]
        if visual.tipo == "grafico":
            st.plotly_chart(visual.contenido, config={"displaylogo": False})
        elif visual.tipo == "tabla":
            st.dataframe(visual.contenido, hide_index=True)
        else:
            st.pydeck_chart(visual.contenido, height=620)
    for e in diapositiva["textos"]:
        if e.tipo == "aviso":
            st.info(str(e.contenido))
        else:
            st.markdown(str(e.contenido), unsafe_allow_html=e.detalle.get("html", False))


def _mover(paso: int, total: int) -> None:
    st.session_state[DIAPOSITIVA] = min(
        max(st.session_state.get(DIAPOSITIVA, 0) + paso, 0), total - 1
    )


def presentacion(pagina, grupos) -> None:
    """Una diapositiva por pantalla, con Anterior/Siguiente (también las flechas del teclado)."""
    st.markdown(ESTILO_PRESENTACION, unsafe_allow_html=True)
    vista = recolector.vista()
    if not _vigente(vista, pagina):
        hueco = st.empty()
        with (
            hueco.container(),
            recolector.recoger(pagina, parametros(), **contexto(pagina, grupos)),
        ):
            pagina.run()
        hueco.empty()
        vista = recolector.vista()
    lista = diapositivas(vista)
    numero = min(st.session_state.get(DIAPOSITIVA, 0), len(lista) - 1)
    _dibujar(lista[numero], portada(vista))
    atras, contador, adelante, salir = st.columns([1, 1, 1, 1], vertical_alignment="center")
    atras.button(
        "◀ Anterior",
        key="presentar_atras",
        shortcut="Left",
        disabled=numero == 0,
        on_click=_mover,
        args=(-1, len(lista)),
    )
    contador.markdown(f"{numero + 1} / {len(lista)}")
    adelante.button(
        "Siguiente ▶",
        key="presentar_adelante",
        shortcut="Right",
        disabled=numero == len(lista) - 1,
        on_click=_mover,
        args=(1, len(lista)),
    )
    salir.button(
        "Salir de la presentación", key="presentar_salir", on_click=_presentar, args=(False,)
    )


# --- Punto de entrada -------------------------------------------------------------------------


def mostrar(pagina, grupos) -> None:
    """Ejecuta la página (o su presentación) anotando lo que dibuja."""
    if presentando():
        presentacion(pagina, grupos)
        return
    control(pagina)
    with recolector.recoger(pagina, parametros(), **contexto(pagina, grupos)):
        pagina.run()
    _continuar()
