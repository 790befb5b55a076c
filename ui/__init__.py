"""La interfaz del tablero (Streamlit) y lo que comparte con la CLI.

Al importarse, el texto de pandas pasa a guardarse en objetos de Python y no en Arrow (el mismo
tipo «str» de pandas 3, con otro almacenamiento): las tablas que dibuja el tablero o exporta la
CLI tienen decenas o cientos de filas, y con Arrow cada filtro, orden o tabla de texto convertía
ida y vuelta. A 1.000.000 de incidentes eran ~40 ms de CPU por ejecución en Cobertura y en la
Ficha (README, «Rendimiento»). La comparación con pandas de `make bench` no importa ui: carga los
datos como pandas los trae.
"""

import pandas as pd

pd.set_option("mode.string_storage", "python")
