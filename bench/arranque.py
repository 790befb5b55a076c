"""Arranque en frío y memoria del servidor real, en Chromium sin pantalla.

Con Chromium ya abierto se lanza el tablero como lo sirve `make run` (servir.py); el arranque en
frío va desde ese momento hasta que el Resumen se ve terminado en el navegador. Luego se abre cada
página en la misma sesión (primera visita, con las cachés vacías) y, al final, se lee la memoria
máxima del proceso del servidor (VmHWM de /proc).

Uso: python -m bench.arranque N salida.json (lo llama bench/informe.py).
"""

import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import comun

CHROMIUM = "/usr/bin/chromium"
ARGUMENTOS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run"]
APP_QUIETA = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# (ruta, título que se espera ver)
RECORRIDO = [
    ("tendencias", "Tendencias"),
    ("mapa", "Mapa"),
    ("percepcion", "Percepción y victimización"),
    ("cobertura", "Cobertura del programa"),
    ("barrio?barrio=el-golf", "Ficha de barrio: El Golf"),
    ("datos", "Datos"),
    ("", "Resumen"),
]


def _esperar(pagina, titulo: str) -> None:
    from playwright.sync_api import expect

    expect(pagina.get_by_role("heading", name=titulo, exact=True)).to_be_visible(timeout=120_000)
    pagina.locator(APP_QUIETA).wait_for(timeout=120_000)


def memoria_mb(pid: int, campo: str = "VmHWM") -> float:
    for linea in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linea.startswith(campo + ":"):
            return round(int(linea.split()[1]) / 1024, 1)
    return float("nan")


@contextmanager
def arrancar(navegador, ruta: Path | None, script: str, titulo: str):
    """Con Chromium ya abierto, lanza `script` sobre `ruta` y espera ver `titulo` terminado.
    Entrega la página, el proceso, la URL y los ms hasta que el servidor respondió y hasta verlo."""
    puerto = comun.puerto_libre()
    url = f"http://127.0.0.1:{puerto}"
    pagina = navegador.new_page(viewport={"width": 1400, "height": 900})
    inicio = time.perf_counter()
    servidor = comun.lanzar(ruta, puerto, script)
    try:
        comun.esperar_salud(url, servidor, limite=120, pausa=0.02)
        salud = round(1000 * (time.perf_counter() - inicio), 1)
        pagina.goto(url)
        _esperar(pagina, titulo)
        yield pagina, servidor, url, salud, round(1000 * (time.perf_counter() - inicio), 1)
    finally:
        servidor.terminate()
        servidor.wait(timeout=30)
        pagina.close()


def medir(ruta: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        navegador = p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTOS)
        try:
            # La base mínima primero (otro puerto): ninguna encuentra lo de la otra en la caché.
            with arrancar(navegador, None, "bench/app_minima.py", "Base mínima") as arranque:
                minima = arranque[-1]
            with arrancar(navegador, ruta, "app.py", "Resumen") as arranque:
                pagina, servidor, url, salud, frio = arranque
                rss_arranque = memoria_mb(servidor.pid)
                visitas = {}
                for destino, titulo in RECORRIDO:
                    antes = time.perf_counter()
                    pagina.goto(f"{url}/{destino}")
                    _esperar(pagina, titulo)
                    visitas[destino.split("?")[0] or "resumen (de nuevo)"] = round(
                        1000 * (time.perf_counter() - antes), 1
                    )
                return {
                    "servidor_listo_ms": salud,
                    "arranque_en_frio_ms": frio,
                    "base_minima_ms": minima,
                    "rss_tras_arranque_mb": rss_arranque,
                    "primera_visita_ms": visitas,
                    "rss_servidor_maximo_mb": memoria_mb(servidor.pid),
                }
        finally:
            navegador.close()


def main() -> None:
    n, salida = int(sys.argv[1]), Path(sys.argv[2])
    comun.escribir(salida, medir(comun.base(n)))


if __name__ == "__main__":
    main()
