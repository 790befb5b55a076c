"""Vocabulario fijo del observatorio: familias de delitos, tipos, fuentes, líneas del programa.

Las familias siguen la clasificación CEAD 2025; `grupo_dmcs` conserva la agrupación clásica de
Delitos de Mayor Connotación Social, que todavía se usa para comparar entre años.
"""

from pathlib import Path
from typing import NamedTuple


class Familia(NamedTuple):
    familia: str
    nombre: str


class Delito(NamedTuple):
    delito: str
    nombre: str
    familia: str
    grupo_dmcs: str | None
    sensible: bool  # VIF y delitos sexuales: nunca como puntos fuera del rol analista


class Fuente(NamedTuple):
    fuente: str
    nombre: str


FAMILIAS = [
    Familia("vida_integridad", "Delitos contra la vida o integridad"),
    Familia("robos_violentos", "Robos violentos"),
    Familia("vif", "Violencia intrafamiliar"),
    Familia("drogas", "Drogas"),
    Familia("armas", "Armas"),
    Familia("propiedad", "Contra la propiedad no violentos"),
    Familia("incivilidades", "Incivilidades"),
    Familia("procedimientos", "Procedimientos municipales"),
]

DELITOS = [
    Delito("homicidio", "Homicidio", "vida_integridad", "Homicidios", False),
    Delito("violacion", "Violación", "vida_integridad", "Violaciones", True),
    Delito("abuso_sexual", "Abuso sexual y otros delitos sexuales", "vida_integridad", None, True),
    Delito("lesiones_graves", "Lesiones graves o gravísimas", "vida_integridad", "Lesiones", False),
    Delito("lesiones_leves", "Lesiones leves", "vida_integridad", "Lesiones", False),
    Delito(
        "robo_violencia",
        "Robo con violencia o intimidación",
        "robos_violentos",
        "Robo con violencia o intimidación",
        False,
    ),
    Delito(
        "robo_violento_vehiculo",
        "Robo violento de vehículo (portonazo, encerrona)",
        "robos_violentos",
        "Robo con violencia o intimidación",
        False,
    ),
    Delito("robo_sorpresa", "Robo por sorpresa", "robos_violentos", "Robo por sorpresa", False),
    Delito("robo_vehiculo", "Robo de vehículo motorizado", "propiedad", "Robo con fuerza", False),
    Delito(
        "robo_objeto_vehiculo",
        "Robo de objetos de o desde vehículo",
        "propiedad",
        "Robo con fuerza",
        False,
    ),
    Delito("robo_lugar_habitado", "Robo en lugar habitado", "propiedad", "Robo con fuerza", False),
    Delito(
        "robo_lugar_no_habitado", "Robo en lugar no habitado", "propiedad", "Robo con fuerza", False
    ),
    Delito("otros_robos_fuerza", "Otros robos con fuerza", "propiedad", "Robo con fuerza", False),
    Delito("hurto", "Hurto", "propiedad", "Hurtos", False),
    Delito("receptacion", "Receptación", "propiedad", None, False),
    Delito("vif_lesiones", "Violencia intrafamiliar con lesiones", "vif", None, True),
    Delito("vif_psicologica", "Violencia intrafamiliar psicológica o amenazas", "vif", None, True),
    Delito("trafico_drogas", "Tráfico de drogas", "drogas", None, False),
    Delito("consumo_drogas", "Consumo o porte de drogas en vía pública", "drogas", None, False),
    Delito("porte_armas", "Porte o tenencia ilegal de armas", "armas", None, False),
    Delito("disparos", "Disparos injustificados", "armas", None, False),
    Delito("amenazas", "Amenazas", "incivilidades", None, False),
    Delito("danos", "Daños", "incivilidades", None, False),
    Delito("desordenes", "Desórdenes en la vía pública", "incivilidades", None, False),
    Delito(
        "alcohol_via_publica", "Consumo de alcohol en vía pública", "incivilidades", None, False
    ),
    Delito("comercio_ambulante", "Comercio ambulante o clandestino", "incivilidades", None, False),
    Delito("ruidos_molestos", "Ruidos molestos", "incivilidades", None, False),
    Delito("alarma_casa_protegida", "Alarma casa protegida", "procedimientos", None, False),
    Delito("boton_panico", "Botón de pánico", "procedimientos", None, False),
    Delito("merodeo", "Merodeo o persona sospechosa", "procedimientos", None, False),
    Delito(
        "patrullaje_preventivo", "Patrullaje preventivo solicitado", "procedimientos", None, False
    ),
    Delito("accidente_transito", "Accidente de tránsito", "procedimientos", None, False),
]

FUENTES = [
    Fuente("policial", "Casos policiales (Carabineros y PDI)"),
    Fuente("central_1402", "Central de llamados municipal 1402"),
    Fuente("camaras", "Cámaras de televigilancia municipal"),
]

# Productos (2.1–2.5) y actividades (sección 3) del Programa de Gestión Territorial 2022.
LINEAS = {
    "2.1": "Estrategias de prevención para disminuir los delitos",
    "2.2": "Fortalecer los vínculos sociales para disminuir la sensación de inseguridad",
    "2.3": "Promover y difundir herramientas para la prevención del delito",
    "2.4": "Marcar presencia en sectores vulnerables",
    "2.5": "Intervención en barrios críticos",
}

ACTIVIDADES = {
    "2.1": [
        "Diagnóstico participativo",
        "Ajuste operativo",
        "Prevención situacional (evaluación casas, censo, caminata segura)",
        "Proyectos tecnológicos (cámaras, casa protegida, GPS)",
        "Implementación de oferta focalizada",
    ],
    "2.2": [
        "Diagnóstico participativo",
        "Reuniones en terreno para definición de necesidades concretas",
        "Ajuste operativo",
        "Prevención situacional (evaluación casas, censo, caminata segura)",
        "Coordinación con otras direcciones municipales",
        "Proyectos tecnológicos (cámaras, casa protegida, GPS)",
    ],
    "2.3": [
        "Puerta a puerta",
        "Capacitaciones",
        "Manuales de prevención",
        "Campañas preventivas",
    ],
    "2.4": [
        "Identificación de espacios públicos vulnerados",
        "Desarrollo de activaciones",
        "Ajuste operativo",
    ],
    "2.5": [
        "Diagnóstico participativo",
        "Fortalecimiento comunitario",
        "Trabajo intersectorial permanente",
        "Participación comunitaria",
        "Obra de confianza",
    ],
}

# Indicadores 0/1 de la encuesta de percepción y victimización.
INDICADORES = {
    "inseguro_barrio": "Se siente inseguro en su barrio",
    "victima_hogar_12m": "Hogar víctima de delito en los últimos 12 meses",
    "denuncio": "Denunció el último delito",
    "percibe_aumento_barrio": "Percibe aumento de la delincuencia en su barrio",
    "conoce_programa": "Conoce el programa",
}


ESQUEMA = Path(__file__).with_name("esquema.sql")


def crear_tablas(con) -> None:
    """Crea las tablas de esquema.sql en una conexión DuckDB y llena los catálogos fijos."""
    con.execute(ESQUEMA.read_text(encoding="utf-8"))
    con.executemany(
        "INSERT INTO familias VALUES (?, ?, ?)",
        [(f.familia, f.nombre, k + 1) for k, f in enumerate(FAMILIAS)],
    )
    con.executemany("INSERT INTO delitos VALUES (?, ?, ?, ?, ?)", DELITOS)
    con.executemany("INSERT INTO fuentes VALUES (?, ?)", FUENTES)
    con.executemany("INSERT INTO lineas VALUES (?, ?)", list(LINEAS.items()))
    con.executemany("INSERT INTO indicadores VALUES (?, ?)", list(INDICADORES.items()))
