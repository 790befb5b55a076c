"""Lo que comparten las partes de `make bench`: las bases grandes (en bench/resultados/, fuera de
git), los tamaños pedidos, las medidas (mediana, p95, memoria) y el paso de resultados en JSON."""

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import numpy as np

from datos import demo

RAIZ = Path(__file__).parents[1]
CARPETA = RAIZ / "bench" / "resultados"
TAMANOS = (100_000, 1_000_000, 10_000_000)
REGIONAL = 50_000_000
STREAMLIT_RUN = [sys.executable, "-m", "streamlit", "run"]


def tamanos() -> list[int]:
    """Los tamaños de esta ejecución: BENCH_TAMANOS=100000,1000000 o, sin ella, los tres."""
    texto = os.environ.get("BENCH_TAMANOS", "").replace("_", "").replace(".", "")
    if not texto.strip():
        return list(TAMANOS)
    try:
        valores = [int(parte) for parte in texto.split(",") if parte.strip()]
    except ValueError:
        raise SystemExit(f"BENCH_TAMANOS inválido: «{texto}» (p. ej. 100000,1000000)") from None
    if not valores or min(valores) <= 0:
        raise SystemExit(f"BENCH_TAMANOS inválido: «{texto}» (números mayores que 0)")
    return valores


def nombre(n: int) -> str:
    """100000 -> 100k, 1000000 -> 1m, 50000000 -> 50m (y el número entero si no es redondo)."""
    for divisor, sufijo in ((1_000_000, "m"), (1_000, "k")):
        if n >= divisor and n % divisor == 0:
            return f"{n // divisor}{sufijo}"
    return str(n)


def miles(n: float, decimales: int = 0) -> str:
    texto = f"{n:,.{decimales}f}"
    return texto.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def base(n: int) -> Path:
    """La base de n incidentes; se genera si falta o si la hizo otra versión del generador."""
    ruta = CARPETA / f"bench_{nombre(n)}.duckdb"
    version = demo._version(2026, n, demo.FECHA_CORTE_DEMO)
    if ruta.exists():
        with duckdb.connect(str(ruta), read_only=True) as con:
            fila = con.execute("SELECT valor FROM metadatos WHERE clave = 'version'").fetchone()
        if fila and fila[0] == version:
            return ruta
    print(f"Generando {miles(n)} incidentes en {ruta}…", file=sys.stderr, flush=True)
    inicio = time.perf_counter()
    demo.generar(ruta, incidentes=n, progreso=True)
    print(f"Generación: {time.perf_counter() - inicio:.1f} s", file=sys.stderr, flush=True)
    return ruta


def resumen(tiempos_ms: list[float]) -> dict:
    """Mediana, p95 (interpolado), mínimo y máximo de una lista de tiempos en ms."""
    if not tiempos_ms:
        return {"n": 0}
    return {
        "n": len(tiempos_ms),
        "mediana": round(statistics.median(tiempos_ms), 1),
        "p95": round(float(np.percentile(tiempos_ms, 95)), 1),
        "min": round(min(tiempos_ms), 1),
        "max": round(max(tiempos_ms), 1),
    }


def cronometrar(funcion, *argumentos, repeticiones: int = 3) -> list[float]:
    """Tiempos de varias llamadas, en ms."""
    tiempos = []
    for _ in range(repeticiones):
        inicio = time.perf_counter()
        funcion(*argumentos)
        tiempos.append(1000 * (time.perf_counter() - inicio))
    return tiempos


def rss_maximo_mb() -> float:
    """Memoria residente máxima de este proceso, en MB (ru_maxrss viene en kB en Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def escribir(ruta: Path, datos) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_text(json.dumps(datos, ensure_ascii=False, indent=1, default=str), "utf-8")


def en_proceso(modulo: str, *argumentos: str, limite: float = 1800) -> dict:
    """Corre `python -m modulo argumentos… salida.json` en un proceso propio (su memoria se mide
    sola) y devuelve lo que escribió."""
    sufijo = "_".join(a for a in argumentos if "/" not in a)
    salida = CARPETA / f"{modulo.rsplit('.', 1)[-1]}_{sufijo}.json"
    salida.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", modulo, *argumentos, str(salida)],
        cwd=RAIZ,
        check=True,
        timeout=limite,
    )
    return json.loads(salida.read_text("utf-8"))


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def esperar_salud(
    url: str, proceso: subprocess.Popen | None = None, limite: float = 90, pausa: float = 0.3
) -> None:
    """Espera a que `streamlit run` en `url` responda; falla si el proceso termina antes."""
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if proceso is not None and proceso.poll() is not None:
            raise RuntimeError(f"streamlit terminó con código {proceso.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(pausa)
    raise TimeoutError(f"streamlit no respondió en {url}")


def lanzar(base: Path | None, puerto: int, script: str = "app.py") -> subprocess.Popen:
    """El tablero como lo sirve `make run` (servir.py, con su precarga), u otro `script` con
    `streamlit run`, sobre `base`, en loopback y sin pantalla; no espera a que responda."""
    orden = [sys.executable, "servir.py"] if script == "app.py" else [*STREAMLIT_RUN, script]
    orden += ["--server.headless", "true"]
    orden += ["--server.port", str(puerto), "--server.address", "127.0.0.1"]
    return subprocess.Popen(
        orden,
        cwd=RAIZ,
        env=os.environ | ({"OBSERVATORIO_DB": str(base)} if base else {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
