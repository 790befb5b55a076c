"""Catálogos y metadatos de la base: lo que los filtros ofrecen y lo que cada página cita."""

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from consultas.sql import leer


@dataclass(frozen=True)
class Catalogo:
    sectores: pd.DataFrame
    barrios: pd.DataFrame
    familias: pd.DataFrame
    delitos: pd.DataFrame
    fuentes: pd.DataFrame
    primera: date
    corte: date
    metadatos: dict[str, str]
    olas: tuple[str, ...] = ()  # de la encuesta, la más reciente primero

    def nombres(self, tabla: str) -> dict[str, str]:
        """id -> nombre visible de una tabla del catálogo."""
        df = getattr(self, tabla)
        return dict(zip(df.iloc[:, 0], df["nombre"], strict=True))

    def corte_de(self, fuente: str) -> date:
        """Fecha de corte de una fuente: las fuentes se actualizan por separado."""
        clave = f"fecha_corte_{fuente}"
        return date.fromisoformat(self.metadatos[clave]) if clave in self.metadatos else self.corte


def metadatos(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    df = leer(con, "metadatos")
    return dict(zip(df["clave"], df["valor"], strict=True))


def catalogo(con: duckdb.DuckDBPyConnection) -> Catalogo:
    meta = metadatos(con)
    rango = leer(con, "rango_fechas").iloc[0]
    # Una base recién creada aún no tiene incidentes: sus fechas quedan en hoy.
    primera = rango["primera"] if pd.notna(rango["primera"]) else date.today()
    ultima = rango["ultima"] if pd.notna(rango["ultima"]) else date.today()
    corte = date.fromisoformat(meta["fecha_corte"]) if "fecha_corte" in meta else ultima
    return Catalogo(
        sectores=leer(con, "sectores"),
        barrios=leer(con, "barrios"),
        familias=leer(con, "familias"),
        delitos=leer(con, "delitos"),
        fuentes=leer(con, "fuentes"),
        primera=pd.Timestamp(primera).date(),
        corte=corte,
        metadatos=meta,
        olas=tuple(leer(con, "olas")["ola"]),
    )


def geometrias(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, str]:
    """GeoJSON de cada barrio y del contorno comunal, para dibujar mapas sin teselas externas."""
    comuna = leer(con, "geometria_comuna")
    return leer(con, "geometrias_barrios"), str(comuna["geometria"].iloc[0])


def historial_importaciones(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Importaciones registradas, la más reciente primero; vacío si la base nunca tuvo una (la
    tabla `importaciones` se crea con la primera)."""
    if not leer(con, "existe_tabla", tabla="importaciones")["existe"].iloc[0]:
        return pd.DataFrame()
    return leer(con, "historial_importaciones")
