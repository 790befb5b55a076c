"""Versiones de los datos: leer la base tal como estaba en una versión anterior.

Cada importación que cambia algo crea una versión nueva (la base generada o recién creada es la 1).
Las filas reemplazadas quedan en `<tabla>_historia` con el rango de versiones en que valieron
(consultas/sql/versiones.sql). Una `Base` lee lo vigente directo de las tablas; `en_version(n)`
entrega un objeto con la misma interfaz (`cursor()`) cuyos cursores ven, con los mismos nombres de
tabla, las filas de la versión n: todas las funciones de consultas/ sirven sin cambios.
"""

import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd

from consultas.sql import consulta, ejecutar, leer

PARAMETRO = "version"  # el de la URL y de `exportar --version`


class VersionDesconocida(ValueError):
    """La versión pedida no existe en la base; el mensaje lo explica en castellano."""


def interpretar(texto: str | None, actual: int) -> int:
    """El número de versión de un parámetro (URL o línea de comandos), validado contra la base."""
    limpio = (texto or "").strip()
    if not (limpio.isascii() and limpio.isdigit()) or len(limpio) > 9:
        raise VersionDesconocida(
            f"«{limpio[:20]}» no es un número de versión de los datos (la vigente es la {actual})."
        )
    version = int(limpio)
    _existe(version, actual)
    return version


def _existe(version: int, actual: int) -> None:
    if not 1 <= version <= actual:
        raise VersionDesconocida(
            f"La versión {version} de los datos no existe: esta base va de la 1 a la {actual}."
        )


class _Cursores:
    """Cursores ya abiertos, para reusarlos en las lecturas (`sql.leer`): abrir uno y elegir la
    base cuesta ~0,75 ms y una página hace hasta 14 lecturas. Cada cursor sirve a una lectura a la
    vez: sale de la lista y vuelve al terminar (pop y append son atómicos con el GIL); si la
    lectura falla, se cierra."""

    def __init__(self, abrir):
        self._abrir = abrir
        self._libres: list[duckdb.DuckDBPyConnection] = []

    @contextmanager
    def prestado(self):
        try:
            cursor = self._libres.pop()
        except IndexError:
            cursor = self._abrir()
        try:
            yield cursor
        except BaseException:
            cursor.close()
            raise
        self._libres.append(cursor)

    def cerrar(self) -> None:
        while self._libres:
            self._libres.pop().close()


class Base:
    """Un archivo de datos en solo lectura, adjunto (ATTACH) como `base` en una instancia DuckDB
    propia. Las lecturas reusan cursores (`prestado`); lo demás abre uno nuevo (`cursor`).

    Cada archivo va en su propia instancia: `duckdb.connect(ruta)` devolvería la instancia que el
    proceso ya tiene abierta para esa ruta, con los datos de antes de que una importación
    reemplazara el archivo.
    """

    def __init__(self, ruta: Path):
        self._con = duckdb.connect()
        self._con.execute("ATTACH $ruta AS base (READ_ONLY)", {"ruta": str(ruta)})
        self._vistas = threading.Lock()
        self._fijadas: dict[int, Fijada] = {}
        self._ruta = None
        self.cursores = _Cursores(self.cursor)
        if not leer(self, "existe_tabla", tabla="incidentes_diarios")["existe"].iloc[0]:
            ejecutar(self, "vista_diarios_antigua")
            self._ruta = consulta("ruta_antigua")
            self.cursores.cerrar()  # los abiertos hasta aquí no ven la vista
        self.versionada = bool(leer(self, "base_versionada")["versionada"].iloc[0])
        self.version = 1
        if self.versionada:
            self.version = int(leer(self, "version_actual")["version"].iloc[0])

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._con.cursor()
        cursor.execute("USE base")
        if self._ruta:  # archivo sin el agregado diario: también la vista que lo reemplaza
            cursor.execute(self._ruta)
        return cursor

    def prestado(self):
        return self.cursores.prestado()

    def close(self) -> None:
        for fijada in self._fijadas.values():
            fijada.cursores.cerrar()
        self.cursores.cerrar()
        self._con.close()

    def en_version(self, version: int | None):
        """La base vista en `version` (None o la vigente: la base misma, sin vistas)."""
        if version is None or version == self.version:
            return self
        _existe(version, self.version)
        with self._vistas:
            if not self._fijadas:
                ejecutar(self, "vistas_fijadas")
            return self._fijadas.setdefault(version, Fijada(self, version))


class Fijada:
    """La base en una versión anterior: sus cursores leen las vistas de esa versión."""

    def __init__(self, base: Base, version: int):
        self.base = base
        self.version = version
        self.cursores = _Cursores(self.cursor)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self.base.cursor()
        cursor.execute(consulta("ruta_fijada"))
        cursor.execute(consulta("fijar_cursor"), {"version": self.version})
        return cursor

    def prestado(self):
        return self.cursores.prestado()


def lista(con) -> pd.DataFrame:
    """Una fila por versión (version, fecha, tipo, archivo, nuevas, actualizadas), la más antigua
    primero; la 1 lleva la fecha en que se generó o creó la base, si se sabe."""
    if leer(con, "base_versionada")["versionada"].iloc[0]:
        tabla = leer(con, "versiones")
    else:
        tabla = pd.DataFrame({"version": [1], "fecha": [pd.NaT], "archivo": [None]})
    metadatos = dict(leer(con, "metadatos").values.tolist())
    creada = metadatos.get("generado_en") or metadatos.get("creada_en")
    fechas = pd.to_datetime(tabla["fecha"])
    if creada:
        fechas.iloc[0] = pd.Timestamp(creada)
    return tabla.assign(fecha=fechas)


def enlace(parametros: dict[str, list[str]], version: int) -> str:
    """`?parámetros&version=N`: la parte de la dirección que reabre una vista en su versión de los
    datos (sin Streamlit, para un informe hecho desde la línea de comandos con `a_url(filtros)`)."""
    return "?" + urlencode(parametros | {PARAMETRO: [str(version)]}, doseq=True)


def abrir(ruta: Path, version: str | None = None):
    """La base de `ruta` en solo lectura, vista en `version` (texto de un parámetro, validado;
    None: la vigente). Devuelve la base (para cerrarla) y lo que se pasa a las consultas."""
    base = Base(ruta)
    try:
        numero = None if version is None else interpretar(version, base.version)
        return base, base.en_version(numero)
    except VersionDesconocida:
        base.close()
        raise
