"""Benchmark de los informes: segundos para hacer el HTML y el PDF de cada página sobre la
demostración (la de `make demo`; si falta, se genera en bench/resultados/).

Al lado, la línea base en la misma ejecución: Chromium abriendo e imprimiendo una página vacía
(el costo fijo de cada PDF). Uso: `make bench` o `python -m bench.informes`.
"""

import sys
import time
from pathlib import Path

from bench import comun
from datos import demo
from ui import informe_cli

DEMO = Path(__file__).parents[1] / "datos" / "observatorio.duckdb"
PARAMETROS = {"barrio": {"barrio": ["el-golf"]}}
VACIO = "<!DOCTYPE html><html><body><p>Informe vacío</p></body></html>"


def base_demo() -> Path:
    if DEMO.exists():
        return DEMO
    ruta = comun.CARPETA / "demo.duckdb"
    if not ruta.exists():
        comun.CARPETA.mkdir(exist_ok=True)
        print(f"Generando la demostración en {ruta}…", file=sys.stderr)
        demo.generar(ruta)
    return ruta


def segundos(funcion, *argumentos):
    inicio = time.perf_counter()
    resultado = funcion(*argumentos)
    return resultado, time.perf_counter() - inicio


def main() -> None:
    ruta = base_demo()
    informe_cli._silenciar_streamlit()
    from ui import documento, informe  # después de silenciar: importan Streamlit

    _, vacio = segundos(documento.pdf, VACIO)
    print(f"Demostración: {ruta} · segundos (una ejecución por página)")
    print(f"Línea base: Chromium imprime una página vacía en {vacio:.2f} s")
    print(
        f"{'página':<12}{'dibujar':>9}{'HTML':>7}{'PDF':>7}{'total HTML':>12}{'total PDF':>11}"
        f"{'HTML MB':>9}{'PDF kB':>8}"
    )
    for pagina in informe_cli.PAGINAS:
        params = PARAMETROS.get(pagina, {})
        vista, t_dibujar = segundos(informe_cli.vista, ruta, pagina, params, False)
        html, t_html = segundos(documento.html, vista, informe.portada(vista))
        pdf, t_pdf = segundos(documento.pdf, html)
        print(
            f"{pagina:<12}{t_dibujar:>9.2f}{t_html:>7.2f}{t_pdf:>7.2f}"
            f"{t_dibujar + t_html:>12.2f}{t_dibujar + t_html + t_pdf:>11.2f}"
            f"{len(html.encode()) / 1e6:>9.1f}{len(pdf) / 1e3:>8.0f}"
        )


if __name__ == "__main__":
    main()
