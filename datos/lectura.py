"""Lectura tolerante de los archivos que producen las oficinas: CSV (`;` o `,`, UTF-8 con o sin BOM,
Latin-1/Windows-1252) y XLSX. Todo se lee como texto; la validación decide qué vale.

Cada fila conserva su número de línea en el archivo para que el informe de rechazos la cite.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

LINEA = "linea"


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


def _filas_csv(contenido: bytes) -> tuple[list[list[str]], list[int], str, str]:
    texto, codificacion = _decodificar(contenido)
    lineas = texto.splitlines()
    primera = next((linea for linea in lineas if linea.strip()), "")
    separador = _separador(primera)
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    filas, numeros = [], []
    for fila in lector:
        filas.append(fila)
        numeros.append(lector.line_num)
    return filas, numeros, codificacion, separador


def _filas_xlsx(contenido: bytes) -> tuple[list[list[str]], list[int]]:
    try:
        hoja = pd.read_excel(io.BytesIO(contenido), header=None, dtype=str, engine="openpyxl")
    except Exception as error:  # openpyxl lanza muchos tipos distintos ante un archivo dañado
        raise ArchivoIlegible(f"No se pudo leer la planilla: {error}") from None
    hoja = hoja.fillna("")
    return hoja.to_numpy().tolist(), [k + 1 for k in range(len(hoja))]


def leer(contenido: bytes, nombre: str) -> Tabla:
    """Lee un CSV o XLSX. Lanza ArchivoIlegible si no hay encabezado o filas."""
    if not contenido.strip():
        raise ArchivoIlegible("El archivo está vacío.")
    if Path(nombre).suffix.lower() in {".xlsx", ".xlsm"}:
        filas, numeros = _filas_xlsx(contenido)
        codificacion, separador = "XLSX", ""
    else:
        filas, numeros, codificacion, separador = _filas_csv(contenido)
    vacias = [not any(str(c).strip() for c in fila) for fila in filas]
    filas = [f for f, v in zip(filas, vacias, strict=True) if not v]
    numeros = [n for n, v in zip(numeros, vacias, strict=True) if not v]
    if not filas:
        raise ArchivoIlegible("El archivo no tiene filas.")
    encabezado = [str(c).strip() for c in filas[0]]
    columnas = [normalizar(c) for c in encabezado]
    if len(set(columnas)) != len(columnas) or "" in columnas:
        raise ArchivoIlegible("El encabezado tiene columnas vacías o repetidas.")
    ancho = len(columnas)
    cuerpo = [[str(c).strip() for c in (f + [""] * ancho)[:ancho]] for f in filas[1:]]
    datos = pd.DataFrame(cuerpo, columns=columnas, dtype=str)
    datos[LINEA] = numeros[1:]
    # Filas con más celdas que el encabezado: algo se corrió; se marcan para rechazarlas.
    datos["_sobrantes"] = [
        len(f) > ancho and any(str(c).strip() for c in f[ancho:]) for f in filas[1:]
    ]
    repetido = (datos[columnas] == encabezado).all(axis=1) if len(datos) else pd.Series(dtype=bool)
    return Tabla(
        datos=datos[~repetido].reset_index(drop=True),
        originales=dict(zip(columnas, encabezado, strict=True)),
        codificacion=codificacion,
        separador=separador,
        en_blanco=sum(vacias),
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


def fecha_hora(serie: pd.Series) -> pd.Series:
    """Fechas ISO, dd-mm-aaaa o dd/mm/aaaa, con hora opcional; NaT donde no se entiende."""
    texto = serie.fillna("").str.strip()
    resultado = pd.Series(pd.NaT, index=serie.index, dtype="datetime64[us]")
    for formato in _FORMATOS_FECHA:
        pendientes = resultado.isna() & (texto != "")
        if not pendientes.any():
            break
        intento = pd.to_datetime(texto[pendientes], format=formato, errors="coerce")
        resultado[pendientes] = intento
    return resultado


_SI = {"si", "1", "true", "verdadero", "s", "x"}
_NO = {"no", "0", "false", "falso", "n"}


def si_no(serie: pd.Series) -> tuple[pd.Series, pd.Series]:
    """0/1 desde sí/si/no/1/0 (vacío es NULL). Devuelve (valores, inválidos)."""
    texto = serie.fillna("").map(normalizar)
    valores = pd.Series(pd.NA, index=serie.index, dtype="Int8")
    valores[texto.isin(_SI)] = 1
    valores[texto.isin(_NO)] = 0
    invalidos = (texto != "") & valores.isna()
    return valores, invalidos
