"""despliegue/nginx.conf: dos procesos detrás de nginx, con el websocket y sesiones pegadas."""

import asyncio
import shutil
from collections import defaultdict

import pytest

from bench.carga import METRICA_CONTROL, Sesion, servir_detras_de_nginx
from tests.carga.conftest import casos_del_control

CONTROL = "periodo=aad&sector=el-golf"
SESIONES = 20  # con reparto al azar, todas en un mismo proceso: 1 vez en 500.000

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="falta nginx")


async def abrir_varias(url: str) -> list:
    sesiones = [Sesion(url) for _ in range(SESIONES)]
    corridas = await asyncio.gather(*(s.abrir("", CONTROL) for s in sesiones))
    galletas = [{g.name: g.value for g in s.galletas} for s in sesiones]
    for sesion in sesiones:
        await sesion.cerrar()
    return corridas, galletas


def test_dos_procesos_detras_de_nginx(demo_pequena, tmp_path):
    with servir_detras_de_nginx(demo_pequena, 2, tmp_path) as (url, procesos):
        corridas, galletas = asyncio.run(abrir_varias(url))
    esperado = casos_del_control(demo_pequena, CONTROL)
    assert [c.errores for c in corridas] == [[]] * len(corridas)
    assert [c.metricas[METRICA_CONTROL] for c in corridas] == [esperado] * len(corridas)

    # Cada navegador recibió su galleta, y todos sus pedidos (la página, el websocket) fueron a
    # un mismo proceso; entre todos, a los dos.
    nodos = {g["observatorio_nodo"] for g in galletas}
    assert len(nodos) == SESIONES
    destinos = defaultdict(set)
    for linea in (tmp_path / "acceso.log").read_text().splitlines():
        proceso, camino, nodo = linea.split()
        if nodo in nodos:
            destinos[nodo].add((proceso, camino.split("?")[0] == "/_stcore/stream"))
    assert set(destinos) == nodos
    for pedidos in destinos.values():
        assert len({proceso for proceso, _ in pedidos}) == 1, pedidos
        assert {es_websocket for _, es_websocket in pedidos} == {True, False}
    usados = {proceso for pedidos in destinos.values() for proceso, _ in pedidos}
    assert usados == {p.removeprefix("http://") for p in procesos}
