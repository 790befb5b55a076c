"""Rol de quien usa el tablero. Lo fija el servidor, nunca la URL.

Sin proveedor de identidad (uso local, la demostración) se trabaja como analista; la variable de
entorno OBSERVATORIO_ROL fija otro rol para una pantalla pública o un quiosco.
"""

import os

ROLES = {"director": "Dirección", "analista": "Analista", "publico": "Público"}
ROL_LOCAL = "analista"


def rol() -> str:
    valor = os.environ.get("OBSERVATORIO_ROL", ROL_LOCAL).strip().lower()
    return valor if valor in ROLES else "publico"  # un valor desconocido no da más acceso


def ve_puntos() -> bool:
    """Solo el analista ve ubicaciones de casos (DISENO.md §5)."""
    return rol() == "analista"
