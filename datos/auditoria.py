"""Registro de auditoría: quién hizo qué y cuándo (ingresos, importaciones, descargas,
exportaciones). Lo exige mostrar una municipalidad que trata datos personales.

Un archivo JSON Lines junto a la base (`<base>.auditoria.jsonl`), no dentro de ella: la aplicación
abre la base en solo lectura y una importación la reemplaza entera. Cada evento es una línea
agregada con O_APPEND bajo un candado, así varios procesos escriben sin pisarse.
"""

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

EVENTOS = {
    "ingreso": "Inicio de sesión",
    "importacion": "Importación",
    "descarga": "Descarga",
    "exportacion": "Exportación (línea de comandos)",
    "informe": "Informe",
}
COLUMNAS = ["momento", "evento", "quien", "rol", "detalle"]


def ruta(base: Path) -> Path:
    base = Path(base)
    return base.with_name(base.name + ".auditoria.jsonl")


def registrar(base: Path, evento: str, quien: str, rol: str, **detalle) -> None:
    """Agrega un evento; `detalle` dice qué vista, filtros o archivo."""
    if evento not in EVENTOS:
        raise ValueError(f"Evento de auditoría desconocido: {evento}")
    linea = json.dumps(
        {
            "momento": datetime.now().isoformat(timespec="seconds"),
            "evento": evento,
            "quien": quien,
            "rol": rol,
            "detalle": {k: v for k, v in detalle.items() if v not in (None, "", [], ())},
        },
        ensure_ascii=False,
        default=str,
    )
    archivo = ruta(base)
    with open(archivo, "a", encoding="utf-8") as salida:
        fcntl.flock(salida, fcntl.LOCK_EX)
        salida.write(linea + "\n")
        salida.flush()
        os.fsync(salida.fileno())


def leer(base: Path, limite: int = 1000) -> pd.DataFrame:
    """Los últimos `limite` eventos, el más reciente primero (vacío si nunca hubo uno)."""
    archivo = ruta(base)
    if not archivo.exists():
        return pd.DataFrame(columns=COLUMNAS)
    lineas = archivo.read_text(encoding="utf-8").splitlines()[-limite:]
    eventos = []
    for linea in reversed(lineas):
        try:
            eventos.append(json.loads(linea))
        except json.JSONDecodeError:  # una línea cortada por un corte de luz no impide leer
            continue
    return pd.DataFrame(eventos, columns=COLUMNAS)
