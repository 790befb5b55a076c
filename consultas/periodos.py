"""Períodos de consulta y ventanas de comparación (CompStat).

Todas las fechas son inclusivas para el usuario; hacia SQL se pasan como [desde, hasta + 1 día).
"""

from dataclasses import dataclass
from datetime import date, timedelta

PRESETS = {
    "7d": "Últimos 7 días",
    "28d": "Últimos 28 días",
    "mes": "Último mes completo",
    "trimestre": "Último trimestre completo",
    "aad": "Año a la fecha",
    "personalizado": "Personalizado",
}
PRESET_POR_DEFECTO = "28d"


@dataclass(frozen=True)
class Ventana:
    desde: date
    hasta: date

    @property
    def dias(self) -> int:
        return (self.hasta - self.desde).days + 1

    def anterior(self) -> "Ventana":
        """La ventana de igual largo que termina el día antes de esta."""
        return Ventana(self.desde - timedelta(days=self.dias), self.desde - timedelta(days=1))

    def anio_anterior(self) -> "Ventana":
        return Ventana(_menos_un_anio(self.desde), _menos_un_anio(self.hasta))


def _menos_un_anio(dia: date) -> date:
    try:
        return dia.replace(year=dia.year - 1)
    except ValueError:  # 29 de febrero
        return dia.replace(year=dia.year - 1, day=28)


def _fin_de_mes(dia: date) -> date:
    siguiente = (dia.replace(day=28) + timedelta(days=4)).replace(day=1)
    return siguiente - timedelta(days=1)


def rango(preset: str, corte: date) -> Ventana:
    """Ventana de un preset, anclada en la fecha de corte de los datos (no en la fecha de hoy)."""
    if preset == "7d":
        return Ventana(corte - timedelta(days=6), corte)
    if preset == "28d":
        return Ventana(corte - timedelta(days=27), corte)
    if preset == "aad":
        return Ventana(date(corte.year, 1, 1), corte)
    if preset == "mes":
        fin = corte if corte == _fin_de_mes(corte) else corte.replace(day=1) - timedelta(days=1)
        return Ventana(fin.replace(day=1), fin)
    if preset == "trimestre":
        inicio_trimestre = date(corte.year, 3 * ((corte.month - 1) // 3) + 1, 1)
        fin_trimestre = _fin_de_mes(date(corte.year, inicio_trimestre.month + 2, 1))
        fin = fin_trimestre if corte == fin_trimestre else inicio_trimestre - timedelta(days=1)
        return Ventana(date(fin.year, fin.month - 2, 1), fin)
    raise ValueError(f"Período desconocido: {preset}")


@dataclass(frozen=True)
class Comparacion:
    periodo: str
    actual: Ventana
    referencias: dict[str, Ventana]  # nombre de la comparación -> ventana


SELECCIONADO = "Período seleccionado"
PERIODO_ANTERIOR = "período anterior"
ANIO_ANTERIOR = "mismo período del año anterior"


def comparaciones_compstat(hasta: date) -> list[Comparacion]:
    """Últimos 7 y 28 días y año a la fecha, contra el período anterior y el año anterior.

    El año a la fecha se compara solo con el año anterior: su "período anterior" no existe.
    """
    siete = rango("7d", hasta)
    veintiocho = rango("28d", hasta)
    aad = rango("aad", hasta)
    return [
        Comparacion(
            "Últimos 7 días",
            siete,
            {PERIODO_ANTERIOR: siete.anterior(), ANIO_ANTERIOR: siete.anio_anterior()},
        ),
        Comparacion(
            "Últimos 28 días",
            veintiocho,
            {PERIODO_ANTERIOR: veintiocho.anterior(), ANIO_ANTERIOR: veintiocho.anio_anterior()},
        ),
        Comparacion("Año a la fecha", aad, {ANIO_ANTERIOR: aad.anio_anterior()}),
    ]


def comparacion_seleccion(ventana: Ventana) -> Comparacion:
    return Comparacion(
        SELECCIONADO,
        ventana,
        {PERIODO_ANTERIOR: ventana.anterior(), ANIO_ANTERIOR: ventana.anio_anterior()},
    )
