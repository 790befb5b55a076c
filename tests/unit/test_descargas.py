import io
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from ui import descargas

TABLA = pd.DataFrame(
    {
        "unidad": ["El Golf", "Fleming"],
        "actual": [1234, 7],
        "variacion_pct": [12.5, np.nan],
        "p_fdr": [0.00012, 0.5],
        "desde": [date(2026, 10, 4), date(2026, 10, 4)],
        "fecha_hora": pd.to_datetime(["2026-10-31 14:30", "2026-10-30 08:00"]),
        "columna_nueva": ["a", "b"],
    }
)


def test_csv_con_punto_y_coma_coma_decimal_y_encabezados_en_castellano():
    contenido = descargas.csv(TABLA)
    assert contenido.startswith(b"\xef\xbb\xbf")  # BOM: Excel reconoce UTF-8
    lineas = contenido.decode("utf-8-sig").splitlines()
    assert lineas[0].split(";")[:4] == ["Unidad", "Casos", "Variación (%)", "p ajustado (FDR)"]
    assert lineas[0].split(";")[-1] == "Columna nueva"
    assert lineas[1].split(";")[:3] == ["El Golf", "1234", "12,5"]


def test_excel_con_numeros_de_verdad_y_formato_de_celda():
    libro = load_workbook(
        io.BytesIO(descargas.excel(TABLA, "Tabla", "Comuna · Datos al 31-10-2026"))
    )
    hoja = libro["Datos"]
    assert [c.value for c in hoja[1]][:3] == ["Unidad", "Casos", "Variación (%)"]
    casos, variacion, p, desde, momento = hoja["B2"], hoja["C2"], hoja["D2"], hoja["E2"], hoja["F2"]
    assert casos.value == 1234 and casos.data_type == "n"
    assert casos.number_format == descargas.FORMATO_ENTERO
    assert variacion.value == 12.5 and variacion.number_format == descargas.FORMATO_DECIMAL
    assert hoja["C3"].value is None  # NaN queda como celda vacía, no como texto
    assert p.value == 0.00012 and p.number_format == descargas.FORMATO_P
    assert desde.value == datetime(2026, 10, 4) and desde.number_format == descargas.FORMATO_FECHA
    assert momento.value == datetime(2026, 10, 31, 14, 30)
    assert momento.number_format == descargas.FORMATO_FECHA_HORA
    acerca = [fila[0].value for fila in libro["Acerca de"].iter_rows()]
    assert "Comuna · Datos al 31-10-2026" in acerca
    assert any(str(v).startswith("Generado el ") for v in acerca)
