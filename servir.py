"""`python servir.py [opciones de streamlit run]`: el tablero, como `streamlit run app.py`, con una
precarga: en cuanto el servidor escucha, y mientras el navegador carga la interfaz de Streamlit
(más de un segundo en el que el servidor no hace nada), un hilo importa los módulos del tablero y
abre la base con su catálogo y sus geometrías. La primera página ya no los espera
(docs/rendimiento.md, arranque en frío). Es lo que usan `make run` y el bench."""

import gc
import logging
import os
import socket
import sys
import threading
import time

HILO = "precarga"


class _SinAvisosDeLaPrecarga(logging.Filter):
    """Streamlit avisa «missing ScriptRunContext» cada vez que algo fuera de una sesión toca su
    caché; en el hilo de la precarga es lo esperado y solo ensuciaría el registro del servidor."""

    def filter(self, registro: logging.LogRecord) -> bool:
        return registro.threadName != HILO


def _esperar_servidor(puerto: int, limite: float = 60) -> bool:
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        try:
            socket.create_connection(("127.0.0.1", puerto), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def _precargar(puerto: int) -> None:
    # Antes de que el servidor escuche competiría con su arranque por el GIL.
    if not _esperar_servidor(puerto):
        return
    from ui import conexion

    contexto = "streamlit.runtime.scriptrunner_utils.script_run_context"
    logging.getLogger(contexto).addFilter(_SinAvisosDeLaPrecarga())
    conexion.precargar()
    # Tras cada ejecución Streamlit llama a gc.collect(2) (runner.postScriptGC) con el GIL tomado:
    # con los módulos ya cargados recorre unos 130.000 objetos, ~0,14 s en que el navegador no
    # recibe el fin de la página. Congelados, el recolector solo recorre lo creado después.
    gc.collect()
    gc.freeze()


def _puerto(argumentos: list[str]) -> int:
    for k, argumento in enumerate(argumentos):
        if argumento == "--server.port" and k + 1 < len(argumentos):
            return int(argumentos[k + 1])
        if argumento.startswith("--server.port="):
            return int(argumento.split("=", 1)[1])
    return int(os.environ.get("STREAMLIT_SERVER_PORT", 8501))


def main() -> None:
    argumentos = sys.argv[1:]
    puerto = _puerto(argumentos)
    threading.Thread(target=_precargar, args=(puerto,), name=HILO, daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", os.path.join(os.path.dirname(__file__), "app.py"), *argumentos]
    cli.main()


if __name__ == "__main__":
    main()
