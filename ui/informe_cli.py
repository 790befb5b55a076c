"""`observatorio informe`: el informe de una página sin abrir el tablero.

La página se ejecuta sin pantalla con `streamlit.testing.v1.AppTest`, con los filtros como
parámetros de la URL: el mismo código, el mismo recolector y el mismo HTML/PDF que el botón
«Descargar informe».
"""

import os
import sys
from pathlib import Path

from tqdm import tqdm

from consultas import versiones
from consultas.catalogos import catalogo
from consultas.filtros import desde_url

APP = Path(__file__).parents[1] / "app.py"
PAGINAS = {
    "resumen": "paginas/resumen.py",
    "mapa": "paginas/mapa.py",
    "tendencias": "paginas/tendencias.py",
    "percepcion": "paginas/percepcion.py",
    "cobertura": "paginas/cobertura.py",
    "barrio": "paginas/barrio.py",
}
FORMATOS = ("pdf", "html")
PREFIJO_IGNORADO = "Se ignoró"  # los avisos de la página sobre opciones inválidas de la URL


class InformeFallido(Exception):
    """Un informe que no se pudo hacer, explicado en una línea."""


def validar_salida(salida: Path) -> None:
    """Falla antes de todo el trabajo si el archivo no se podrá escribir."""
    if salida.is_dir():
        raise InformeFallido(f"La salida «{salida}» es una carpeta: indique un archivo.")
    carpeta = salida.parent if str(salida.parent) else Path(".")
    if not carpeta.is_dir():
        raise InformeFallido(f"No se puede escribir «{salida}»: no existe la carpeta «{carpeta}».")
    if not os.access(carpeta, os.W_OK) or (salida.exists() and not os.access(salida, os.W_OK)):
        raise InformeFallido(f"No se puede escribir «{salida}»: no hay permiso de escritura.")


def validar(db: Path, pagina: str, formato: str, parametros: dict[str, list[str]]) -> None:
    if pagina not in PAGINAS:
        raise InformeFallido(f"Página desconocida «{pagina}»; use una de: {', '.join(PAGINAS)}.")
    if formato not in FORMATOS:
        raise InformeFallido(f"Formato desconocido «{formato}»; use pdf o html.")
    if not db.exists():
        raise InformeFallido(f"No existe la base de datos «{db}».")
    try:
        base, con = versiones.abrir(db, (parametros.get(versiones.PARAMETRO) or [None])[0])
    except versiones.VersionDesconocida as error:
        raise InformeFallido(str(error)) from None
    try:
        _, avisos = desde_url(parametros, catalogo(con))
    finally:
        base.close()
    if avisos:
        raise InformeFallido(" ".join(avisos))


def vista(db: Path, pagina: str, parametros: dict[str, list[str]], publico: bool):
    """La página dibujada sin pantalla, con lo que anotó el recolector."""
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    from ui import acceso, recolector

    app = AppTest.from_file(str(APP), default_timeout=300)
    logger.set_log_level("error")
    for clave, valores in parametros.items():
        app.query_params[clave] = valores
    if publico:
        app.session_state[acceso.COMPARTIR] = True
    app.switch_page(PAGINAS[pagina])
    anterior = os.environ.get("OBSERVATORIO_DB")
    os.environ["OBSERVATORIO_DB"] = str(db)  # la app lee la base de aquí, como con `make run`
    try:
        app.run()
    finally:
        if anterior is None:
            del os.environ["OBSERVATORIO_DB"]
        else:
            os.environ["OBSERVATORIO_DB"] = anterior
    if app.exception:
        raise InformeFallido(f"La página falló: {app.exception[0].message}")
    try:
        dibujada = app.session_state[recolector.CLAVE]["ultima"]
    except KeyError:
        raise InformeFallido("La página no terminó de dibujarse.") from None
    ignorados = [
        str(e.contenido)
        for e in dibujada.de("aviso")
        if str(e.contenido).startswith(PREFIJO_IGNORADO)
    ]
    if ignorados:
        raise InformeFallido(" ".join(ignorados))
    return dibujada


def _silenciar_streamlit() -> None:
    """Sin los avisos de Streamlit sobre el modo sin servidor (también los de su configuración)."""
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    from streamlit import logger

    logger.set_log_level("error")


def generar(
    db: Path,
    pagina: str,
    parametros: dict[str, list[str]],
    formato: str,
    salida: Path,
    publico: bool = False,
) -> Path:
    """Escribe el informe de `pagina` con esos filtros en `salida` (PDF o HTML)."""
    _silenciar_streamlit()
    from ui import documento, informe

    validar(db, pagina, formato, parametros)
    validar_salida(salida)
    pasos = 3 if formato == "pdf" else 2
    with tqdm(total=pasos, desc="Dibujando la página", unit="paso", file=sys.stderr) as avance:
        dibujada = vista(db, pagina, parametros, publico)
        avance.update()
        avance.set_description("Armando el HTML")
        texto = documento.html(dibujada, informe.portada(dibujada))
        contenido = texto.encode("utf-8")
        avance.update()
        if formato == "pdf":
            avance.set_description("Imprimiendo el PDF")
            if not Path(documento.CHROMIUM).exists():
                raise InformeFallido(
                    f"Falta Chromium ({documento.CHROMIUM}) para el PDF: instálelo con "
                    "`make chromium` o pida el informe con --formato html."
                )
            contenido = documento.pdf(texto)
            avance.update()
    try:
        salida.write_bytes(contenido)
    except OSError as error:
        raise InformeFallido(f"No se puede escribir «{salida}»: {error.strerror}.") from None
    return salida
