"""El único módulo que toca Streamlit y DuckDB a la vez: conexión y consultas en caché."""

import contextlib
import dataclasses
import os
import threading
from datetime import date, datetime
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from consultas import privacidad
from consultas.versiones import Base

RUTA_POR_DEFECTO = Path(__file__).parents[1] / "datos" / "observatorio.duckdb"
# La versión de los datos fijada por un enlace compartido (ui/compartir.py); sin ella, la vigente.
VERSION_FIJADA = "version_fijada"


def ruta_base() -> Path:
    return Path(os.environ.get("OBSERVATORIO_DB", RUTA_POR_DEFECTO))


def firma(ruta: Path | None = None) -> tuple[int, int]:
    """Versión del archivo de la base: cambia cuando una importación lo reemplaza."""
    estado = (ruta or ruta_base()).stat()
    return estado.st_ino, estado.st_mtime_ns


@st.cache_resource(show_spinner=False, max_entries=2)
def _conectar(ruta: str, version: tuple[int, int]) -> Base:
    base = Base(Path(ruta))
    base.firma = version  # la clave de la caché de consultas
    base.referencias = {}  # lo que `referencia` ya leyó de este archivo
    base.candado = threading.Lock()
    return base


_DE_LA_EJECUCION = "_base_de_la_ejecucion"


def conexion() -> Base | None:
    """La base vigente en solo lectura, o None si el archivo no existe."""
    ruta = ruta_base()
    base = None
    for _ in range(3):
        if not ruta.exists():
            return None
        version = firma(ruta)
        base = _conectar(str(ruta), version)
        # Si una importación reemplazó el archivo entre firmarlo y abrirlo, se abre de nuevo:
        # así una versión nunca guarda el contenido de otra.
        if firma(ruta) == version:
            return base
    return base


def abrir() -> Base | None:
    """La base vigente, que queda para el resto de esta ejecución (app.py la pide al empezar):
    todas las consultas de una ejecución leen el mismo archivo aunque una importación lo
    reemplace a mitad de camino; la ejecución siguiente ya lee el nuevo."""
    base = conexion()
    st.session_state[_DE_LA_EJECUCION] = base
    return base


def de_la_ejecucion() -> Base | None:
    return st.session_state.get(_DE_LA_EJECUCION) or abrir()


@st.cache_data(show_spinner=False, max_entries=512)
def _en_cache(clave: str, otros: tuple | None, _llamada: tuple, _base: Base):
    """Streamlit guarda el resultado según `clave` (ver `consultar`) y `otros`, los argumentos que
    no entran en la clave; `_llamada` y `_base` no cuentan para la caché."""
    funcion, fijada, publico, argumentos = _llamada
    return privacidad.llamar(funcion, _base.en_version(fijada), *argumentos, publico=publico)


# Tipos cuyo repr distingue cualquier par de valores distintos (los de los filtros y opciones).
_SIMPLES = {str, int, float, bool, type(None), date, datetime}


def _texto(valor) -> str | None:
    """Un texto que distingue `valor` de cualquier otro si es de tipos simples, también dentro de
    tuplas y dataclasses (como Filtros); None si no."""
    if type(valor) in _SIMPLES:
        return repr(valor)
    if type(valor) is tuple:
        partes = [_texto(v) for v in valor]
    elif dataclasses.is_dataclass(valor) and not isinstance(valor, type):
        partes = [_texto(getattr(valor, campo.name)) for campo in dataclasses.fields(valor)]
    else:
        return None
    tipo = type(valor)
    return None if None in partes else f"{tipo.__module__}.{tipo.__qualname__}({','.join(partes)})"


def _publico() -> bool:
    from ui import acceso  # acceso usa este módulo: se importa al llamar

    return acceso.rol() == acceso.PUBLICO


def _fijada(base: Base) -> int | None:
    """La versión fijada por un enlace compartido; None si no hay o si es la vigente (así usa la
    misma caché que una sesión sin enlace)."""
    fijada = st.session_state.get(VERSION_FIJADA)
    return None if fijada == base.version else fijada


def consultar(funcion, *argumentos):
    """Llama `funcion(con, *argumentos)` sobre la base de esta ejecución, guardando el resultado
    según los argumentos, la versión del archivo (otra importación nunca sirve resultados viejos),
    la versión de los datos que fijó un enlace compartido (`con` lee entonces esa versión) y si
    el rol es público (entonces con su regla, consultas/privacidad.py)."""
    base = de_la_ejecucion()
    fijada, publico = _fijada(base), _publico()
    clave = (privacidad.nombre(funcion), base.firma, fijada, publico)
    llamada = (funcion, fijada, publico, argumentos)
    # Con argumentos simples la clave es un solo texto: Streamlit lo hashea en ~0,1 ms, en vez del
    # ~1 ms por llamada que le cuesta recorrer los filtros; los demás argumentos los hashea él.
    texto = _texto(argumentos)
    if texto is not None:
        return _en_cache(f"{clave!r} {texto}", None, llamada, base)
    return _en_cache(repr(clave), argumentos, llamada, base)


# Consultas adelantadas que corren a la vez: con 2 núcleos, 3 rinden más que 1 (DuckDB espera entre
# sus etapas) y no menos que más (se reparten los mismos núcleos).
_A_LA_VEZ = threading.BoundedSemaphore(3)
# False: `adelantar` no hace nada y cada consulta corre al pedirla (así `make bench` mide cada una
# sola, junto a su SQL).
PARALELO = True


def adelantar(*llamadas) -> None:
    """Empieza ya, en otros hilos, las consultas que la página pedirá después con `consultar`,
    cada una como `(funcion, *argumentos)`. DuckDB suelta el GIL mientras ejecuta: corren a la vez
    entre ellas y con el dibujo. La página las pide igual con `consultar`: si una está en curso, la
    caché espera a que termine (un candado por clave) y no la repite."""
    base = de_la_ejecucion()
    if not PARALELO or base is None:
        return
    contexto = get_script_run_ctx()
    for funcion, *argumentos in llamadas:
        hilo = threading.Thread(
            target=_adelantada, args=(funcion, *argumentos), name="adelantar", daemon=True
        )
        add_script_run_ctx(hilo, contexto)  # la caché y la sesión lo piden; no dibuja nada
        hilo.start()


def _adelantada(funcion, *argumentos) -> None:
    # Si falla, la página la vuelve a pedir con `consultar` y muestra el error donde siempre.
    with _A_LA_VEZ, contextlib.suppress(Exception):
        consultar(funcion, *argumentos)


def referencia(funcion):
    """`funcion(con)` para lo que no depende de filtros (catálogo, geometrías): se lee una vez por
    archivo de datos y versión fijada, y queda con la base; otra importación trae otra base, así
    que nunca sirve datos viejos. Los resultados se comparten entre sesiones: no se modifican."""
    base = de_la_ejecucion()
    return _referencia(base, funcion, _fijada(base), _publico())


def _referencia(base: Base, funcion, fijada: int | None, publico: bool):
    clave = (privacidad.nombre(funcion), fijada, publico)
    with base.candado:
        if clave not in base.referencias:
            con = base.en_version(fijada)
            base.referencias[clave] = privacidad.llamar(funcion, con, publico=publico)
        return base.referencias[clave]


def precargar() -> None:
    """Lo que la primera página de un servidor nuevo esperaría (servir.py): los módulos del
    tablero, la base abierta y su catálogo y geometrías vigentes."""
    import importlib
    import pkgutil

    import consultas
    import ui
    from consultas import catalogos

    for paquete in (consultas, ui):
        for modulo in pkgutil.iter_modules(paquete.__path__, paquete.__name__ + "."):
            importlib.import_module(modulo.name)
    importlib.import_module("PIL.PngImagePlugin")  # el ícono de la pestaña (app.py)
    # Streamlit, la primera vez que un proceso dibuja, compila su expresión de emojis (en un aviso
    # con texto no ASCII) y revisa la pila contra cada módulo cargado: ~0,2 s. Fuera de una
    # ejecución este aviso no se dibuja en ninguna parte.
    st.info("Precarga · Observatorio")
    base = conexion()
    if base is not None:
        for funcion in (catalogos.catalogo, catalogos.geometrias):
            _referencia(base, funcion, None, False)


def derivar(funcion, *argumentos):
    """`funcion(*argumentos)` (un cálculo sobre resultados ya consultados, sin la base), con la
    regla del público si el rol es público: así se publica lo que sale de un intermedio que la
    página no dibuja (la historia diaria de Tendencias)."""
    resultado = funcion(*argumentos)
    return privacidad.aplicar(funcion, resultado) if _publico() else resultado
