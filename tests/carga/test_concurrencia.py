"""Muchas sesiones a la vez ven lo mismo que una sola, y una importación que reemplaza la base
con sesiones abiertas no produce errores ni cifras a medias."""

import asyncio
import json
import re
import sys

import duckdb
import pandas as pd

from bench.carga import METRICA_CONTROL, RAIZ, Sesion, servir
from tests.carga.conftest import casos_del_control

POR_VISTA = 4
CONTROL = "periodo=aad&sector=el-golf"
VISTAS = [
    ("", CONTROL),
    ("tendencias", "periodo=trimestre&familia=propiedad"),
    ("mapa", "periodo=aad"),
    ("percepcion", "sector=el-golf"),
    ("cobertura", "periodo=aad"),
    ("barrio", "barrio=el-golf"),
]


async def abrir(url: str, ruta: str, consulta: str):
    sesion = Sesion(url)
    try:
        return await sesion.abrir(ruta, consulta)
    finally:
        await sesion.cerrar()


async def todas_a_la_vez(url: str) -> list:
    return await asyncio.gather(
        *(abrir(url, ruta, consulta) for ruta, consulta in VISTAS for _ in range(POR_VISTA))
    )


def test_sesiones_simultaneas_ven_lo_mismo_que_una(servidor, demo_pequena):
    # Primero todas juntas, con la caché vacía (las mismas consultas corren a la vez); después
    # cada vista en una sesión sola.
    juntas = asyncio.run(todas_a_la_vez(servidor))
    for k, (ruta, consulta) in enumerate(VISTAS):
        sola = asyncio.run(abrir(servidor, ruta, consulta))
        assert sola.errores == [], (ruta, sola.errores)
        for corrida in juntas[k * POR_VISTA : (k + 1) * POR_VISTA]:
            assert corrida.errores == [], (ruta, corrida.errores)
            assert corrida.metricas == sola.metricas, ruta
            assert corrida.huella == sola.huella, f"la página «{ruta}» cambió entre sesiones"
    assert juntas[0].metricas[METRICA_CONTROL] == casos_del_control(demo_pequena, CONTROL)


def casos(corrida) -> tuple[int, int]:
    """«Casos en el período» y la suma de los casos por barrio de la coropleta: dos consultas
    distintas de la misma ejecución, que deben leer la misma versión de la base."""
    metrica = int(corrida.metricas[METRICA_CONTROL].replace(".", ""))
    mapa = json.loads(corrida.mapas[0])
    textos = [f["properties"].get("texto") for f in mapa["layers"][0]["data"]["features"]]
    suma = sum(
        int(m.group(1).replace(".", ""))
        for t in textos
        if isinstance(t, str) and (m := re.match(r"([\d.]+) casos", t))
    )
    return metrica, suma


def archivo_de_casos(ruta, destino, n: int = 25):
    """Un CSV del municipio con n casos nuevos en El Golf, este año: los puntos de casos que ya
    están en la base, con otro identificador."""
    with duckdb.connect(str(ruta), read_only=True) as con:
        puntos = con.execute(
            "SELECT fecha_hora, lat, lon, b.nombre AS barrio FROM incidentes "
            "JOIN barrios b USING (barrio_id) WHERE fuente = 'policial' "
            "AND b.sector_id = 'el-golf' AND fecha_hora >= '2026-01-01' "
            "ORDER BY incidente_id LIMIT ?",
            [n],
        ).df()
    casos = puntos.assign(
        id=[f"CARGA-{k}" for k in range(n)],
        fecha_hora=puntos["fecha_hora"].dt.strftime("%d-%m-%Y %H:%M"),
        delito="Hurto",
        fuente="policial",
    )
    casos[["id", "fecha_hora", "delito", "lat", "lon", "barrio", "fuente"]].to_csv(
        destino, sep=";", index=False
    )
    return len(casos)


async def repetir_hasta(sesion: Sesion, importada: asyncio.Event, despues: int = 2) -> list:
    """Ejecuta la página una y otra vez; termina tras `despues` ejecuciones empezadas con la
    importación ya hecha."""
    corridas, tras = [], 0
    while tras < despues:
        tras += importada.is_set()
        corridas.append(await sesion.repetir())
    return corridas


async def importar_con_sesiones_abiertas(url: str, base, archivo, n_sesiones: int = 4):
    sesiones = [Sesion(url) for _ in range(n_sesiones)]
    primeras = await asyncio.gather(*(s.abrir("", CONTROL) for s in sesiones))
    importada = asyncio.Event()

    async def importar():
        proceso = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "observatorio", "importar", "incidentes", str(archivo)],
            *["--db", str(base), "--informe", str(archivo.parent)],
            cwd=RAIZ,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        salida, _ = await proceso.communicate()
        importada.set()
        return proceso.returncode, salida.decode()

    (codigo, salida), *durante = await asyncio.gather(
        importar(), *(repetir_hasta(s, importada) for s in sesiones)
    )
    for sesion in sesiones:
        await sesion.cerrar()
    return codigo, salida, primeras, durante


def test_importacion_con_sesiones_abiertas(copia_demo, tmp_path):
    archivo = tmp_path / "casos.csv"
    agregados = archivo_de_casos(copia_demo, archivo)
    antes = int(casos_del_control(copia_demo, CONTROL).replace(".", ""))
    with servir(copia_demo) as url:
        codigo, salida, primeras, durante = asyncio.run(
            importar_con_sesiones_abiertas(url, copia_demo, archivo)
        )
    assert codigo == 0, salida
    despues = int(casos_del_control(copia_demo, CONTROL).replace(".", ""))
    assert despues == antes + agregados

    assert [casos(c) for c in primeras] == [(antes, antes)] * len(primeras)
    for corridas in durante:
        for corrida in corridas:
            assert corrida.errores == []
            # Nunca una versión a medias: las dos consultas leen la misma base.
            assert casos(corrida) in {(antes, antes), (despues, despues)}
        # La ejecución siguiente a la importación ya ve la base nueva.
        assert casos(corridas[-1]) == (despues, despues)
    vistas = pd.Series([casos(c)[0] for cs in durante for c in cs])
    assert (vistas == antes).any(), "ninguna ejecución ocurrió durante la importación"
