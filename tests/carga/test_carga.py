"""La versión corta de `make carga`: pocos usuarios, unos segundos, todas las páginas."""

import asyncio

from bench.carga import METRICA_CONTROL, Sesion, medir
from tests.carga.conftest import casos_del_control

USUARIOS = 4


async def una_sesion(url: str, ruta: str, consulta: str):
    sesion = Sesion(url)
    try:
        return await sesion.abrir(ruta, consulta), sesion.paginas
    finally:
        await sesion.cerrar()


def test_carga_corta_sin_errores_y_con_las_mismas_cifras(servidor, demo_pequena):
    cifras = medir(servidor, USUARIOS, 10, demo_pequena, vueltas=1, pausa=0.3)
    sola, paginas = asyncio.run(una_sesion(servidor, "", cifras["control"]["filtro"]))

    assert cifras["total"]["errores"] == 0, cifras["errores"]
    for accion in cifras["acciones"]:
        assert accion["completadas"] == accion["iniciadas"], accion
    # Cada usuario dio al menos una vuelta por todas las páginas de la navegación.
    visitadas = {a["accion"].split(" · ")[0] for a in cifras["acciones"]}
    assert visitadas == {p.page_name for p in paginas.values()}
    # La cifra de control: igual en todas las sesiones, a la de una sesión sola y al conteo SQL.
    esperado = casos_del_control(demo_pequena, cifras["control"]["filtro"])
    assert sola.errores == [] and sola.metricas[METRICA_CONTROL] == esperado
    assert cifras["control"]["valores"] == [esperado] * (2 * USUARIOS)
