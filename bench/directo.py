"""El SQL desnudo y las exportaciones, en un proceso aparte del de las páginas.

Cada sentencia que las páginas ejecutaron (bench/paginas.py las guarda con sus parámetros) vuelve a
correr sola sobre una conexión DuckDB directa, sin Streamlit ni pandas (el resultado se trae en
Arrow): es lo mínimo que cuesta esa consulta. Luego cada tabla de `observatorio exportar`, con los
filtros por defecto: en este proceso (mediana de varias) y una vez como la corre una persona, en un
proceso nuevo (con el arranque de Python).

Uso: python -m bench.directo N sentencias.pickle salida.json (lo llama bench/informe.py).
"""

import io
import pickle
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import duckdb

from bench import comun

REPETICIONES = 3
# Una fila por tabla de `observatorio exportar` (observatorio._tablas_exportables).
EXPORTACIONES = {
    "resumen": [],
    "hotspots": [],
    "concentracion": [],
    "evolucion": [],
    "percepcion": [],
    "tendencias": [],
    "comparacion": [],
    "evaluacion": [],
    "cobertura": [],
}


def _arrow(con, texto: str, valores: dict):
    """El resultado en una tabla Arrow (to_arrow_table en DuckDB 2, arrow antes)."""
    relacion = con.sql(texto, params=valores)
    traer = getattr(relacion, "to_arrow_table", None) or relacion.arrow
    return traer()


def sql_desnudo(ruta: Path, sentencias: list) -> dict[int, float]:
    """Mediana en ms de cada sentencia sola (tras una primera corrida que calienta la base)."""
    con = duckdb.connect(str(ruta), read_only=True)
    tiempos = {}
    for ident, _nombre, texto, valores in sentencias:
        _arrow(con, texto, valores)
        muestras = comun.cronometrar(
            lambda t=texto, v=valores: _arrow(con, t, v),
            repeticiones=REPETICIONES,
        )
        tiempos[ident] = round(sorted(muestras)[len(muestras) // 2], 2)
    con.close()
    return tiempos


def exportaciones(ruta: Path, carpeta: Path) -> dict:
    import observatorio

    resultados = {}
    for tabla, extra in EXPORTACIONES.items():
        salida = carpeta / f"exportar_{tabla}.csv"
        argumentos = ["exportar", tabla, "--db", str(ruta), "--salida", str(salida), *extra]

        def exportar(a=argumentos):
            with redirect_stdout(io.StringIO()):
                if observatorio.main(a) != 0:
                    raise RuntimeError(f"observatorio {' '.join(a)} falló")

        exportar()
        tibio = comun.cronometrar(exportar, repeticiones=REPETICIONES)
        inicio = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "observatorio", *argumentos],
            cwd=comun.RAIZ,
            check=True,
            capture_output=True,
        )
        frio = 1000 * (time.perf_counter() - inicio)
        resultados[tabla] = {
            "en_proceso": comun.resumen(tibio),
            "orden_completa_ms": round(frio, 1),
            "filas": sum(1 for _ in salida.open(encoding="utf-8")) - 1,
        }
        salida.unlink()
    return resultados


def main() -> None:
    n, archivo, salida = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    ruta = comun.base(n)
    sentencias = pickle.loads(archivo.read_bytes())
    desnudo = sql_desnudo(ruta, sentencias)
    comun.escribir(
        salida,
        {
            "sql_desnudo_ms": desnudo,
            "nombres": {ident: nombre for ident, nombre, _t, _v in sentencias},
            "exportaciones": exportaciones(ruta, salida.parent),
        },
    )


if __name__ == "__main__":
    main()
