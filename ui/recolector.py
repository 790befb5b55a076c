"""Lo que una página dibuja, anotado para el informe: títulos, frases, métricas, tablas, gráficos
y mapas, en el orden en que aparecen.

No hay código de informe en las páginas: durante `recoger()` (app.py envuelve `pagina.run()`),
los comandos de Streamlit que dibujan contenido anotan además lo que reciben. Así el informe de
cada página trae todo lo que la página muestra, también lo que se agregue más adelante. Fuera de
`recoger()`, y en la barra lateral, los comandos funcionan igual que siempre y no anotan nada.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.delta_generator_singletons import get_dg_singleton_instance
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

CLAVE = "informe_vista"

# Comando de Streamlit -> tipo de elemento del informe.
TIPOS = {
    "title": "titulo",
    "header": "subtitulo",
    "subheader": "subtitulo",
    "markdown": "texto",
    "caption": "nota",
    "metric": "metrica",
    "dataframe": "tabla",
    "table": "tabla",
    "plotly_chart": "grafico",
    "pydeck_chart": "mapa",
    "info": "aviso",
    "success": "aviso",
    "warning": "aviso",
    "error": "aviso",
}


@dataclass
class Elemento:
    tipo: str
    contenido: Any
    detalle: dict = field(default_factory=dict)


@dataclass
class Vista:
    """Lo dibujado en una ejecución completa de una página, con su dirección."""

    pagina: str  # url_path de la página ("" es la de inicio)
    titulo: str
    parametros: dict[str, list[str]]
    contexto: dict = field(default_factory=dict)  # catálogo, filtros, grupos, rol y enlace
    elementos: list[Elemento] = field(default_factory=list)
    hora: datetime = field(default_factory=datetime.now)
    completa: bool = False
    desactualizada: bool = False

    @property
    def encabezado(self) -> str:
        """El título que la página se pone (p. ej. «Ficha de barrio: El Golf»)."""
        return next((str(e.contenido) for e in self.de("titulo")), self.titulo)

    def de(self, tipo: str) -> list[Elemento]:
        return [e for e in self.elementos if e.tipo == tipo]


_local = threading.local()


def _anotar(comando: str, args: tuple, kwargs: dict) -> None:
    vista: Vista | None = getattr(_local, "vista", None)
    if vista is None:
        # Una ejecución parcial (un fragmento) cambia lo que se ve sin volver a recoger.
        ctx = get_script_run_ctx()
        if ctx is not None and ctx.fragment_ids_this_run and CLAVE in ctx.session_state:
            ultima = ctx.session_state[CLAVE].get("ultima")
            if ultima is not None:
                ultima.desactualizada = True
        return
    tipo = TIPOS[comando]
    contenido = args[0] if args else kwargs.get(_PRIMER_ARGUMENTO.get(comando, "body"))
    if tipo == "texto" and isinstance(contenido, str) and contenido.lstrip().startswith("<style"):
        return  # estilos de impresión de una página: no son contenido
    detalle = {}
    if tipo == "texto":
        detalle["html"] = bool(kwargs.get("unsafe_allow_html"))
    elif tipo == "aviso":
        detalle["nivel"] = comando
    elif tipo == "metrica":
        detalle = {
            "valor": args[1] if len(args) > 1 else kwargs.get("value"),
            "delta": args[2] if len(args) > 2 else kwargs.get("delta"),
            "ayuda": kwargs.get("help"),
        }
    elif tipo == "tabla" and hasattr(contenido, "data") and not isinstance(contenido, pd.DataFrame):
        contenido = contenido.data  # un Styler: sus datos
    vista.elementos.append(Elemento(tipo, contenido, detalle))


_PRIMER_ARGUMENTO = {
    "metric": "label",
    "dataframe": "data",
    "table": "data",
    "plotly_chart": "figure_or_data",
    "pydeck_chart": "pydeck_obj",
}


@contextmanager
def fuera_del_informe():
    """Lo que se dibuja dentro es solo para la pantalla (p. ej. «haga clic en el mapa»)."""
    antes = getattr(_local, "dentro", False)
    _local.dentro = True
    try:
        yield
    finally:
        _local.dentro = antes


def _envolver(comando: str, original):
    @wraps(original)
    def envuelto(self: DeltaGenerator, *args, **kwargs):
        # Solo el nivel más externo anota (st.write llama a st.markdown, por ejemplo), y nada
        # de la barra lateral: filtros y controles no son el contenido de la página.
        if getattr(_local, "dentro", False) or _en_barra(self):
            return original(self, *args, **kwargs)
        _local.dentro = True
        try:
            _anotar(comando, args, kwargs)
            return original(self, *args, **kwargs)
        finally:
            _local.dentro = False

    envuelto.recolector = True
    return envuelto


def _en_barra(dg: DeltaGenerator) -> bool:
    try:
        return (
            dg._active_dg._root_container == get_dg_singleton_instance().sidebar_dg._root_container
        )
    except Exception:  # sin contexto de ejecución
        return False


def instalar() -> None:
    """Envuelve, una vez por proceso, los comandos de contenido (idempotente)."""
    for comando in TIPOS:
        original = getattr(DeltaGenerator, comando)
        if getattr(original, "recolector", False):
            continue
        setattr(DeltaGenerator, comando, _envolver(comando, original))
    principal = get_dg_singleton_instance().main_dg
    for comando in TIPOS:
        setattr(st, comando, getattr(principal, comando))


@contextmanager
def recoger(pagina, parametros: dict[str, list[str]], **contexto):
    """Anota lo que la página dibuja en esta ejecución. Si la página termina (también con
    st.stop, como hace una página sin datos) la vista queda guardada en la sesión para el
    informe; si la ejecución se interrumpe (otro clic), queda la anterior."""
    instalar()
    vista = Vista(pagina.url_path, pagina.title, parametros, contexto)
    # Un cambio del estado de la sesión después de st.stop se pierde: el estado se escribe al
    # empezar, y al terminar solo se modifica lo que ya está guardado.
    guardadas = st.session_state.setdefault(CLAVE, {})
    _local.vista = vista
    try:
        yield vista
    except StopException:
        vista.completa = True
        raise
    else:
        vista.completa = True
    finally:
        _local.vista = None
        if vista.completa:
            guardadas["ultima"] = vista


def vista() -> Vista | None:
    """La última vista completa de la sesión."""
    return st.session_state.get(CLAVE, {}).get("ultima")
