"""Lectura tolerante de los archivos que producen las oficinas: CSV (`;` o `,`, UTF-8 con o sin BOM,
Latin-1/Windows-1252) y XLSX. Todo se lee como texto; la validación decide qué vale.

Cada fila conserva su número de línea en el archivo para que el informe de rechazos la cite.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

LINEA = "_linea"  # número de línea en el archivo (con guion bajo: no choca con una columna)


class ArchivoIlegible(Exception):
    """El archivo no se puede leer como tabla: nada se importa."""


@dataclass
class Tabla:
    datos: pd.DataFrame  # columnas normalizadas, todo texto, más `linea`
    originales: dict[str, str]  # columna normalizada -> nombre tal como venía
    codificacion: str
    separador: str
    en_blanco: int  # líneas vacías omitidas
    encabezados_repetidos: pd.DataFrame  # filas idénticas al encabezado, con su línea


def normalizar_serie(serie: pd.Series) -> pd.Series:
    """`normalizar` sobre una columna, calculado una vez por valor distinto."""
    distintos = serie.fillna("").unique()
    return serie.fillna("").map(dict(zip(distintos, map(normalizar, distintos), strict=True)))


def normalizar(texto: str) -> str:
    """Minúsculas, sin tildes ni puntuación, con `_`: 'Fecha y Hora ' -> 'fecha_y_hora'."""
    sin_tildes = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", sin_tildes.lower()).strip("_")


def _decodificar(contenido: bytes) -> tuple[str, str]:
    if contenido.startswith(b"\xef\xbb\xbf"):
        return contenido[3:].decode("utf-8"), "UTF-8 con BOM"
    try:
        return contenido.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return contenido.decode("cp1252", errors="replace"), "Windows-1252"


def _separador(primera_linea: str) -> str:
    conteos = {s: primera_linea.count(s) for s in (";", ",", "\t", "|")}
    separador = max(conteos, key=conteos.get)
    return separador if conteos[separador] else ","


def _crudo_csv(contenido: bytes) -> tuple[pd.DataFrame, str, str]:
    """Todas las líneas del CSV como filas de texto, indexadas por número de línea."""
    texto, codificacion = _decodificar(contenido)
    if not texto.strip():  # p. ej. solo la marca BOM
        raise ArchivoIlegible("El archivo está vacío.")
    lineas = texto.splitlines()
    separador = _separador(next((linea for linea in lineas if linea.strip()), ""))
    if '"' not in texto:  # lo común: el lector de pandas, rápido, con una fila por línea
        ancho = max(linea.count(separador) for linea in lineas) + 1
        crudo = pd.read_csv(
            io.StringIO(texto),
            sep=separador,
            header=None,
            names=range(ancho),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
        )
        if len(crudo) == len(lineas):
            return crudo.set_axis(range(1, len(crudo) + 1)), codificacion, separador
    # Con comillas un campo puede traer el separador o un salto de línea: el lector de Python
    # sabe en qué línea empieza cada fila.
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    filas, numeros = [], []
    for fila in lector:
        filas.append(fila)
        numeros.append(lector.line_num)
    ancho = max(map(len, filas), default=0)
    parejas = [fila + [""] * (ancho - len(fila)) for fila in filas]
    return pd.DataFrame(parejas, index=numeros, dtype=object), codificacion, separador


def _crudo_xlsx(contenido: bytes) -> pd.DataFrame:
    try:
        hoja = pd.read_excel(io.BytesIO(contenido), header=None, dtype=str, engine="openpyxl")
    except Exception as error:  # openpyxl lanza muchos tipos distintos ante un archivo dañado
        raise ArchivoIlegible(f"No se pudo leer la planilla: {error}") from None
    return hoja.set_axis(range(1, len(hoja) + 1))


def leer(contenido: bytes, nombre: str) -> Tabla:
    """Lee un CSV o XLSX. Lanza ArchivoIlegible si no hay encabezado o filas."""
    if not contenido.strip():
        raise ArchivoIlegible("El archivo está vacío.")
    if Path(nombre).suffix.lower() in {".xlsx", ".xlsm"}:
        crudo, codificacion, separador = _crudo_xlsx(contenido), "XLSX", ""
    else:
        crudo, codificacion, separador = _crudo_csv(contenido)
    crudo = crudo.apply(lambda c: c.fillna("").astype(str).str.strip())
    vacias = (crudo == "").all(axis=1)
    crudo = crudo[~vacias]
    if crudo.empty:
        raise ArchivoIlegible("El archivo no tiene filas.")
    encabezado = list(crudo.iloc[0])
    while encabezado and encabezado[-1] == "":  # celdas vacías al final del encabezado
        encabezado.pop()
    columnas = [normalizar(c) for c in encabezado]
    if len(set(columnas)) != len(columnas) or "" in columnas:
        raise ArchivoIlegible("El encabezado tiene columnas vacías o repetidas.")
    ancho = len(columnas)
    cuerpo = crudo.iloc[1:]
    datos = cuerpo.iloc[:, :ancho].set_axis(columnas, axis=1)
    for columna in columnas[cuerpo.shape[1] :]:  # todas las filas más cortas que el encabezado
        datos[columna] = ""
    datos[LINEA] = cuerpo.index
    # Filas con más celdas que el encabezado: algo se corrió; se marcan para rechazarlas.
    datos["_sobrantes"] = (cuerpo.iloc[:, ancho:] != "").any(axis=1)
    repetido = (datos[columnas] == encabezado).all(axis=1)
    return Tabla(
        datos=datos[~repetido].reset_index(drop=True),
        originales=dict(zip(columnas, encabezado, strict=True)),
        codificacion=codificacion,
        separador=separador,
        en_blanco=int(vacias.sum()),
        encabezados_repetidos=datos.loc[repetido, [LINEA]],
    )


def numero(serie: pd.Series) -> pd.Series:
    """Números escritos a la chilena o a la inglesa: '1.234,5', '-33,41', '-70.58'."""
    texto = serie.fillna("").str.strip().str.replace(" ", "", regex=False)
    ambos = texto.str.contains(",", regex=False) & texto.str.contains(".", regex=False)
    texto = texto.where(~ambos, texto.str.replace(".", "", regex=False))
    texto = texto.str.replace(",", ".", regex=False)
    return pd.to_numeric(texto, errors="coerce")


_FORMATOS_FECHA = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
]


def _formato(ejemplo: str) -> str | None:
    for formato in _FORMATOS_FECHA:
        try:
            datetime.strptime(ejemplo, formato)
            return formato
        except ValueError:
            continue
    return None


def fecha_hora(serie: pd.Series) -> pd.Series:
    """Fechas ISO, dd-mm-aaaa o dd/mm/aaaa, con hora opcional; NaT donde no se entiende.

    Las fechas se agrupan por su forma (dígitos y separadores) y cada forma se convierte de una vez
    con su formato: un archivo suele traer una o dos formas, no un millón.
    """
    texto = serie.fillna("").str.strip()
    formas = texto.str.replace(r"\d", "9", regex=True)
    resultado = pd.Series(pd.NaT, index=serie.index, dtype="datetime64[us]")
    for forma, grupo in texto.groupby(formas, sort=False):
        # El primer ejemplo puede ser una fecha imposible (mes 13): se prueban algunos.
        formato = next((f for v in grupo.iloc[:50] if (f := _formato(v))), None) if forma else None
        if formato:
            resultado[grupo.index] = pd.to_datetime(grupo, format=formato, errors="coerce")
    return resultado


_SI = {"si", "1", "true", "verdadero", "s", "x"}
_NO = {"no", "0", "false", "falso", "n"}


def si_no(serie: pd.Series) -> tuple[pd.Series, pd.Series]:
    """0/1 desde sí/si/no/1/0 (vacío es NULL). Devuelve (valores, inválidos)."""
    texto = normalizar_serie(serie)
    valores = pd.Series(pd.NA, index=serie.index, dtype="Int8")
    valores[texto.isin(_SI)] = 1
    valores[texto.isin(_NO)] = 0
    invalidos = (texto != "") & valores.isna()
    return valores, invalidos
