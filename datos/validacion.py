"""Validación fila a fila de los archivos a importar.

Cada tipo de archivo declara sus columnas (con los nombres alternativos que usan las oficinas) y
sus reglas. Una fila con cualquier problema se rechaza con el motivo en castellano; nada se adivina.
"""

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from datos import catalogo
from datos.lectura import (
    LINEA,
    ArchivoIlegible,
    Tabla,
    fecha_hora,
    normalizar,
    normalizar_serie,
    numero,
    si_no,
)


class FaltanColumnas(Exception):
    """El archivo no trae una columna obligatoria: nada se importa."""


@dataclass(frozen=True)
class Formato:
    requeridas: tuple[str, ...]
    opcionales: tuple[str, ...] = ()
    alias: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def _con_alias(self, columna: str) -> str:
        alias = self.alias.get(columna, ())
        return f"{columna} (o {', '.join(alias)})" if alias else columna

    def columnas(self, tabla: Tabla) -> pd.DataFrame:
        """Renombra a los nombres canónicos; lanza FaltanColumnas si falta una obligatoria."""
        presentes = set(tabla.datos.columns)
        nombres = {}
        for canonica in (*self.requeridas, *self.opcionales):
            candidatos = (canonica, *self.alias.get(canonica, ()))
            encontrada = next((c for c in candidatos if c in presentes), None)
            if encontrada:
                nombres[encontrada] = canonica
        faltan = [c for c in self.requeridas if c not in nombres.values()]
        if faltan:
            raise FaltanColumnas(
                "Faltan columnas obligatorias: "
                + ", ".join(self._con_alias(c) for c in faltan)
                + ". Columnas del archivo: "
                + ", ".join(tabla.originales.values())
                + "."
            )
        return tabla.datos.rename(columns=nombres)


FORMATOS = {
    "incidentes": Formato(
        requeridas=("id", "fecha_hora", "delito", "lat", "lon"),
        opcionales=("hora", "barrio", "fuente"),
        alias={
            "id": ("incidente_id", "folio", "numero", "n_caso", "caso"),
            "fecha_hora": ("fecha", "fecha_y_hora", "fechahora", "fecha_hecho"),
            "delito": ("tipo", "tipo_delito", "procedimiento", "categoria"),
            "lat": ("latitud",),
            "lon": ("lng", "long", "longitud"),
            "barrio": ("barrio_id", "nombre_barrio"),
            "fuente": ("origen",),
        },
    ),
    "encuestas": Formato(
        requeridas=("id", "ola", "barrio", "estrato", "conglomerado", "factor"),
        opcionales=("fecha", *catalogo.INDICADORES),
        alias={
            "id": ("respuesta_id", "folio"),
            "conglomerado": ("upm", "psu", "manzana"),
            "factor": ("factor_expansion", "ponderador", "peso"),
            "barrio": ("barrio_id",),
        },
    ),
    "actividades": Formato(
        requeridas=("id", "fecha", "barrio", "linea", "actividad", "participantes"),
        opcionales=("hogares",),
        alias={
            "id": ("actividad_id", "folio"),
            "linea": ("producto", "linea_programa"),
            "participantes": ("asistentes", "n_participantes"),
            "hogares": ("hogares_alcanzados",),
            "barrio": ("barrio_id",),
        },
    ),
}


class Revision:
    """Acumula los motivos de rechazo por fila (varios motivos se separan con '; ')."""

    def __init__(self, indice: pd.Index):
        self.motivos = pd.Series("", index=indice, dtype=object)

    def rechazar(self, mascara, motivo) -> None:
        mascara = pd.Series(mascara, index=self.motivos.index).fillna(False).astype(bool)
        if not mascara.any():
            return
        if isinstance(motivo, pd.Series):
            motivo = motivo.reindex(self.motivos.index)
        texto = motivo[mascara] if isinstance(motivo, pd.Series) else motivo
        previos = self.motivos[mascara]
        self.motivos[mascara] = np.where(previos == "", texto, previos + "; " + texto)

    @property
    def validas(self) -> pd.Series:
        return self.motivos == ""


def citar(serie: pd.Series) -> pd.Series:
    return "«" + serie.fillna("").str.slice(0, 60) + "»"


@dataclass(frozen=True)
class Contexto:
    """Lo que la validación necesita de la base: barrios, comuna y nombres conocidos."""

    barrios: pd.DataFrame  # barrio_id, nombre
    poligonos: np.ndarray  # geometrías shapely, en el orden de `barrios`
    comuna: shapely.Geometry  # contorno con margen
    fuentes: dict[str, str] = field(default_factory=dict)


# El contorno DPA está simplificado a 16 vértices: sin margen se rechazarían direcciones reales
# junto al límite con Vitacura. 0,005° son unos 500 m.
MARGEN_COMUNA = 0.005

_ALIAS_DELITOS = {
    "hurtos": "hurto",
    "homicidios": "homicidio",
    "violaciones": "violacion",
    "robo con violencia": "robo_violencia",
    "robo con intimidacion": "robo_violencia",
    "robo de vehiculo": "robo_vehiculo",
    "robo de accesorios de vehiculo": "robo_objeto_vehiculo",
    "robo de objeto de o desde vehiculo": "robo_objeto_vehiculo",
    "robo de objetos de vehiculo": "robo_objeto_vehiculo",
    "lesiones menos graves": "lesiones_leves",
    "lesiones graves": "lesiones_graves",
    "violencia intrafamiliar": "vif_lesiones",
    "vif": "vif_lesiones",
    "portonazo": "robo_violento_vehiculo",
    "encerrona": "robo_violento_vehiculo",
    "danos": "danos",
    "alarma": "alarma_casa_protegida",
    "casa protegida": "alarma_casa_protegida",
    "boton de panico": "boton_panico",
    "persona sospechosa": "merodeo",
    "merodeo": "merodeo",
    "ruidos": "ruidos_molestos",
    "accidente": "accidente_transito",
}

_ALIAS_FUENTES = {
    "policial": "policial",
    "carabineros": "policial",
    "pdi": "policial",
    "cead": "policial",
    "central_1402": "central_1402",
    "1402": "central_1402",
    "central": "central_1402",
    "camaras": "camaras",
    "televigilancia": "camaras",
}


def _diccionario(pares) -> dict[str, str]:
    return {normalizar(nombre): codigo for nombre, codigo in pares}


DELITOS = _diccionario(
    [(d.delito, d.delito) for d in catalogo.DELITOS]
    + [(d.nombre, d.delito) for d in catalogo.DELITOS]
    + list(_ALIAS_DELITOS.items())
)
FAMILIA = {d.delito: d.familia for d in catalogo.DELITOS}


def _barrio_declarado(ctx: Contexto, serie: pd.Series, revision: Revision) -> pd.Series:
    """barrio_id por nombre o id, sin importar tildes ni mayúsculas; los desconocidos se rechazan
    (y quedan vacíos)."""
    nombres = _diccionario(
        list(zip(ctx.barrios["nombre"], ctx.barrios["barrio_id"], strict=True))
        + [(b, b) for b in ctx.barrios["barrio_id"]]
    )
    barrio = serie.pipe(normalizar_serie).map(nombres)
    revision.rechazar(barrio.isna(), "barrio desconocido " + citar(serie))
    return barrio


def barrio_por_punto(ctx: Contexto, lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Barrio que contiene cada punto; en el margen junto al límite, el más cercano."""
    resultado = pd.Series(pd.NA, index=lat.index, dtype=object)
    validos = lat.notna() & lon.notna()
    if not validos.any() or not len(ctx.poligonos):
        return resultado
    x, y = lon[validos].to_numpy(), lat[validos].to_numpy()
    ids = ctx.barrios["barrio_id"].to_numpy()
    barrio = np.full(len(x), None, dtype=object)
    for k, poligono in enumerate(ctx.poligonos):
        oeste, sur, este, norte = poligono.bounds
        caja = np.flatnonzero((x >= oeste) & (x <= este) & (y >= sur) & (y <= norte))
        shapely.prepare(poligono)
        dentro = caja[shapely.contains_xy(poligono, x[caja], y[caja])]
        barrio[dentro[barrio[dentro] == None]] = ids[k]  # noqa: E711 (comparación elemento a elemento)
    fuera = np.flatnonzero(barrio == None)  # noqa: E711
    if len(fuera):  # en el margen junto al límite comunal: el barrio más cercano
        arbol = shapely.STRtree(ctx.poligonos)
        puntos = shapely.points(x[fuera], y[fuera])
        entrada, cercano = arbol.query_nearest(
            puntos, max_distance=2 * MARGEN_COMUNA, all_matches=False
        )
        barrio[fuera[entrada]] = ids[cercano]
    resultado[validos] = barrio
    return resultado


def incidentes(tabla: Tabla, ctx: Contexto, fuente: str) -> tuple[pd.DataFrame, Revision]:
    datos = FORMATOS["incidentes"].columnas(tabla)
    revision = Revision(datos.index)
    _id_unico(datos, revision)
    texto_fecha = datos["fecha_hora"]
    if "hora" in datos:
        texto_fecha = (texto_fecha + " " + datos["hora"]).str.strip()
    fechas = fecha_hora(texto_fecha)
    revision.rechazar(fechas.isna(), "fecha inválida " + citar(texto_fecha))
    revision.rechazar(fechas > pd.Timestamp.now(), "fecha futura " + citar(texto_fecha))
    delito = datos["delito"].pipe(normalizar_serie).map(DELITOS)
    revision.rechazar(delito.isna(), "delito desconocido " + citar(datos["delito"]))
    fuentes = pd.Series(fuente, index=datos.index)
    if "fuente" in datos:
        dada = datos["fuente"].pipe(normalizar_serie)
        fuentes = dada.map(_ALIAS_FUENTES).where(dada != "", fuente)
        revision.rechazar(fuentes.isna(), "fuente desconocida " + citar(datos["fuente"]))
    lat, lon = _coordenadas(datos, ctx, revision)
    barrio = barrio_por_punto(ctx, lat, lon)
    if "barrio" in datos:  # el barrio declarado manda; si viene vacío, se ubica por el punto
        dado = datos["barrio"] != ""
        barrio[dado] = _barrio_declarado(ctx, datos.loc[dado, "barrio"], revision)
    revision.rechazar(
        barrio.isna() & lat.notna() & revision.validas, "sin barrio en la base para el punto"
    )
    aceptadas = pd.DataFrame(
        {
            "incidente_id": datos["id"],
            "fecha_hora": fechas,
            "familia": delito.map(FAMILIA),
            "delito": delito,
            "fuente": fuentes,
            "lat": lat,
            "lon": lon,
            "barrio_id": barrio,
        }
    )
    return aceptadas, revision


def _id_unico(datos: pd.DataFrame, revision: Revision) -> None:
    revision.rechazar(datos["id"] == "", "id vacío")
    repetido = datos["id"].duplicated(keep="first") & (datos["id"] != "")
    revision.rechazar(repetido, "id duplicado en el archivo " + citar(datos["id"]))


def _coordenadas(datos: pd.DataFrame, ctx: Contexto, revision: Revision):
    lat, lon = numero(datos["lat"]), numero(datos["lon"])
    invalidas = lat.isna() | lon.isna()
    revision.rechazar(
        invalidas, "coordenadas inválidas " + citar(datos["lat"] + " " + datos["lon"])
    )
    invertidas = ~invalidas & lat.between(-76, -66) & lon.between(-56, -17)
    revision.rechazar(invertidas, "latitud y longitud invertidas")
    revisar = ~invalidas & ~invertidas
    dentro = pd.Series(False, index=datos.index)
    dentro[revisar] = shapely.contains_xy(ctx.comuna, lon[revisar], lat[revisar])
    revision.rechazar(revisar & ~dentro, "coordenadas fuera de la comuna")
    return lat.where(~invalidas), lon.where(~invalidas)


# Nombre de una columna de indicador nueva: se usa como identificador SQL (entre comillas).
INDICADOR_NUEVO = re.compile(r"[a-z][a-z0-9_]{0,62}")


def indicadores_nuevos(datos: pd.DataFrame) -> list[str]:
    """Columnas del archivo que no son del formato y traen solo sí/no/1/0 (o vacío): indicadores
    nuevos, que la importación agrega a la tabla. Las demás columnas se ignoran."""
    formato = FORMATOS["encuestas"]
    conocidas = {*formato.requeridas, *formato.opcionales, LINEA, "_sobrantes"}
    conocidas |= {a for alias in formato.alias.values() for a in alias}
    nuevas = []
    for columna in datos.columns:
        if columna in conocidas or not INDICADOR_NUEVO.fullmatch(columna):
            continue
        valores, invalidos = si_no(datos[columna])
        if valores.notna().any() and not invalidos.any():
            nuevas.append(columna)
    return nuevas


def encuestas(tabla: Tabla, ctx: Contexto) -> tuple[pd.DataFrame, Revision]:
    datos = FORMATOS["encuestas"].columnas(tabla)
    nuevos = indicadores_nuevos(datos)
    if not nuevos and not any(c in datos for c in catalogo.INDICADORES):
        raise FaltanColumnas(
            "El archivo no trae columnas de indicadores ("
            + ", ".join(catalogo.INDICADORES)
            + ", u otras con sí/no/1/0)."
        )
    revision = Revision(datos.index)
    _id_unico(datos, revision)
    ola = datos["ola"].str.replace(r"^(\d{4})[-_/ ]?s?([12])$", r"\1-\2", regex=True)
    revision.rechazar(
        ~ola.str.fullmatch(r"\d{4}-[12]"), "ola inválida (use aaaa-1 o aaaa-2) " + citar(ola)
    )
    fecha = _fecha_de_ola(ola)
    if "fecha" in datos:
        dada = fecha_hora(datos["fecha"])
        revision.rechazar((datos["fecha"] != "") & dada.isna(), "fecha inválida")
        fecha = dada.where(dada.notna(), fecha)
    factor = numero(datos["factor"])
    revision.rechazar(factor.isna() | (factor <= 0), "factor no positivo " + citar(datos["factor"]))
    for columna in ("estrato", "conglomerado"):
        revision.rechazar(datos[columna] == "", f"{columna} vacío")
    aceptadas = pd.DataFrame(
        {
            "respuesta_id": datos["id"],
            "ola": ola,
            "fecha": fecha.dt.date,
            "barrio_id": _barrio_declarado(ctx, datos["barrio"], revision),
            "estrato": datos["estrato"],
            "conglomerado": datos["conglomerado"],
            "factor": factor,
        }
    )
    for indicador in [*catalogo.INDICADORES, *nuevos]:
        texto = datos.get(indicador, pd.Series("", index=datos.index))
        valores, invalidos = si_no(texto)
        revision.rechazar(invalidos, f"valor no válido en {indicador} " + citar(texto))
        aceptadas[indicador] = valores
    return aceptadas, revision


def _fecha_de_ola(ola: pd.Series) -> pd.Series:
    """Sin fecha en el archivo, el 15 de mayo (ola 1) o de octubre (ola 2)."""
    partes = ola.str.extract(r"^(\d{4})-([12])$")
    texto = partes[0] + "-" + partes[1].map({"1": "05", "2": "10"}) + "-15"
    return pd.to_datetime(texto, format="%Y-%m-%d", errors="coerce")


def actividades(tabla: Tabla, ctx: Contexto) -> tuple[pd.DataFrame, Revision]:
    datos = FORMATOS["actividades"].columnas(tabla)
    revision = Revision(datos.index)
    _id_unico(datos, revision)
    fecha = fecha_hora(datos["fecha"])
    revision.rechazar(fecha.isna(), "fecha inválida " + citar(datos["fecha"]))
    revision.rechazar(fecha > pd.Timestamp.now(), "fecha futura " + citar(datos["fecha"]))
    partes = datos["linea"].str.extract(r"(2)\s*[.,]\s*([1-5])")
    linea = partes[0] + "." + partes[1]
    revision.rechazar(linea.isna(), "línea desconocida (use 2.1 a 2.5) " + citar(datos["linea"]))
    actividad = pd.Series(pd.NA, index=datos.index, dtype=object)
    for codigo, nombres in catalogo.ACTIVIDADES.items():
        de_la_linea = linea == codigo
        actividad[de_la_linea] = (
            datos.loc[de_la_linea, "actividad"]
            .pipe(normalizar_serie)
            .map(_diccionario((n, n) for n in nombres))
        )
    revision.rechazar(
        linea.notna() & actividad.isna(),
        "actividad desconocida para la línea " + linea.fillna("") + " " + citar(datos["actividad"]),
    )
    participantes = _entero(datos["participantes"], "participantes", revision)
    hogares = pd.Series(0, index=datos.index)
    if "hogares" in datos:
        hogares = _entero(datos["hogares"].replace("", "0"), "hogares", revision)
    aceptadas = pd.DataFrame(
        {
            "actividad_id": datos["id"],
            "fecha": fecha.dt.date,
            "barrio_id": _barrio_declarado(ctx, datos["barrio"], revision),
            "linea": linea,
            "actividad": actividad,
            "participantes": participantes,
            "hogares": hogares,
        }
    )
    return aceptadas, revision


def _sin_puntos(coincidencia) -> str:
    return coincidencia.group(0).replace(".", "")


def _entero(serie: pd.Series, nombre: str, revision: Revision) -> pd.Series:
    # En un entero, "9.000" es nueve mil (punto de miles), no nueve.
    sin_miles = serie.str.strip().str.replace(r"^(\d{1,3})((?:\.\d{3})+)$", _sin_puntos, regex=True)
    valor = numero(sin_miles)
    malo = valor.isna() | (valor < 0) | (valor != valor.round())
    revision.rechazar(malo, f"{nombre} inválido (entero no negativo) " + citar(serie))
    return valor.where(~malo).astype("Int64")


def barrios(contenido: bytes, ctx: Contexto) -> tuple[pd.DataFrame, Revision, pd.DataFrame]:
    """Barrios desde un GeoJSON con propiedades barrio, sector, poblacion y hogares.

    Devuelve (aceptados, revisión, originales): la "línea" de cada barrio es su número de elemento.
    """
    try:
        figuras = json.loads(contenido.decode("utf-8-sig"))["features"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ArchivoIlegible("El archivo no es un GeoJSON (FeatureCollection) válido.") from None
    if not figuras:
        raise ArchivoIlegible("El GeoJSON no tiene elementos.")
    propiedades = pd.DataFrame(
        [
            {
                normalizar(k): str(v if v is not None else "")
                for k, v in (f.get("properties") or {}).items()
            }
            for f in figuras
        ]
    )
    faltan = [c for c in ("barrio", "sector", "poblacion", "hogares") if c not in propiedades]
    if faltan:
        raise FaltanColumnas("Faltan propiedades obligatorias: " + ", ".join(faltan) + ".")
    revision = Revision(propiedades.index)
    geometrias = [_geometria(f.get("geometry")) for f in figuras]
    geometrias = pd.Series(geometrias, index=propiedades.index, dtype=object)
    revision.rechazar(geometrias.isna(), "geometría inválida o no poligonal")
    fuera = geometrias.map(
        lambda g: g is not None and not ctx.comuna.contains(g.representative_point())
    )
    revision.rechazar(fuera, "barrio fuera de la comuna")
    nombre = propiedades["barrio"].str.strip()
    revision.rechazar(nombre == "", "barrio sin nombre")
    revision.rechazar(
        nombre.pipe(normalizar_serie).duplicated() & (nombre != ""), "barrio repetido"
    )
    revision.rechazar(propiedades["sector"].str.strip() == "", "sector vacío")
    ids = nombre.pipe(normalizar_serie).str.replace("_", "-")
    choques = _superposiciones(geometrias, ids, nombre, ctx)
    revision.rechazar(choques != "", "se superpone con " + choques)
    aceptados = pd.DataFrame(
        {
            "barrio_id": ids,
            "nombre": nombre,
            "sector": propiedades["sector"].str.strip(),
            "poblacion": _entero(propiedades["poblacion"], "poblacion", revision),
            "hogares": _entero(propiedades["hogares"], "hogares", revision),
            "geometria": geometrias.map(lambda g: shapely.to_geojson(g) if g is not None else None),
        }
    )
    return aceptados, revision, propiedades.assign(**{LINEA: propiedades.index + 1})


def _superposiciones(
    geometrias: pd.Series, ids: pd.Series, nombres: pd.Series, ctx: Contexto
) -> pd.Series:
    """Con qué barrios (de la base o del mismo archivo) se superpone cada polígono en más del 1 %
    del área del menor; vacío si con ninguno. Un barrio sí reemplaza al de su mismo id."""
    nuevos = set(ids)
    candidatos = [
        (i, n, g)
        for i, n, g in zip(
            ctx.barrios["barrio_id"], ctx.barrios["nombre"], ctx.poligonos, strict=True
        )
        if i not in nuevos
    ] + [(i, n, g) for i, n, g in zip(ids, nombres, geometrias, strict=True) if g is not None]
    resultado = pd.Series("", index=geometrias.index, dtype=object)
    if not candidatos:
        return resultado
    arbol = shapely.STRtree([g for *_, g in candidatos])
    for k, geometria in geometrias.items():
        if geometria is None:
            continue
        choques = {
            candidatos[j][1]
            for j in arbol.query(geometria, predicate="intersects")
            if candidatos[j][0] != ids[k]
            and geometria.intersection(candidatos[j][2]).area
            > 0.01 * min(geometria.area, candidatos[j][2].area)
        }
        resultado[k] = ", ".join(sorted(choques))
    return resultado


def _geometria(geojson) -> shapely.Geometry | None:
    try:
        geometria = shapely.from_geojson(json.dumps(geojson))
    except (shapely.errors.GEOSException, TypeError, ValueError):
        return None
    if geometria is None or geometria.geom_type not in {"Polygon", "MultiPolygon"}:
        return None
    return geometria if geometria.is_valid else None
