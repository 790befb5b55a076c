"""`make bench`: mide todas las páginas y exportaciones en cada tamaño y escribe
docs/rendimiento.md y docs/rendimiento.json.

Por tamaño (BENCH_TAMANOS=100000,1000000 elige; sin ella, 100.000, 1.000.000 y 10.000.000), cada
parte en su propio proceso, así la memoria de una no se cuenta en otra:
- bench/paginas.py: cada página en AppTest tras cada cambio de filtro, sus consultas, los mapas;
- bench/directo.py: el SQL desnudo de cada consulta y cada `observatorio exportar`;
- bench/pandas_base.py: la línea base en pandas de cada página;
- bench/arranque.py: el arranque en frío en Chromium y la memoria del servidor.
Los resultados se suman a los de ejecuciones anteriores de otros tamaños (docs/rendimiento.json),
y el informe se vuelve a escribir completo.
"""

import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench import comun
from bench.paginas import PAGINAS

DOCS = comun.RAIZ / "docs"
JSON = DOCS / "rendimiento.json"
MD = DOCS / "rendimiento.md"
TITULOS = {
    "resumen": "Resumen",
    "tendencias": "Tendencias",
    "mapa": "Mapa",
    "percepcion": "Percepción",
    "cobertura": "Cobertura",
    "barrio": "Ficha de barrio",
    "datos": "Datos",
}
# Bajo este tiempo de SQL desnudo la razón función/SQL mide el costo fijo de cualquier llamada
# (cursor, paso a pandas), no la consulta: el objetivo de 2× se evalúa desde aquí.
SQL_SIGNIFICATIVO_MS = 10.0
# Sobre este tamaño la línea base en pandas no se corre: cargar las columnas pediría más memoria
# de la que la máquina (compartida) tiene libre con holgura.
MAXIMO_PANDAS = 10_000_000


def maquina() -> dict:
    def version(paquete: str) -> str:
        try:
            return metadata.version(paquete)
        except metadata.PackageNotFoundError:
            return "—"

    cpu = "—"
    for linea in Path("/proc/cpuinfo").read_text().splitlines():
        if linea.startswith("model name"):
            cpu = linea.split(":", 1)[1].strip()
            break
    memoria = 0
    for linea in Path("/proc/meminfo").read_text().splitlines():
        if linea.startswith("MemTotal"):
            memoria = int(linea.split()[1]) / 2**20
    try:
        import subprocess

        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        chromium = "—"
    return {
        "cpu": cpu,
        "nucleos": os.cpu_count(),
        "ram_gib": round(memoria, 1),
        "sistema": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versiones": {
            p: version(p) for p in ("duckdb", "streamlit", "pandas", "numpy", "pyarrow", "pydeck")
        },
        "chromium": chromium,
    }


def consultas(llamadas_por_funcion: dict, desnudo: dict[str, float]) -> list[dict]:
    """Por función de consultas/: mediana del tiempo de la llamada, de su SQL dentro de la app y
    del mismo SQL desnudo, y la mediana de la razón llamada / SQL desnudo."""
    filas = []
    for funcion, llamadas in llamadas_por_funcion.items():
        total = [ll["ms"] for ll in llamadas]
        en_app = [sum(ms for _, ms in ll["sql"]) for ll in llamadas]
        solo = [sum(desnudo.get(str(ident), 0) for ident, _ in ll["sql"]) for ll in llamadas]
        razones = [t / s for t, s in zip(total, solo, strict=True) if s > 0]
        filas.append(
            {
                "funcion": funcion.removeprefix("consultas."),
                "llamadas": len(llamadas),
                "ms": round(statistics.median(total), 1),
                "sql_app_ms": round(statistics.median(en_app), 1),
                "sql_desnudo_ms": round(statistics.median(solo), 1) if desnudo else None,
                "razon": round(statistics.median(razones), 2) if razones else None,
            }
        )
    return sorted(filas, key=lambda f: -f["ms"])


def medir_tamano(n: int) -> dict:
    inicio = time.perf_counter()
    carga_antes = os.getloadavg()
    comun.base(n)
    print(f"\n== {comun.miles(n)} incidentes ==", file=sys.stderr, flush=True)
    print("Páginas (AppTest)…", file=sys.stderr, flush=True)
    paginas = comun.en_proceso("bench.paginas", str(n))
    directo = {"sql_desnudo_ms": {}, "exportaciones": {}}
    if n < comun.REGIONAL:
        print("SQL desnudo y exportaciones…", file=sys.stderr, flush=True)
        directo = comun.en_proceso("bench.directo", str(n), paginas["sentencias"])
    base_pandas = {}
    if n <= MAXIMO_PANDAS:
        print("Línea base en pandas…", file=sys.stderr, flush=True)
        base_pandas = {p: comun.en_proceso("bench.pandas_base", str(n), p) for p in PAGINAS}
    print("Arranque en Chromium…", file=sys.stderr, flush=True)
    arranque = comun.en_proceso("bench.arranque", str(n))
    resultado = {
        "incidentes": n,
        "fecha": datetime.now().isoformat(timespec="seconds"),
        "carga_sistema": {
            "antes": [round(x, 2) for x in carga_antes],
            "despues": [round(x, 2) for x in os.getloadavg()],
        },
        "paginas": {},
        "mapas": paginas["mapas"],
        "rss_apptest_mb": paginas["rss_maximo_mb"],
        "rss_apptest_inicial_mb": paginas["rss_inicial_mb"],
        "arranque": arranque,
        "exportaciones": directo["exportaciones"],
    }
    for pagina, medida in paginas["paginas"].items():
        resultado["paginas"][pagina] = {
            "primera_carga_ms": medida["primera_carga_ms"],
            "rerun": medida["rerun"],
            "rerun_cpu": medida["rerun_cpu"],
            "pasos": medida["pasos"],
            "vueltas": medida["vueltas"],
            "pandas": base_pandas.get(pagina),
            "consultas": consultas(medida["consultas"], directo["sql_desnudo_ms"]),
        }
    resultado["duracion_s"] = round(time.perf_counter() - inicio, 1)
    return resultado


# --- Objetivos -----------------------------------------------------------------------------------


def rss_servidor(r: dict) -> float:
    return max(r["rss_apptest_mb"], r["arranque"]["rss_servidor_maximo_mb"])


def objetivos(r: dict) -> list[tuple[str, str, bool]]:
    """(objetivo, medido, cumple) para un tamaño (los del issue 12)."""
    n, paginas = r["incidentes"], r["paginas"]
    filas = []
    if n >= comun.REGIONAL:
        peor = max(paginas, key=lambda p: paginas[p]["rerun"]["mediana"])
        ms = paginas[peor]["rerun"]["mediana"]
        cpu = paginas[peor]["rerun_cpu"]["mediana"]
        medido = f"la más lenta, {TITULOS[peor]}: {_ms(ms)} (CPU {_ms(cpu)})"
        return [("Cada página < 1 s (mediana)", medido, ms < 1000)]
    if n == 1_000_000:
        peor = max(paginas, key=lambda p: paginas[p]["rerun"]["mediana"])
        ms = paginas[peor]["rerun"]["mediana"]
        return [
            (
                "Cada página < 250 ms (mediana)",
                f"la más lenta, {TITULOS[peor]}: {_ms(ms)}",
                ms < 250,
            )
        ]
    if n < 10_000_000:
        return []
    for pagina, m in paginas.items():
        rerun = m["rerun"]
        filas.append(
            (
                f"{TITULOS[pagina]}: rerun < 500 ms mediana y < 1 s p95",
                f"{_ms(rerun['mediana'])} · p95 {_ms(rerun['p95'])}",
                rerun["mediana"] < 500 and rerun["p95"] < 1000,
            )
        )
    medidas = [c for m in paginas.values() for c in m["consultas"] if c["razon"] is not None]
    grandes = [c for c in medidas if c["sql_desnudo_ms"] >= SQL_SIGNIFICATIVO_MS]
    peor = max(grandes, key=lambda c: c["razon"], default=None)
    if peor:
        filas.append(
            (
                f"Cada consulta ≤ 2× su SQL desnudo (las de SQL ≥ {SQL_SIGNIFICATIVO_MS:g} ms)",
                f"la peor, {peor['funcion']}: {_x(peor['razon'])} ({_ms(peor['ms'])} contra "
                f"{_ms(peor['sql_desnudo_ms'])})",
                peor["razon"] <= 2,
            )
        )
    veces = {p: m["pandas"]["total_ms"] / m["rerun"]["mediana"] for p, m in paginas.items()}
    peor = min(veces, key=veces.get)
    filas.append(
        (
            "≥ 10× más rápido que pandas por interacción",
            f"el menor, {TITULOS[peor]}: {_x(veces[peor])}",
            veces[peor] >= 10,
        )
    )
    app = rss_servidor(r)
    memoria = {p: m["pandas"]["rss_maximo_mb"] / app for p, m in paginas.items() if p != "datos"}
    peor = min(memoria, key=memoria.get)
    filas.append(
        (
            "≥ 4× menos memoria que pandas (sin Datos, que solo lee dos columnas)",
            f"el menor, {TITULOS[peor]}: {_x(memoria[peor])} "
            f"({_mb(paginas[peor]['pandas']['rss_maximo_mb'])} contra {_mb(app)})",
            memoria[peor] >= 4,
        )
    )
    mayor = max(r["mapas"], key=lambda c: r["mapas"][c]["pagina"])
    bytes_ = r["mapas"][mayor]["pagina"]
    filas.append(
        (
            "Mapas enviados < 5 MB",
            f"el mayor, {mayor}: {_mb(bytes_ / 2**20, 2)}",
            bytes_ < 5 * 2**20,
        )
    )
    frio = r["arranque"]["arranque_en_frio_ms"]
    minima = r["arranque"].get("base_minima_ms")  # las corridas anteriores no la medían
    solo = f" (Streamlit solo: {_s(minima)})" if minima else ""
    filas.append(("Arranque en frío < 3 s", _s(frio) + solo, frio < 3000))
    filas.append(("Memoria máxima del servidor < 1 GB", _mb(app), app < 1024))
    return filas


# --- El informe ----------------------------------------------------------------------------------


def _ms(ms: float) -> str:
    return f"{comun.miles(ms)} ms"


def _s(ms: float) -> str:
    return f"{comun.miles(ms / 1000, 2)} s"


def _mb(mb: float, decimales: int = 0) -> str:
    return f"{comun.miles(mb, decimales)} MB"


def _x(veces: float) -> str:
    return f"{comun.miles(veces, 1)}×"


def _tabla(encabezados: list[str], filas: list[list]) -> list[str]:
    lineas = ["| " + " | ".join(encabezados) + " |", "|" + "---|" * len(encabezados)]
    lineas += ["| " + " | ".join(str(c) for c in fila) + " |" for fila in filas]
    return lineas + [""]


def seccion(r: dict) -> list[str]:
    n = r["incidentes"]
    carga = ", ".join(comun.miles(x, 2) for x in r["carga_sistema"]["antes"])
    lineas = [
        f"## {comun.miles(n)} incidentes",
        "",
        f"Terminado el {r['fecha'].replace('T', ' a las ')}; carga del sistema al empezar (uptime, "
        f"1, 5 y 15 min): {carga}; duración {comun.miles(r['duracion_s'])} s."
        + (f" {r['nota']}." if r.get("nota") else ""),
        "",
        "### Páginas",
        "",
    ]
    app = rss_servidor(r)
    filas = []
    for pagina, m in r["paginas"].items():
        rerun, pd_ = m["rerun"], m["pandas"]
        filas.append(
            [
                TITULOS[pagina],
                _ms(m["primera_carga_ms"]),
                f"**{_ms(rerun['mediana'])}**",
                _ms(rerun["p95"]),
                _ms(m["rerun_cpu"]["mediana"]),
                rerun["n"],
                *(
                    [
                        f"{_ms(pd_['total_ms'])} ({_ms(pd_['agregacion_ms'])})",
                        _x(pd_["total_ms"] / rerun["mediana"]),
                        _mb(pd_["rss_maximo_mb"]),
                        _x(pd_["rss_maximo_mb"] / app),
                    ]
                    if pd_
                    else ["no se mide"] * 4
                ),
            ]
        )
    lineas += _tabla(
        [
            "Página",
            "Primera carga",
            "Rerun: mediana",
            "p95",
            "CPU (mediana)",
            "reruns",
            "pandas: carga + agregación (agregación sola)",
            "Veces más rápido",
            "Memoria pandas",
            "Veces menos memoria",
        ],
        filas,
    )
    lineas += [
        f"Memoria máxima del servidor: {_mb(r['arranque']['rss_servidor_maximo_mb'])} tras "
        f"abrir cada página en Chromium; {_mb(r['rss_apptest_mb'])} en el proceso de AppTest tras "
        "todas las ejecuciones (la comparación con pandas usa la mayor). Arranque en frío "
        f"(desde lanzar el servidor hasta ver el Resumen en Chromium): "
        f"**{_s(r['arranque']['arranque_en_frio_ms'])}** (servidor listo en "
        f"{_s(r['arranque']['servidor_listo_ms'])})"
        + (
            "; la base mínima (Streamlit solo, con los mismos tipos de elementos y sin datos, "
            "bench/app_minima.py), arrancada igual en la misma corrida: "
            f"{_s(r['arranque']['base_minima_ms'])}."
            if "base_minima_ms" in r["arranque"]
            else "."
        ),
        "",
        "Primera visita a cada página en Chromium (servidor recién arrancado, sin caché): "
        + ", ".join(f"{p} {_s(ms)}" for p, ms in r["arranque"]["primera_visita_ms"].items())
        + ".",
        "",
        "### Consultas: cada llamada junto al SQL que ejecuta",
        "",
    ]
    filas = []
    for pagina, m in r["paginas"].items():
        for c in m["consultas"]:
            filas.append(
                [
                    TITULOS[pagina],
                    f"`{c['funcion']}`",
                    c["llamadas"],
                    _ms(c["ms"]),
                    _ms(c["sql_app_ms"]),
                    _ms(c["sql_desnudo_ms"]) if c["sql_desnudo_ms"] is not None else "—",
                    _x(c["razon"]) if c["razon"] is not None else "—",
                ]
            )
    lineas += _tabla(
        ["Página", "Función", "Llamadas", "Llamada", "SQL en la app", "SQL desnudo", "Razón"], filas
    )
    if r["exportaciones"]:
        lineas += ["### Exportaciones (`observatorio exportar`, filtros por defecto)", ""]
        filas = [
            [
                f"`{tabla}`",
                comun.miles(e["filas"]),
                _ms(e["en_proceso"]["mediana"]),
                _s(e["orden_completa_ms"]),
            ]
            for tabla, e in r["exportaciones"].items()
        ]
        lineas += _tabla(["Tabla", "Filas", "En proceso (mediana)", "Orden completa"], filas)
    else:
        lineas += [
            "En la corrida regional no se mide el SQL desnudo ni las exportaciones (la corrida "
            "sería varias veces más larga): solo páginas, consultas, mapas, memoria y arranque.",
            "",
        ]
    lineas += ["### Mapas enviados al navegador (JSON de pydeck, período por defecto)", ""]
    filas = [
        [capa, _mb(m["principal"] / 2**20, 2), _mb(m["pagina"] / 2**20, 2)]
        for capa, m in r["mapas"].items()
    ]
    lineas += _tabla(["Capa y resolución", "Mapa principal", "Página (con la evolución)"], filas)
    return lineas


def escribir_md(resultados: dict) -> None:
    tamanos = sorted(resultados["tamanos"].values(), key=lambda r: r["incidentes"])
    m = resultados["maquina"]
    versiones = ", ".join(f"{p} {v}" for p, v in m["versiones"].items())
    lineas = [
        "# Rendimiento",
        "",
        "Escrito por `make bench` (y `make bench-regional` para 50.000.000): no se edita a mano. "
        "Los datos completos están en `rendimiento.json`.",
        "",
        "## Máquina",
        "",
        f"- CPU: {m['cpu']}, {m['nucleos']} núcleos; RAM: {comun.miles(m['ram_gib'], 1)} GiB; "
        f"{m['sistema']}.",
        f"- Python {m['python']}; {versiones}; {m['chromium']}.",
        "- Máquina compartida: otras personas corren pruebas a la vez, así que los tiempos tienen "
        "ruido; cada tamaño anota la carga del sistema (uptime) al empezar.",
        "",
        "## Cómo se mide",
        "",
        "- **Rerun**: la página completa en `streamlit.testing.v1.AppTest`, en un proceso tibio, "
        "tras cada cambio de filtro o de opción de un ciclo que vuelve al estado inicial (3 "
        "vueltas; 1 en la corrida regional), con la caché de Streamlit vaciada antes de cada "
        "ejecución (`st.cache_data.clear()`): cada consulta corre de verdad. Mediana y p95 "
        "de todas. El catálogo (nombres, fechas, olas) y las geometrías no dependen de los "
        "filtros: la app los lee una vez por archivo de datos y versión fijada "
        "(`ui.conexion.referencia`), y eso no se vacía. La Ficha y Cobertura adelantan sus "
        "consultas (`ui.conexion.adelantar`): corren a la vez, hasta 3, mientras la página dibuja. "
        "Como el servidor, que compila app.py y cada página una vez, el bench guarda una sola "
        "caché de scripts (AppTest crea una por ejecución y recompila, ~5 ms).",
        "- **Primera carga**: la primera ejecución de la página en ese proceso.",
        "- **CPU**: tiempo de CPU del proceso durante el rerun (todos sus hilos, también los de "
        "DuckDB). En la máquina compartida el reloj se estira cuando otros la usan; la CPU mide "
        "el trabajo de la página.",
        "- **Consultas**: en una vuelta más, con las consultas en orden (sin adelantar: cada "
        "una sola, sin las otras en los mismos núcleos), cada llamada a `ui.conexion.consultar` "
        "con el SQL que ejecutó "
        "(`consultas.sql.observadores`); el **SQL desnudo** es la misma sentencia con los mismos "
        "parámetros en una conexión DuckDB directa, resultado en Arrow, en otro proceso. La razón "
        f"es llamada / SQL desnudo (mediana); el objetivo de 2× se evalúa en las de SQL ≥ "
        f"{SQL_SIGNIFICATIVO_MS:g} ms: bajo eso la diferencia es el costo fijo de una llamada "
        "(cursor, paso a pandas, 1 a 3 ms).",
        "- **pandas**: en un proceso propio por página, leer las columnas de `incidentes` que la "
        "página necesita en un DataFrame y hacer con groupby los mismos conteos (filtros por "
        "defecto); tiempo de carga + agregación y memoria máxima del proceso. Es lo que costaría "
        "cada interacción de un tablero que agrega en pandas sin guardar los datos en memoria; "
        "entre paréntesis, solo la agregación.",
        "- **Memoria**: máxima residente (VmHWM) del servidor tras abrir cada "
        "página en Chromium, y la del proceso de AppTest; se compara la mayor.",
        "- **Arranque en frío**: desde lanzar `python servir.py` (lo que usa `make run`) hasta "
        "ver el Resumen terminado en Chromium sin pantalla (ya abierto); al lado, en la misma "
        "corrida y arrancada igual, la **base mínima**: Streamlit solo con los mismos tipos de "
        "elementos (título, métricas, tabla, gráfico plotly, mapa pydeck) y sin datos "
        "(`bench/app_minima.py`, con `streamlit run`). Lo que las separa es lo que agrega el "
        "tablero.",
        "- **Mapas**: bytes del JSON de pydeck que la página Mapa envía, por capa y resolución.",
        "- **Exportaciones**: `observatorio exportar <tabla>` con los filtros por defecto, en el "
        "mismo proceso (mediana de 3) y como orden completa en un proceso nuevo.",
        "",
        "## Objetivos",
        "",
    ]
    filas = []
    for r in tamanos:
        for objetivo, medido, cumple in objetivos(r):
            filas.append([comun.miles(r["incidentes"]), objetivo, medido, "✓" if cumple else "✗"])
    lineas += _tabla(["Incidentes", "Objetivo", "Medido", ""], filas)
    for r in tamanos:
        lineas += seccion(r)
    MD.write_text("\n".join(lineas).rstrip() + "\n", "utf-8")


def main() -> None:
    resultados = json.loads(JSON.read_text("utf-8")) if JSON.exists() else {"tamanos": {}}
    resultados["maquina"] = maquina()
    for n in comun.tamanos():
        resultados["tamanos"][str(n)] = medir_tamano(n)
        comun.escribir(JSON, resultados)
        escribir_md(resultados)
        print(f"Escrito {MD.relative_to(comun.RAIZ)}", file=sys.stderr)


if __name__ == "__main__":
    main()
