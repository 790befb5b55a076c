"""Descargas de cada tabla en CSV y Excel, con encabezados en castellano.

El CSV va con `;` y coma decimal, en UTF-8 con BOM (así lo abre bien un Excel en castellano). El
Excel lleva números de verdad, no texto, con formatos de celda que Excel muestra con los
separadores de la configuración regional (1.234,5 en es-CL), y una hoja «Acerca de» con los
filtros, la fecha de los datos y la hora en que se generó.
"""

import io
from datetime import date, datetime

import pandas as pd
import streamlit as st

from consultas import privacidad
from ui import acceso

# Nombre visible de las columnas que usan las consultas; las demás, con su nombre sin guiones.
ENCABEZADOS = {
    "unidad": "Unidad",
    "familia": "Familia",
    "periodo": "Período",
    "comparacion": "Comparación",
    "desde": "Desde",
    "hasta": "Hasta",
    "fecha": "Fecha",
    "fin": "Fin",
    "actual": "Casos",
    "casos": "Casos",
    "anterior": "Casos período anterior",
    "anio_anterior": "Casos año anterior",
    "variacion_pct": "Variación (%)",
    "variacion_anual_pct": "Variación anual (%)",
    "z_poisson": "z de Poisson",
    "z_anual": "z anual",
    "clasificacion": "Clasificación",
    "clasificacion_anual": "Clasificación anual",
    "tasa": "Tasa por 1.000 hab.",
    "tasa_comuna": "Tasa comunal por 1.000 hab.",
    "poblacion": "Población",
    "esperado": "Esperado",
    "limite_inferior": "Límite inferior",
    "limite_superior": "Límite superior",
    "fuera": "Fuera de lo esperado",
    "limite_95_inf": "Límite 95 % inferior",
    "limite_95_sup": "Límite 95 % superior",
    "limite_998_inf": "Límite 99,8 % inferior",
    "limite_998_sup": "Límite 99,8 % superior",
    "embudo": "Embudo",
    "sector": "Sector",
    "barrio": "Barrio",
    "h3": "Celda H3",
    "gi_z": "z de Gi*",
    "p_valor": "p",
    "p_fdr": "p ajustado (FDR)",
    "clase": "Clase",
    "categoria": "Categoría",
    "periodos_calientes": "Períodos calientes",
    "periodos_frios": "Períodos fríos",
    "casos_ultimo": "Casos último período",
    "z_ultimo": "z último período",
    "tendencia_z": "Tendencia del z (Mann–Kendall)",
    "p_tendencia": "p de la tendencia",
    "ola": "Ola",
    "indicador": "Indicador",
    "estimacion": "Estimación",
    "error_estandar": "Error estándar",
    "ic_inferior": "IC 95 % inferior",
    "ic_superior": "IC 95 % superior",
    "n": "n",
    "gl": "gl",
    "calidad": "Calidad",
    "actividad": "Actividad",
    "inicio": "Inicio",
    "despues": "Casos después",
    "comparacion_antes": "Comparación antes",
    "comparacion_despues": "Comparación después",
    "desplazamiento_antes": "Franja antes",
    "desplazamiento_despues": "Franja después",
    "wdd": "WDD",
    "z": "z",
    "veredicto": "Veredicto",
}
MIME_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATO_ENTERO = "#,##0"
FORMATO_DECIMAL = "#,##0.00"
FORMATO_P = "0.0000"
FORMATO_FECHA = "dd-mm-yyyy"
FORMATO_FECHA_HORA = "dd-mm-yyyy hh:mm"


def encabezado(columna: str) -> str:
    return ENCABEZADOS.get(columna, columna.replace("_", " ").capitalize())


def en_castellano(tabla: pd.DataFrame) -> pd.DataFrame:
    return tabla.rename(columns={c: encabezado(c) for c in tabla.columns})


def csv(tabla: pd.DataFrame) -> bytes:
    return en_castellano(tabla).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def _formato(columna: str, serie: pd.Series) -> str | None:
    if pd.api.types.is_datetime64_any_dtype(serie):
        return FORMATO_FECHA_HORA
    if pd.api.types.is_bool_dtype(serie):
        return None
    if pd.api.types.is_integer_dtype(serie):
        return FORMATO_ENTERO
    if pd.api.types.is_float_dtype(serie):
        return FORMATO_P if columna.startswith("p_") or columna == "p" else FORMATO_DECIMAL
    muestra = serie.dropna()
    if len(muestra) and isinstance(muestra.iloc[0], date):
        return FORMATO_FECHA
    return None


def _celda(valor):
    """Un valor tal como lo guarda openpyxl: NaN y NA como celda vacía."""
    if valor is None or (not isinstance(valor, str) and pd.isna(valor)):
        return None
    if isinstance(valor, pd.Timestamp):
        return valor.to_pydatetime()
    return valor.item() if hasattr(valor, "item") else valor


def excel(tabla: pd.DataFrame, titulo: str, descripcion: str) -> bytes:
    """Un libro con la hoja «Datos» (números como números) y la hoja «Acerca de»."""
    from openpyxl import Workbook  # al usarse: importarlo toma ~0,2 s en el arranque
    from openpyxl.utils import get_column_letter

    libro = Workbook()
    hoja = libro.active
    hoja.title = "Datos"
    hoja.append([encabezado(c) for c in tabla.columns])
    for fila in tabla.itertuples(index=False):
        hoja.append([_celda(v) for v in fila])
    for k, columna in enumerate(tabla.columns, start=1):
        letra = get_column_letter(k)
        formato = _formato(columna, tabla[columna])
        if formato:
            for (celda,) in hoja.iter_rows(min_row=2, min_col=k, max_col=k):
                celda.number_format = formato
        ancho = max([len(encabezado(columna))] + [len(str(v)) for v in tabla[columna].head(200)])
        hoja.column_dimensions[letra].width = min(max(10, ancho + 2), 60)
    hoja.freeze_panes = "A2"
    acerca = libro.create_sheet("Acerca de")
    for fila in [
        ["Observatorio de Seguridad · Municipalidad de Las Condes"],
        [titulo],
        [descripcion],
        [f"Generado el {datetime.now():%d-%m-%Y %H:%M}"],
    ]:
        acerca.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def botones(tabla: pd.DataFrame, nombre: str, titulo: str, descripcion: str) -> None:
    """Botones «CSV» y «Excel» de una tabla; los archivos se generan al hacer clic, y cada
    descarga queda en el registro de auditoría. Para el público, «<5» en los conteos suprimidos."""
    if acceso.rol() == acceso.PUBLICO:
        tabla = privacidad.como_texto(tabla)
    izquierda, derecha, _ = st.columns([1, 1, 4])
    for columna, extension, generar, mime in [
        (izquierda, "csv", lambda: csv(tabla), "text/csv"),
        (derecha, "xlsx", lambda: excel(tabla, titulo, descripcion), MIME_EXCEL),
    ]:
        archivo = f"{nombre}.{extension}"
        columna.download_button(
            f"{titulo} ({'CSV' if extension == 'csv' else 'Excel'})",
            generar,
            file_name=archivo,
            mime=mime,
            key=f"{extension}_{nombre}",
            on_click=acceso.registrar,
            args=("descarga",),
            kwargs={"archivo": archivo, "vista": descripcion},
        )
