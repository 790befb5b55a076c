"""Prueba de carga del tablero: usuarios simulados contra un `streamlit run` real, en loopback.

Cada usuario habla con el servidor como lo hace el navegador: mensajes BackMsg y ForwardMsg de
Streamlit (protobuf) por el websocket `/_stcore/stream`, sin Chromium (en 2 núcleos, veinte
navegadores reales medirían sobre todo a Chromium). Un usuario abre una página con filtros en la
URL (una sesión nueva, como al seguir un enlace), cambia filtros de la barra lateral y pasa a
otra página, con una pausa entre acciones, y recorre todas las páginas.

- Tiempo de una acción: desde el pedido hasta que el servidor termina de ejecutar la página
  (`script_finished`); al abrir incluye pedir la página por HTTP y conectar el websocket.
- Error: una excepción o un `st.error` en lo que envía la página, una página no encontrada, la
  sesión que se corta o una acción que no termina en `LIMITE` segundos.
- Control: la primera y la última acción de cada usuario abren el Resumen con un filtro fijo y
  anotan «Casos en el período»; todas las sesiones deben ver el mismo número.

    python -m bench.carga --usuarios 20 --segundos 60 [--procesos 2] [--url URL] [--db RUTA]

Sin `--url` levanta el tablero (servir.py) sobre la base (`--db`, por defecto la demostración);
con `--procesos N` (N > 1), N procesos detrás de nginx con despliegue/nginx.conf, e informa
cuántas sesiones atendió cada proceso.
"""

import argparse
import asyncio
import hashlib
import http.cookiejar
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import numpy as np
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.MultiSelect_pb2 import MultiSelect
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.comun import esperar_salud, lanzar, puerto_libre
from consultas.catalogos import catalogo
from consultas.filtros import a_url, desde_url
from consultas.periodos import PRESETS

RAIZ = Path(__file__).parents[1]
LIMITE = 60.0  # segundos para que una acción termine antes de contarla como error
RESULTADOS = Path(__file__).parent / "resultados"
METRICA_CONTROL = "Casos en el período"
FILTROS = ("f_periodo", "f_fuente", "f_olas", "f_sectores", "f_barrios", "f_familias", "f_delitos")
ABRIR, NAVEGAR, FILTRAR = "abrir", "navegar", "filtrar"
_TERMINADA = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
_FALLAS = (ConnectionClosed, InvalidHandshake, OSError, TimeoutError)


# ---------------------------------------------------------------- una sesión, como un navegador


@dataclass
class Corrida:
    """Lo que el servidor envió en una ejecución de la página."""

    segundos: float = 0.0
    errores: list[str] = field(default_factory=list)
    metricas: dict[str, str] = field(default_factory=dict)
    widgets: dict = field(default_factory=dict)  # clave del widget -> su elemento (proto)
    mapas: list[str] = field(default_factory=list)  # el JSON de cada mapa pydeck
    huella: str = ""  # resumen de todos los elementos, para comparar sesiones


class _Lectura:
    """Acumula los mensajes de una ejecución hasta `script_finished`."""

    def __init__(self):
        self.corrida = Corrida()
        self.terminada = False
        self._huella = hashlib.sha256()

    def anotar(self, mensaje: ForwardMsg, sesion: "Sesion") -> None:
        tipo = mensaje.WhichOneof("type")
        if tipo == "delta" and mensaje.delta.WhichOneof("type") == "new_element":
            self._elemento(mensaje.delta.new_element)
        elif tipo == "navigation":
            sesion.paginas = {p.url_pathname: p for p in mensaje.navigation.app_pages}
            sesion.pagina = mensaje.navigation.page_script_hash
        elif tipo == "page_info_changed":
            sesion.consulta = mensaje.page_info_changed.query_string
        elif tipo == "page_not_found":
            self.corrida.errores.append(f"página no encontrada «{mensaje.page_not_found}»")
        elif tipo == "session_event" and mensaje.session_event.HasField(
            "script_compilation_exception"
        ):
            self.corrida.errores.append("la página no compila")
        elif tipo == "script_finished" and mensaje.script_finished in _TERMINADA:
            if mensaje.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.corrida.errores.append("la página no compila")
            self.terminada = True
            self.corrida.huella = self._huella.hexdigest()[:16]

    def _elemento(self, elemento) -> None:
        tipo = elemento.WhichOneof("type")
        contenido = getattr(elemento, tipo)
        self._huella.update(_sin_azar(elemento).SerializeToString(deterministic=True))
        if tipo == "exception":
            self.corrida.errores.append(f"{contenido.type}: {contenido.message}"[:300])
        elif tipo == "alert" and contenido.format == Alert.ERROR:
            self.corrida.errores.append(f"st.error: {contenido.body}"[:300])
        elif tipo == "metric":
            self.corrida.metricas[contenido.label] = contenido.body
        elif tipo == "deck_gl_json_chart":
            self.corrida.mapas.append(contenido.json)
        elif tipo in ("selectbox", "multiselect"):
            clave = contenido.id.rsplit("-", 1)[-1]
            if clave in FILTROS:
                self.corrida.widgets[clave] = contenido


def _sin_azar(elemento):
    """El elemento sin lo que cambia de una sesión a otra con los mismos datos: el identificador
    al azar de una descarga que se genera al hacer clic y los de las capas de un mapa pydeck."""
    tipo = elemento.WhichOneof("type")
    if tipo not in ("download_button", "deck_gl_json_chart"):
        return elemento
    copia = type(elemento)()
    copia.CopyFrom(elemento)
    if tipo == "download_button":
        copia.download_button.ClearField("deferred_file_id")
    else:
        copia.deck_gl_json_chart.json = _UUID.sub("capa", copia.deck_gl_json_chart.json)
        copia.deck_gl_json_chart.ClearField("id")
    return copia


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Sesion:
    """Una pestaña del navegador: una sesión de Streamlit por un websocket."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.galletas = http.cookiejar.CookieJar()  # el proxy fija aquí el proceso de la sesión
        self.ws = None
        self.consulta = ""
        self.paginas: dict = {}  # ruta de la página ("" es la por defecto) -> AppPage
        self.pagina = ""  # hash de la página vigente
        self.widgets: dict = {}  # clave -> elemento de los filtros a la vista
        self.valores: dict = {}  # clave -> opción u opciones elegidas, como las ve el navegador

    @property
    def abierta(self) -> bool:
        return self.ws is not None

    async def abrir(self, ruta: str, consulta: str) -> Corrida:
        """Como escribir la dirección en el navegador: la página por HTTP, el websocket y la
        primera ejecución con la ruta y los parámetros de la URL."""
        inicio = time.perf_counter()
        await asyncio.to_thread(self._pedir, f"/{ruta}" + (f"?{consulta}" if consulta else ""))
        cabeceras = {}
        if galletas := "; ".join(f"{g.name}={g.value}" for g in self.galletas):
            cabeceras["Cookie"] = galletas
        self.ws = await connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=cabeceras,
            max_size=None,
            open_timeout=LIMITE,
        )
        self.consulta = consulta
        return await self._correr(ClientState(query_string=consulta, page_name=ruta), inicio)

    async def navegar(self, ruta: str) -> Corrida:
        """Un clic en la navegación lateral: el navegador envía la página nueva, sin la URL, y
        el valor de los filtros que tenía a la vista."""
        return await self._correr(ClientState(page_script_hash=self.paginas[ruta].page_script_hash))

    async def elegir(self, clave: str, valor: str | list[str]) -> Corrida:
        """Cambia un filtro de la barra lateral (valor: la opción tal como se ve)."""
        self.valores[clave] = valor
        return await self.repetir()

    async def repetir(self) -> Corrida:
        """Vuelve a ejecutar la página con los filtros a la vista (la tecla R del navegador)."""
        return await self._correr(
            ClientState(query_string=self.consulta, page_script_hash=self.pagina)
        )

    async def cerrar(self) -> None:
        if self.ws is not None:
            with suppress(*_FALLAS):
                await self.ws.close()
        self.ws = None

    def _pedir(self, camino: str) -> None:
        abridor = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.galletas))
        with abridor.open(self.url + camino, timeout=LIMITE) as respuesta:
            respuesta.read()

    async def _correr(self, estado: ClientState, inicio: float | None = None) -> Corrida:
        inicio = inicio or time.perf_counter()
        for clave, valor in self.valores.items():
            estado.widget_states.widgets.append(_estado(self.widgets[clave], valor))
        lectura = _Lectura()
        try:
            async with asyncio.timeout(LIMITE):
                await self.ws.send(BackMsg(rerun_script=estado).SerializeToString())
                while not lectura.terminada:
                    lectura.anotar(ForwardMsg.FromString(await self.ws.recv()), self)
        except _FALLAS:
            await self.cerrar()
            raise
        lectura.corrida.segundos = time.perf_counter() - inicio
        # Como el navegador: un filtro que sigue a la vista conserva lo elegido, salvo que el
        # servidor le fije un valor; uno nuevo parte del valor que trae.
        vistos = {self.widgets[c].id: v for c, v in self.valores.items()}
        self.widgets = lectura.corrida.widgets
        self.valores = {
            clave: _valor(w) if w.set_value or w.id not in vistos else vistos[w.id]
            for clave, w in self.widgets.items()
        }
        return lectura.corrida


def _valor(widget) -> str | list[str]:
    """El valor con que llega un filtro desde el servidor."""
    if isinstance(widget, MultiSelect):
        if widget.set_value:
            return list(widget.raw_values)
        return [widget.options[i] for i in widget.default]
    if widget.set_value or not widget.options:
        return widget.raw_value
    return widget.options[widget.default]


def _estado(widget, valor: str | list[str]) -> WidgetState:
    estado = WidgetState(id=widget.id)
    if isinstance(widget, MultiSelect):
        estado.string_array_value.data.extend(valor)
    else:
        estado.string_value = valor
    return estado


# ---------------------------------------------------------------- los usuarios simulados


@dataclass
class Plan:
    url: str
    usuarios: int
    segundos: float
    cat: object  # el catálogo de la base, para armar URLs válidas
    vueltas: int = 0  # vueltas mínimas por todas las páginas, aunque pase el tiempo
    pausa: float = 1.0  # segundos entre acciones de un usuario, en promedio
    abrir: float = 0.3  # probabilidad de abrir una página en una sesión nueva (si no, navegar)
    semilla: int = 2026

    @property
    def control(self) -> str:
        """El filtro fijo de las acciones de control: año a la fecha en el primer sector."""
        return urlencode({"periodo": "aad", "sector": self.cat.sectores["sector_id"].iloc[0]})


@dataclass
class Registro:
    tiempos: dict = field(default_factory=lambda: defaultdict(list))
    errores: dict = field(default_factory=lambda: defaultdict(list))
    iniciadas: Counter = field(default_factory=Counter)
    completadas: Counter = field(default_factory=Counter)
    control: list = field(default_factory=list)  # «Casos en el período» de cada control
    paginas: dict = field(default_factory=dict)  # ruta -> nombre visible

    async def medir(self, etiqueta: str, accion) -> Corrida | None:
        self.iniciadas[etiqueta] += 1
        try:
            corrida = await accion
        except _FALLAS as error:
            motivo = "sin respuesta" if isinstance(error, TimeoutError) else "la sesión se cortó"
            self.errores[etiqueta].append(f"{motivo} ({type(error).__name__}: {error})"[:300])
            return None
        self.completadas[etiqueta] += 1
        self.tiempos[etiqueta].append(corrida.segundos)
        self.errores[etiqueta].extend(corrida.errores)
        return corrida


def consulta_al_azar(cat, ruta: str, rng: random.Random) -> str:
    """Parámetros de URL plausibles para abrir `ruta`: período, territorio, delitos, fuente."""
    params: dict[str, list[str]] = {
        "periodo": [rng.choice([p for p in PRESETS if p != "personalizado"])]
    }
    sectores = list(cat.sectores["sector_id"])
    params["sector"] = rng.sample(sectores, rng.choice([0, 0, 1, 2]))
    params["familia"] = rng.sample(list(cat.familias["familia"]), rng.choice([0, 0, 1]))
    params["fuente"] = [rng.choice(["policial", "policial", *cat.fuentes["fuente"]])]
    if cat.olas:
        params["ola"] = rng.sample(list(cat.olas), rng.choice([0, 1, min(2, len(cat.olas))]))
    if ruta == "barrio":  # la Ficha pide un barrio
        params["barrio"] = [rng.choice(list(cat.barrios["barrio_id"]))]
    filtros, _ = desde_url(params, cat)
    return urlencode(a_url(filtros), doseq=True)


def valor_al_azar(widget, rng: random.Random) -> str | list[str]:
    opciones = list(widget.options)
    if isinstance(widget, MultiSelect):
        tope = min(widget.max_selections or 2, 2, len(opciones))
        return rng.sample(opciones, rng.randint(0, tope))
    return rng.choice(opciones)


async def _control(sesion: Sesion, plan: Plan, registro: Registro) -> Sesion:
    await sesion.cerrar()
    sesion = Sesion(plan.url)
    corrida = await registro.medir(f"{ABRIR} ", sesion.abrir("", plan.control))
    if corrida is not None:
        registro.control.append(corrida.metricas.get(METRICA_CONTROL))
        registro.paginas.update({r: p.page_name for r, p in sesion.paginas.items()})
    return sesion


async def _usuario(n: int, plan: Plan, registro: Registro, fin: float) -> None:
    rng = random.Random(plan.semilla * 1000 + n)
    await asyncio.sleep(rng.uniform(0, plan.pausa))  # que no lleguen todos en el mismo instante
    sesion = await _control(Sesion(plan.url), plan, registro)
    rutas = list(registro.paginas)  # en el orden de la navegación
    rutas = rutas[n % len(rutas) :] + rutas[: n % len(rutas)] if rutas else []
    vuelta = 0
    while rutas and (vuelta < plan.vueltas or time.monotonic() < fin):
        for ruta in rutas:
            if vuelta >= plan.vueltas and time.monotonic() >= fin:
                break
            await asyncio.sleep(rng.uniform(0.5, 1.5) * plan.pausa)
            if not sesion.abierta or rng.random() < plan.abrir:
                await sesion.cerrar()
                sesion = Sesion(plan.url)
                consulta = consulta_al_azar(plan.cat, ruta, rng)
                await registro.medir(f"{ABRIR} {ruta}", sesion.abrir(ruta, consulta))
            else:
                await registro.medir(f"{NAVEGAR} {ruta}", sesion.navegar(ruta))
            for _ in range(rng.choice([0, 1, 1, 2])):
                if not sesion.abierta or not sesion.widgets:
                    break
                await asyncio.sleep(rng.uniform(0.5, 1.5) * plan.pausa)
                clave = rng.choice(sorted(sesion.widgets))
                valor = valor_al_azar(sesion.widgets[clave], rng)
                await registro.medir(f"{FILTRAR} {ruta}", sesion.elegir(clave, valor))
        vuelta += 1
    sesion = await _control(sesion, plan, registro)
    await sesion.cerrar()


async def calentar(urls: list[str]) -> None:
    """Antes de medir, cada proceso abre cada página una vez: un servidor recién levantado tarda
    unos segundos en cargar sus módulos y su catálogo, lo que no es el uso normal."""

    async def recorrer(url: str) -> None:
        sesion = Sesion(url)
        try:
            await sesion.abrir("", "")
            for ruta in list(sesion.paginas)[1:]:
                await sesion.navegar(ruta)
        finally:
            await sesion.cerrar()

    await asyncio.gather(*(recorrer(url) for url in urls))


async def cargar(plan: Plan) -> Registro:
    """Los usuarios del plan, a la vez, hasta que pase el tiempo (y las vueltas mínimas)."""
    registro = Registro()
    fin = time.monotonic() + plan.segundos
    await asyncio.gather(*(_usuario(n, plan, registro, fin) for n in range(plan.usuarios)))
    return registro


# ---------------------------------------------------------------- servidor, informe y CLI


_PIDS: dict[str, int] = {}  # URL -> proceso de los servidores que levantó esta herramienta


def _cpu(pids) -> float:
    """Segundos de CPU (usuario y sistema, todos los hilos) gastados por esos procesos."""
    total = 0
    for pid in pids:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(campos[11]) + int(campos[12])  # utime y stime, en tics del reloj
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def servir(base: Path, puerto: int | None = None):
    """El tablero (servir.py) sobre `base` (en solo lectura), en loopback; entrega la URL."""
    puerto = puerto or puerto_libre()
    url = f"http://127.0.0.1:{puerto}"
    proceso = lanzar(base, puerto)
    _PIDS[url] = proceso.pid
    try:
        esperar_salud(url, proceso)
        yield url
    finally:
        proceso.terminate()
        proceso.wait(timeout=30)
        del _PIDS[url]


NGINX = RAIZ / "despliegue" / "nginx.conf"
_NGINX_PRINCIPAL = """daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    log_format sesiones '$upstream_addr $request_uri $observatorio_nodo';
    access_log {dir}/acceso.log sesiones;
    client_body_temp_path {dir}/cuerpos;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/observatorio.conf;
}}
"""


@contextmanager
def servir_detras_de_nginx(base: Path, procesos: int, carpeta: Path):
    """`procesos` servidores y nginx delante, con la configuración del repositorio (solo cambian
    los puertos); entrega la URL de nginx y las de los procesos. El registro de nginx queda en
    `carpeta`."""
    with ExitStack() as pila:
        urls = [pila.enter_context(servir(base)) for _ in range(procesos)]
        puerto = puerto_libre()
        conf = NGINX.read_text(encoding="utf-8")
        servidores = "".join(f"    server {u.removeprefix('http://')};\n" for u in urls)
        conf = re.sub(r"(    server 127\.0\.0\.1:\d+;\n)+", servidores, conf)
        conf = re.sub(r"listen \d+;", f"listen 127.0.0.1:{puerto};", conf)
        (carpeta / "observatorio.conf").write_text(conf, encoding="utf-8")
        (carpeta / "nginx.conf").write_text(_NGINX_PRINCIPAL.format(dir=carpeta), encoding="utf-8")
        nginx = subprocess.Popen(["nginx", "-c", str(carpeta / "nginx.conf"), "-p", str(carpeta)])
        try:
            url = f"http://127.0.0.1:{puerto}"
            esperar_salud(url, nginx)
            yield url, urls
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)


def reparto(carpeta: Path) -> dict[str, int]:
    """Sesiones (websockets) que nginx pasó a cada proceso."""
    lineas = (carpeta / "acceso.log").read_text(encoding="utf-8").splitlines()
    return dict(Counter(ln.split()[0] for ln in lineas if "/_stcore/stream" in ln))


def _etiqueta(clave: str, paginas: dict) -> str:
    accion, ruta = clave.split(" ", 1)
    return f"{paginas.get(ruta, ruta or 'Resumen')} · {accion}"


def resumen(registro: Registro, plan: Plan, duracion: float) -> dict:
    """Cifras por acción y totales, listas para imprimir y para el JSON."""
    orden = {ruta: i for i, ruta in enumerate(registro.paginas)}
    claves = sorted(registro.iniciadas, key=lambda c: (orden.get(c.split(" ", 1)[1], 99), c))
    acciones = []
    for clave in claves:
        tiempos = registro.tiempos[clave]
        acciones.append(
            {
                "accion": _etiqueta(clave, registro.paginas),
                "iniciadas": registro.iniciadas[clave],
                "completadas": registro.completadas[clave],
                "errores": len(registro.errores[clave]),
                "p50_s": round(float(np.percentile(tiempos, 50)), 3) if tiempos else None,
                "p95_s": round(float(np.percentile(tiempos, 95)), 3) if tiempos else None,
                "max_s": round(max(tiempos), 3) if tiempos else None,
            }
        )
    todos = [t for tiempos in registro.tiempos.values() for t in tiempos]
    return {
        "fecha": datetime.now().isoformat(timespec="seconds"),
        "url": plan.url,
        "usuarios": plan.usuarios,
        "segundos": plan.segundos,
        "pausa_s": plan.pausa,
        "duracion_s": round(duracion, 1),
        "nucleos": os.cpu_count(),
        "acciones": acciones,
        "total": {
            "acciones": len(todos),
            "errores": sum(len(e) for e in registro.errores.values()),
            "acciones_por_s": round(len(todos) / duracion, 2) if duracion else None,
            "p50_s": round(float(np.percentile(todos, 50)), 3) if todos else None,
            "p95_s": round(float(np.percentile(todos, 95)), 3) if todos else None,
        },
        "errores": [
            f"{_etiqueta(c, registro.paginas)}: {e}"
            for c, es in registro.errores.items()
            for e in es
        ][:50],
        "control": {
            "filtro": plan.control,
            "metrica": METRICA_CONTROL,
            "valores": registro.control,
        },
    }


def _s(valor) -> str:
    return "—" if valor is None else f"{valor:.2f}".replace(".", ",")


def imprimir(cifras: dict) -> None:
    print(
        f"\n{cifras['usuarios']} usuarios durante {cifras['duracion_s']:.0f} s contra "
        f"{cifras['url']} ({cifras.get('procesos', 1)} proceso(s) de Streamlit, "
        f"{cifras['nucleos']} núcleos, carga del sistema {cifras['carga']})\n"
    )
    print(f"{'Acción':<28} {'n':>5} {'errores':>8} {'p50 (s)':>8} {'p95 (s)':>8} {'máx (s)':>8}")
    for a in cifras["acciones"]:
        print(
            f"{a['accion']:<28} {a['completadas']:>5} {a['errores']:>8} {_s(a['p50_s']):>8} "
            f"{_s(a['p95_s']):>8} {_s(a['max_s']):>8}"
        )
    t = cifras["total"]
    print(
        f"{'Total':<28} {t['acciones']:>5} {t['errores']:>8} {_s(t['p50_s']):>8} "
        f"{_s(t['p95_s']):>8}\n\nRendimiento: {_s(t['acciones_por_s'])} acciones por segundo."
    )
    valores = Counter(cifras["control"]["valores"])
    print(
        f"Control («{METRICA_CONTROL}», ?{cifras['control']['filtro']}): "
        + ", ".join(f"{v} ({n} sesiones)" for v, n in valores.items())
    )
    if "cpu_servidores_s" in cifras:
        por_accion = cifras["cpu_servidores_s"] / max(t["acciones"], 1)
        print(
            f"CPU de los servidores: {_s(cifras['cpu_servidores_s'])} s "
            f"({_s(por_accion)} s por acción); de los usuarios simulados: "
            f"{_s(cifras['cpu_usuarios_simulados_s'])} s."
        )
    if "reparto" in cifras:
        print(
            "Sesiones por proceso: " + ", ".join(f"{p}: {n}" for p, n in cifras["reparto"].items())
        )
    for error in cifras["errores"][:10]:
        print(f"  error: {error}")


def _carga_del_sistema() -> str:
    return " ".join(f"{x:.2f}".replace(".", ",") for x in os.getloadavg())


def medir(url: str, usuarios: int, segundos: float, db: Path, **opciones) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cat = catalogo(con)
    plan = Plan(url=url, usuarios=usuarios, segundos=segundos, cat=cat, **opciones)
    antes, servidores = _carga_del_sistema(), list(_PIDS.values())
    cpu, cpu_propia, inicio = _cpu(servidores), time.process_time(), time.monotonic()
    registro = asyncio.run(cargar(plan))
    cifras = resumen(registro, plan, time.monotonic() - inicio)
    cifras["carga"] = f"{antes} → {_carga_del_sistema()}"
    # La CPU que gastaron los servidores (si los levantó esta herramienta) y los usuarios
    # simulados: en una máquina compartida, el costo de una acción más estable que su tiempo.
    if servidores:
        cifras["cpu_servidores_s"] = round(_cpu(servidores) - cpu, 1)
    cifras["cpu_usuarios_simulados_s"] = round(time.process_time() - cpu_propia, 1)
    return cifras


def _medir_segun(a: argparse.Namespace) -> dict:
    """Contra --url, un proceso propio o varios detrás de nginx; cada proceso, ya calentado."""
    if a.url:
        asyncio.run(calentar([a.url]))
        return medir(a.url, a.usuarios, a.segundos, a.db, pausa=a.pausa)
    if a.procesos == 1:
        with servir(a.db) as url:
            asyncio.run(calentar([url]))
            return medir(url, a.usuarios, a.segundos, a.db, pausa=a.pausa)
    with tempfile.TemporaryDirectory() as carpeta:
        with servir_detras_de_nginx(a.db, a.procesos, Path(carpeta)) as (url, procesos):
            asyncio.run(calentar(procesos))
            cifras = medir(url, a.usuarios, a.segundos, a.db, pausa=a.pausa)
        return cifras | {"reparto": reparto(Path(carpeta))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.carga", description=__doc__.split("\n")[0])
    p.add_argument("--usuarios", type=int, default=20)
    p.add_argument("--segundos", type=float, default=60)
    p.add_argument("--pausa", type=float, default=1.0, help="segundos entre acciones, en promedio")
    p.add_argument("--url", help="un servidor ya levantado (si no, se levanta uno)")
    p.add_argument("--procesos", type=int, default=1, help="más de 1: procesos detrás de nginx")
    p.add_argument("--db", type=Path, default=RAIZ / "datos" / "observatorio.duckdb")
    p.add_argument(
        "--json", type=Path, help="dónde escribir las cifras (por defecto en bench/resultados/)"
    )
    a = p.parse_args(argv)
    if min(a.usuarios, a.procesos) < 1 or a.segundos <= 0 or a.pausa < 0:
        print(
            "Usuarios y procesos deben ser al menos 1, y los segundos, positivos.", file=sys.stderr
        )
        return 1
    if not a.db.exists():
        print(f"No existe la base {a.db}: genérela con `make demo`.", file=sys.stderr)
        return 1
    if a.procesos > 1 and shutil.which("nginx") is None:
        print("Falta nginx: apt-get install nginx", file=sys.stderr)
        return 1
    try:
        cifras = _medir_segun(a)
    except (*_FALLAS, RuntimeError) as error:
        print(f"No se pudo medir: {error}", file=sys.stderr)
        return 1
    cifras["procesos"] = 1 if a.url else a.procesos
    imprimir(cifras)
    salida = a.json or RESULTADOS / f"carga_{datetime.now():%Y%m%d_%H%M%S}.json"
    salida.parent.mkdir(parents=True, exist_ok=True)
    salida.write_text(json.dumps(cifras, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nCifras en {salida}")
    return 1 if cifras["total"]["errores"] else 0


if __name__ == "__main__":
    sys.exit(main())
