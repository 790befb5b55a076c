"""Cada página completa en AppTest, en un proceso tibio, tras cada cambio de filtro.

Antes de cada ejecución se vacía la caché de Streamlit (st.cache_data.clear()): así cada consulta
corre de verdad y el tiempo es el de una vista nueva. Cada llamada a `ui.conexion.consultar` se
cronometra junto al SQL que ejecuta (consultas.sql.observadores); las sentencias se guardan para
que bench/directo.py las vuelva a correr solas sobre DuckDB. Al final: la memoria máxima del
proceso y el tamaño de los mapas del Mapa por capa.

Uso: python -m bench.paginas N salida.json (lo llama bench/informe.py).
"""

import os
import pickle
import sys
import threading
import time
from pathlib import Path

from bench import comun

# Vueltas por ciclo de cambios; BENCH_VUELTAS=1 acorta la corrida regional (50.000.000).
VUELTAS = int(os.environ.get("BENCH_VUELTAS", "3"))
# BENCH_PAGINAS=cobertura,barrio mide solo esas páginas (para trabajar en una); por defecto, todas.
ELEGIDAS = os.environ.get("BENCH_PAGINAS", "")

# Por página: parámetros de la URL y un ciclo de cambios que vuelve al estado inicial (así las
# vueltas repiten lo mismo). Cada cambio es lo que una persona hace en un widget.
PAGINAS = {
    "resumen": (
        {},
        [
            ("período año a la fecha", "selectbox", "f_periodo", "aad"),
            ("más sector Fleming", "select", "f_sectores", "fleming"),
            ("familia robos violentos", "select", "f_familias", "robos_violentos"),
            ("sin familia", "unselect", "f_familias", "robos_violentos"),
            ("sin sector", "unselect", "f_sectores", "fleming"),
            ("período 28 días", "selectbox", "f_periodo", "28d"),
        ],
    ),
    "tendencias": (
        {},
        [
            ("período año a la fecha", "selectbox", "f_periodo", "aad"),
            ("más sector Fleming", "select", "f_sectores", "fleming"),
            ("escala mes", "radio", "t_escala", "mes"),
            ("series por familia", "radio", "t_desglose", "familia"),
            ("sin sector", "unselect", "f_sectores", "fleming"),
            ("comparar por sector", "radio", "t_por", "sector"),
            ("período 28 días", "selectbox", "f_periodo", "28d"),
            ("escala semana", "radio", "t_escala", "semana"),
            ("series total", "radio", "t_desglose", "total"),
            ("comparar por barrio", "radio", "t_por", "barrio"),
        ],
    ),
    "mapa": (
        {},
        [
            ("período año a la fecha", "selectbox", "f_periodo", "aad"),
            ("más sector Fleming", "select", "f_sectores", "fleming"),
            ("capa puntos calientes", "radio", "m_capa", "calientes"),
            ("resolución 10", "selectbox", "m_resolucion", 10),
            ("sin sector", "unselect", "f_sectores", "fleming"),
            ("capa celdas", "radio", "m_capa", "celdas"),
            ("resolución 9", "selectbox", "m_resolucion", 9),
            ("período 28 días", "selectbox", "f_periodo", "28d"),
        ],
    ),
    "percepcion": (
        {},
        [
            ("más sector Fleming", "select", "f_sectores", "fleming"),
            ("indicador denunció", "selectbox", "p_indicador", "denuncio"),
            ("dos olas", "olas", "f_olas", 2),
            ("una ola", "olas", "f_olas", 0),
            ("indicador inseguridad", "selectbox", "p_indicador", "inseguro_barrio"),
            ("sin sector", "unselect", "f_sectores", "fleming"),
        ],
    ),
    "cobertura": (
        {},
        [
            ("período año a la fecha", "selectbox", "f_periodo", "aad"),
            ("más sector Fleming", "select", "f_sectores", "fleming"),
            ("peso de la tasa 2", "selectbox", "c_peso_tasa", 2),
            ("ventana de 12 meses", "selectbox", "c_ventana", 12),
            ("con franja", "toggle", "c_franja", True),
            ("sin franja", "toggle", "c_franja", False),
            ("ventana de 6 meses", "selectbox", "c_ventana", 6),
            ("peso de la tasa 1", "selectbox", "c_peso_tasa", 1),
            ("sin sector", "unselect", "f_sectores", "fleming"),
            ("período 28 días", "selectbox", "f_periodo", "28d"),
        ],
    ),
    "barrio": (
        {"barrio": "el-golf"},
        [
            ("período año a la fecha", "selectbox", "f_periodo", "aad"),
            ("barrio Fleming", "selectbox", "b_barrio", "fleming"),
            ("ventana de 12 meses", "selectbox", "b_ventana", 12),
            ("fuente central 1402", "selectbox", "f_fuente", "central_1402"),
            ("fuente policial", "selectbox", "f_fuente", "policial"),
            ("ventana de 6 meses", "selectbox", "b_ventana", 6),
            ("barrio El Golf", "selectbox", "b_barrio", "el-golf"),
            ("período 28 días", "selectbox", "f_periodo", "28d"),
        ],
    ),
    "datos": (
        {},
        [
            ("archivo de encuestas", "selectbox", "datos_tipo", "encuestas"),
            ("archivo de incidentes", "selectbox", "datos_tipo", "incidentes"),
        ],
    ),
}
APP = str(comun.RAIZ / "app.py")


def cambiar(at, widget: str, clave: str, valor) -> None:
    if widget == "select":
        at.multiselect(key=clave).select(valor)
    elif widget == "unselect":
        at.multiselect(key=clave).unselect(valor)
    elif widget == "olas":
        control = at.multiselect(key=clave)
        control.set_value(list(control.options[:valor]))
    else:
        getattr(at, widget)(key=clave).set_value(valor)


class Registro:
    """Cada llamada a `consultar` con su tiempo y las sentencias SQL que ejecutó."""

    def __init__(self):
        self.llamadas: list[dict] = []
        self._hilo = threading.local()  # la llamada abierta de cada hilo (también los de adelantar)

    def envolver(self, consultar):
        def consultar_medido(funcion, *argumentos):
            previa = getattr(self._hilo, "abierta", None)
            sentencias = self._hilo.abierta = []
            inicio = time.perf_counter()
            try:
                return consultar(funcion, *argumentos)
            finally:
                self._hilo.abierta = previa
                self.llamadas.append(
                    {
                        "funcion": f"{funcion.__module__}.{funcion.__qualname__}",
                        "ms": 1000 * (time.perf_counter() - inicio),
                        "sql": sentencias,
                    }
                )

        return consultar_medido

    def observar(self, nombre: str, texto: str, valores: dict, segundos: float) -> None:
        abierta = getattr(self._hilo, "abierta", None)
        if abierta is not None:
            abierta.append((nombre, texto, valores, 1000 * segundos))


def ejecutar(at, registro: Registro) -> tuple[float, float, list[dict]]:
    """Una ejecución completa con la caché vacía: (ms de reloj, ms de CPU del proceso, llamadas
    a consultar). La CPU suma todos los hilos (también los de DuckDB): en una máquina cargada el
    reloj se estira, la CPU mide el trabajo."""
    import streamlit as st

    st.cache_data.clear()
    registro.llamadas.clear()
    inicio, cpu = time.perf_counter(), time.process_time()
    at.run()
    ms = 1000 * (time.perf_counter() - inicio)
    if at.exception:
        raise RuntimeError(f"La página falló: {at.exception}")
    return ms, 1000 * (time.process_time() - cpu), list(registro.llamadas)


def medir_pagina(pagina: str, registro: Registro, sentencias: dict) -> dict:
    from streamlit.testing.v1 import AppTest

    from ui import conexion

    params, pasos = PAGINAS[pagina]
    at = AppTest.from_file(APP, default_timeout=600)
    for clave, valor in params.items():
        at.query_params[clave] = valor
    at.switch_page(f"paginas/{pagina}.py")
    primera, _, _ = ejecutar(at, registro)
    tiempos, cpu, consultas = [], [], {}
    # Las vueltas miden la página como la ve una persona (con las consultas adelantadas a la vez);
    # una vuelta más, con cada consulta en orden, mide cada una sola junto a su SQL.
    for vuelta in range(VUELTAS + 1):
        conexion.PARALELO = vuelta < VUELTAS
        for _nombre, widget, clave, valor in pasos:
            cambiar(at, widget, clave, valor)
            ms, ms_cpu, llamadas = ejecutar(at, registro)
            if conexion.PARALELO:
                tiempos.append(ms)
                cpu.append(ms_cpu)
                continue
            for llamada in llamadas:
                if not llamada["sql"]:
                    continue  # repetida en la misma ejecución: la sirvió la caché
                claves = []
                for nombre, texto, valores, sql_ms in llamada["sql"]:
                    clave_sql = (texto, repr(sorted(valores.items())))
                    if clave_sql not in sentencias:
                        sentencias[clave_sql] = (len(sentencias), nombre, texto, valores)
                    claves.append((sentencias[clave_sql][0], round(sql_ms, 2)))
                consultas.setdefault(llamada["funcion"], []).append(
                    {"ms": round(llamada["ms"], 2), "sql": claves}
                )
    conexion.PARALELO = True
    return {
        "primera_carga_ms": round(primera, 1),
        "rerun": comun.resumen(tiempos),
        "rerun_cpu": comun.resumen(cpu),
        "pasos": [p[0] for p in pasos],
        "vueltas": VUELTAS,
        "consultas": consultas,
    }


def carga_mapas(registro: Registro) -> dict:
    """Bytes del JSON de pydeck que el Mapa envía al navegador, por capa y resolución (período
    por defecto, toda la comuna): el mapa principal y la página completa (con el de evolución)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    at.switch_page("paginas/mapa.py")
    ejecutar(at, registro)
    cargas = {}
    for resolucion in (9, 10):
        at.selectbox(key="m_resolucion").set_value(resolucion)
        for capa in ("celdas", "calor", "tasa", "calientes", "puntos"):
            at.radio(key="m_capa").set_value(capa)
            ejecutar(at, registro)
            mapas = [len(m.proto.json) for m in at.get("deck_gl_json_chart")]
            cargas[f"{capa} r{resolucion}"] = {"principal": mapas[0], "pagina": sum(mapas)}
    return cargas


def una_cache_de_scripts() -> None:
    """El servidor compila app.py y cada página una vez (su Runtime guarda una ScriptCache);
    AppTest crea una nueva en cada run() y los recompila (~5 ms por ejecución). El bench usa una
    sola, como el servidor."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    una = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: una


def main() -> None:
    n, salida = int(sys.argv[1]), Path(sys.argv[2])
    una_cache_de_scripts()
    ruta = comun.base(n)
    os.environ["OBSERVATORIO_DB"] = str(ruta)
    from consultas import sql
    from ui import conexion

    registro = Registro()
    conexion.consultar = registro.envolver(conexion.consultar)
    sql.observadores.append(registro.observar)
    rss_inicial = comun.rss_maximo_mb()
    sentencias: dict = {}
    paginas = {}
    for pagina in ELEGIDAS.split(",") if ELEGIDAS else PAGINAS:
        print(f"  página {pagina}…", file=sys.stderr, flush=True)
        paginas[pagina] = medir_pagina(pagina, registro, sentencias)
    rss_paginas = comun.rss_maximo_mb()
    cargas = carga_mapas(registro) if "mapa" in paginas else {}
    archivo_sentencias = salida.with_suffix(".sentencias.pickle")
    archivo_sentencias.write_bytes(pickle.dumps(sorted(sentencias.values())))
    comun.escribir(
        salida,
        {
            "incidentes": n,
            "base": str(ruta),
            "paginas": paginas,
            "mapas": cargas,
            "rss_inicial_mb": rss_inicial,
            "rss_maximo_mb": rss_paginas,
            "rss_con_mapas_mb": comun.rss_maximo_mb(),
            "sentencias": str(archivo_sentencias),
        },
    )


if __name__ == "__main__":
    main()
