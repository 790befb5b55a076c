"""Lo que la página Datos muestra de la base y de una validación, ya en castellano y formato
chileno. Sin Streamlit: la página dibuja, este módulo prepara las tablas."""

import hashlib
from datetime import date

import pandas as pd

from datos import auditoria
from datos.catalogo import INDICADORES
from datos.importacion import TIPOS, Validacion
from ui import formato

# Fuente -> clave de metadatos con la fecha de su último registro.
FRESCURA = [
    ("Casos policiales", "fecha_corte_policial"),
    ("Central 1402", "fecha_corte_central_1402"),
    ("Cámaras", "fecha_corte_camaras"),
    ("Encuestas", "fecha_corte_encuestas"),
    ("Actividades", "fecha_corte_actividades"),
]
MAXIMO_RECHAZADAS = 1000
MAXIMO_ACEPTADAS = 20
COLUMNAS_HISTORIAL = [
    ("filas", "Filas"),
    ("aceptadas", "Aceptadas"),
    ("rechazadas", "Rechazadas"),
    ("nuevas", "Nuevas"),
    ("actualizadas", "Actualizadas"),
    ("sin_cambios", "Sin cambios"),
]
# Encabezados de la vista previa de filas aceptadas; las columnas no listadas quedan como vienen.
ENCABEZADOS = {
    "incidente_id": "ID",
    "respuesta_id": "ID",
    "actividad_id": "ID",
    "fecha_hora": "Fecha y hora",
    "fecha": "Fecha",
    "familia": "Familia",
    "delito": "Delito",
    "fuente": "Fuente",
    "lat": "Latitud",
    "lon": "Longitud",
    "barrio_id": "Barrio",
    "nombre": "Nombre",
    "sector": "Sector",
    "poblacion": "Población",
    "hogares": "Hogares",
    "linea": "Línea",
    "actividad": "Actividad",
    "participantes": "Participantes",
    "ola": "Ola",
    "estrato": "Estrato",
    "conglomerado": "Conglomerado",
    "factor": "Factor",
}
OCULTAS = {"h3", "geometria", "sector_id"}  # derivadas o ilegibles en una tabla


def clave(tipo: str, fuente: str, archivo: str, contenido: bytes, version: tuple) -> tuple:
    """Con qué se guarda una validación: el mismo archivo contra la misma base no se revalida."""
    huella = hashlib.sha256(contenido).hexdigest()
    return tipo, fuente if tipo == "incidentes" else "", archivo, huella, version


def cantidad(n: int, singular: str, plural: str) -> str:
    """'1 fila nueva', '1.234 filas nuevas'."""
    return f"{formato.numero(n)} {singular if n == 1 else plural}"


def tipo_corto(tipo: str) -> str:
    """'Incidentes (casos policiales…)' -> 'Incidentes'."""
    return TIPOS.get(tipo, tipo).split(" (")[0]


def _fecha(texto) -> date | None:
    try:
        return date.fromisoformat(str(texto))
    except ValueError:
        return None


def frescura(metadatos: dict[str, str], hoy: date) -> pd.DataFrame:
    """Fecha del último dato de cada fuente y días transcurridos hasta `hoy`."""
    filas = []
    for nombre, clave_corte in FRESCURA:
        corte = _fecha(metadatos.get(clave_corte, ""))
        filas.append(
            {
                "Fuente": nombre,
                "Datos al": formato.fecha(corte) if corte else "sin datos",
                "Días desde el corte": formato.numero((hoy - corte).days) if corte else "—",
            }
        )
    return pd.DataFrame(filas)


def origen(metadatos: dict[str, str]) -> tuple[bool, str]:
    """(es la demostración sintética, texto que describe la base)."""
    version = metadatos.get("version", "sin versión")
    es_demo = metadatos.get("origen") == "demo"
    if es_demo:
        texto = (
            f"Base de demostración sintética (versión {version}): los barrios, los casos, las "
            "encuestas y las actividades son generados, no son datos reales."
        )
    else:
        texto = f"Base de origen «{metadatos.get('origen', 'desconocido')}», versión {version}."
    if metadatos.get("ultima_importacion"):
        texto += f" Último archivo importado: «{metadatos['ultima_importacion']}»."
    return es_demo, texto


def tabla_historial(historia: pd.DataFrame) -> pd.DataFrame:
    """El historial con fecha dd-mm-aaaa HH:MM y números a la chilena."""
    tabla = pd.DataFrame(
        {
            "Fecha": pd.to_datetime(historia["fecha"]).dt.strftime("%d-%m-%Y %H:%M"),
            # La versión de los datos que creó (la de los enlaces compartidos); «—» si es anterior
            # a las versiones.
            "Versión": historia.get("version", pd.Series(index=historia.index)).map(formato.numero),
            "Tipo": historia["tipo"].map(tipo_corto),
            "Archivo": historia["archivo"],
        }
    )
    for columna, titulo in COLUMNAS_HISTORIAL:
        tabla[titulo] = historia[columna].map(formato.numero)
    return tabla


def metricas(v: Validacion) -> dict[str, str]:
    return {
        "Filas leídas": formato.numero(v.filas),
        "Aceptadas": formato.numero(len(v.aceptadas)),
        "Rechazadas": formato.numero(len(v.rechazadas)),
        "Nuevas": formato.numero(v.nuevas),
        "Actualizadas": formato.numero(v.actualizadas),
        "Sin cambios": formato.numero(v.sin_cambios),
    }


def vista_rechazadas(v: Validacion, maximo: int = MAXIMO_RECHAZADAS) -> pd.DataFrame:
    vista = v.rechazadas.head(maximo).rename(columns={"linea": "Línea", "motivo": "Motivo"})
    return vista.astype({"Línea": "Int64"}) if "Línea" in vista else vista


def _decimal(valor) -> str:
    """Hasta 6 decimales sin ceros de sobra: -33,4167."""
    if pd.isna(valor):
        return "—"
    texto = formato.numero(float(valor), 6)
    return texto.rstrip("0").rstrip(",") if "," in texto else texto


def vista_aceptadas(
    v: Validacion, nombres: dict[str, dict[str, str]], maximo: int = MAXIMO_ACEPTADAS
) -> pd.DataFrame:
    """Las primeras filas tal como quedarían en la base, legibles: fechas dd-mm-aaaa, decimales
    con coma, Sí/No y nombres del catálogo (`nombres`: columna -> id -> nombre), no códigos."""
    datos = v.aceptadas.head(maximo)
    encabezados = ENCABEZADOS
    if v.tipo == "barrios":  # los barrios nuevos aún no están en el catálogo: se muestra su id
        encabezados = ENCABEZADOS | {"barrio_id": "ID"}
        nombres = {}
    vista = pd.DataFrame(index=datos.index)
    for columna in datos.columns:
        if columna in OCULTAS:
            continue
        serie = datos[columna]
        if columna in INDICADORES or str(serie.dtype) == "Int8":  # también indicadores nuevos
            texto = serie.map(lambda x: "—" if pd.isna(x) else ("Sí" if x else "No"))
        elif pd.api.types.is_datetime64_any_dtype(serie):
            texto = serie.dt.strftime("%d-%m-%Y %H:%M")
        elif columna == "fecha":
            texto = serie.map(lambda f: formato.fecha(f) if pd.notna(f) else "—")
        elif pd.api.types.is_float_dtype(serie):
            texto = serie.map(_decimal)
        elif pd.api.types.is_integer_dtype(serie):
            texto = serie.map(lambda n: formato.numero(int(n)) if pd.notna(n) else "—")
        elif columna in nombres:
            texto = serie.map(lambda x, m=nombres[columna]: m.get(x, x))
        else:
            texto = serie
        vista[encabezados.get(columna, columna)] = texto
    return vista.reset_index(drop=True)


def resumen(v: Validacion) -> dict:
    """Lo que la página recuerda de una importación para mostrarlo después de recargar."""
    return {
        "archivo": v.archivo,
        "tipo": tipo_corto(v.tipo),
        "nuevas": v.nuevas,
        "actualizadas": v.actualizadas,
        "sin_cambios": v.sin_cambios,
        "cambio": v.cambia_algo,
    }


def mensaje(resultado: dict) -> str:
    """Texto del resultado de una importación."""
    if not resultado["cambio"]:
        return (
            f"«{resultado['archivo']}» no cambió nada: la base ya tenía esos datos "
            "(otra importación los agregó mientras tanto)."
        )
    return (
        f"Se importó «{resultado['archivo']}» ({resultado['tipo']}): "
        f"{cantidad(resultado['nuevas'], 'fila nueva', 'filas nuevas')}, "
        f"{cantidad(resultado['actualizadas'], 'actualizada', 'actualizadas')} y "
        f"{formato.numero(resultado['sin_cambios'])} sin cambios. "
        "El tablero ya muestra los datos nuevos."
    )


def leyenda_rechazadas(v: Validacion, maximo: int = MAXIMO_RECHAZADAS) -> str:
    total = len(v.rechazadas)
    if total > maximo:
        return (
            f"Primeras {formato.numero(maximo)} de {formato.numero(total)} filas rechazadas de "
            f"«{v.archivo}», con su línea en el archivo y el motivo; la descarga trae todas"
        )
    filas = cantidad(total, "fila rechazada", "filas rechazadas")
    return f"{filas} de «{v.archivo}», con su línea en el archivo y el motivo"


def leyenda_aceptadas(v: Validacion, maximo: int = MAXIMO_ACEPTADAS) -> str:
    total = len(v.aceptadas)
    if total > maximo:
        inicio = f"Primeras {formato.numero(maximo)} de {formato.numero(total)} filas aceptadas"
    else:
        inicio = (
            "La fila aceptada" if total == 1 else f"Las {formato.numero(total)} filas aceptadas"
        )
    return f"{inicio} de «{v.archivo}», tal como quedarían en la base"


def leyenda_historial(historia: pd.DataFrame) -> str:
    n = len(historia)
    registradas = cantidad(n, "importación registrada", "importaciones registradas")
    orden = ", de la más reciente a la más antigua" if n > 1 else ""
    return f"{registradas} en la base{orden}; fecha y hora del servidor"


def tabla_auditoria(registro: pd.DataFrame) -> pd.DataFrame:
    """El registro de auditoría para leer en pantalla."""
    return pd.DataFrame(
        {
            "Fecha y hora": pd.to_datetime(registro["momento"]).dt.strftime("%d-%m-%Y %H:%M:%S"),
            "Evento": registro["evento"].map(lambda e: auditoria.EVENTOS.get(e, e)),
            "Quién": registro["quien"],
            "Rol": registro["rol"],
            "Detalle": registro["detalle"].map(
                lambda d: " · ".join(f"{k}: {v}" for k, v in (d or {}).items())
            ),
        }
    )
