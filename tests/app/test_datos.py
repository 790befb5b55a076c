import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from datos import importacion

APP = str(Path(__file__).parents[2] / "app.py")
CABECERA = "ID;Fecha;Delito;Latitud;Longitud"
MIXTO = "\n".join(
    [
        CABECERA,
        "T-1;15-10-2026 14:30;Hurtos;-33,4167;-70,5966",
        "T-2;16-10-2026 22:10;Robo por sorpresa;-33,4100;-70,5700",
        "T-3;2026-13-01;Hurto;-33,41;-70,57",
        "T-4;01-10-2026 08:00;Robo de gallinas;-33,41;-70,57",
    ]
).encode("utf-8")
FUENTES = [
    ("Casos policiales", "policial"),
    ("Central 1402", "central_1402"),
    ("Cámaras", "camaras"),
    ("Encuestas", "encuestas"),
    ("Actividades", "actividades"),
]


@pytest.fixture
def base_demo(copia_demo, monkeypatch):
    monkeypatch.setenv("OBSERVATORIO_DB", str(copia_demo))
    return copia_demo


def abrir_datos() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("paginas/datos.py").run()
    assert not at.exception
    return at


def subir(at: AppTest, contenido: bytes, nombre: str = "casos.csv") -> AppTest:
    at.file_uploader[0].set_value((nombre, contenido, "text/csv")).run()
    assert not at.exception
    return at


def metricas(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def botones_importar(at: AppTest) -> list:
    return [b for b in at.button if b.label.startswith("Importar")]


def tabla(at: AppTest, primera_columna: str):
    tablas = [d.value for d in at.dataframe if d.value.columns[0] == primera_columna]
    assert len(tablas) == 1, f"se esperaba una tabla que parte con «{primera_columna}»"
    return tablas[0]


def consultar(ruta: Path, sql: str):
    """Lee el archivo tal como está en disco. `duckdb.connect(ruta)` devolvería la base que la
    aplicación tenga abierta en este mismo proceso aunque el archivo ya se haya reemplazado."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH $ruta AS base (READ_ONLY)", {"ruta": str(ruta)})
        con.execute("USE base")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_frescura_por_fuente_y_sin_importaciones(base_demo):
    at = abrir_datos()
    assert [t.value for t in at.title] == ["Datos"]
    metadatos = dict(consultar(base_demo, "SELECT clave, valor FROM metadatos"))
    esperado = []
    for nombre, fuente in FUENTES:
        corte = date.fromisoformat(metadatos[f"fecha_corte_{fuente}"])
        esperado.append([nombre, corte.strftime("%d-%m-%Y"), str((date.today() - corte).days)])
    frescura = tabla(at, "Fuente")
    assert frescura.values.tolist() == esperado
    assert esperado[0][1] == "31-10-2026"
    assert list(frescura.columns) == ["Fuente", "Datos al", "Días desde el corte"]
    assert any("demostración sintética" in w.value for w in at.warning)
    assert any(metadatos["version"] in w.value for w in at.warning)
    assert any("Datos al 31-10-2026" in c.value for c in at.caption)
    assert any("Todavía no hay importaciones" in i.value for i in at.info)
    assert at.selectbox(key="datos_tipo").options == list(importacion.TIPOS.values())
    assert at.file_uploader[0].allowed_type == [".csv", ".xlsx"]
    assert not at.metric and not botones_importar(at)


def test_base_real_sin_encuestas_dice_sin_datos(base):
    """La base de prueba no es la demostración y no trae cortes de encuestas ni actividades."""
    at = abrir_datos()
    frescura = tabla(at, "Fuente").set_index("Fuente")
    assert frescura.loc["Encuestas", "Datos al"] == "sin datos"
    assert frescura.loc["Actividades", "Días desde el corte"] == "—"
    assert not at.warning
    assert any("«prueba», versión fixture-1" in i.value for i in at.info)
    assert any("Todavía no hay importaciones" in i.value for i in at.info)


def test_tabla_de_importaciones_vacia_tambien_dice_que_no_hay(base_demo):
    con = duckdb.connect(str(base_demo))
    con.execute("CREATE TABLE importaciones (importacion_id INTEGER, fecha TIMESTAMP)")
    con.close()
    at = abrir_datos()
    assert any("Todavía no hay importaciones" in i.value for i in at.info)


def test_subir_validar_e_importar(base_demo):
    antes = consultar(base_demo, "SELECT count(*) FROM incidentes")[0][0]
    at = subir(abrir_datos(), MIXTO)
    assert metricas(at) == {
        "Filas leídas": "4",
        "Aceptadas": "2",
        "Rechazadas": "2",
        "Nuevas": "2",
        "Actualizadas": "0",
        "Sin cambios": "0",
    }
    assert any("Codificación UTF-8, separador punto y coma" in c.value for c in at.caption)
    rechazadas = tabla(at, "Línea")
    assert rechazadas[["Línea", "Motivo"]].values.tolist() == [
        [4, "fecha inválida «2026-13-01»"],
        [5, "delito desconocido «Robo de gallinas»"],
    ]
    assert list(rechazadas.columns[2:]) == ["ID", "Fecha", "Delito", "Latitud", "Longitud"]
    assert any("2 filas rechazadas de «casos.csv»" in c.value for c in at.caption)
    assert any("Las 2 filas aceptadas de «casos.csv»" in c.value for c in at.caption)
    assert at.get("download_button"), "falta la descarga de filas rechazadas"
    aceptadas = tabla(at, "ID")
    assert aceptadas["ID"].tolist() == ["T-1", "T-2"]
    assert aceptadas["Fecha y hora"].tolist() == ["15-10-2026 14:30", "16-10-2026 22:10"]
    assert aceptadas["Delito"].tolist() == ["Hurto", "Robo por sorpresa"]
    assert aceptadas["Latitud"].tolist() == ["-33,4167", "-33,41"]
    assert (aceptadas["Fuente"] == "Casos policiales (Carabineros y PDI)").all()
    assert sin_escrituras(base_demo, antes), "validar no debe escribir en la base"

    [boton] = botones_importar(at)
    assert boton.label == "Importar 2 filas"
    boton.click().run()
    assert not at.exception
    assert consultar(base_demo, "SELECT count(*) FROM incidentes")[0][0] == antes + 2
    ids = consultar(
        base_demo, "SELECT incidente_id, delito FROM incidentes WHERE incidente_id LIKE 'T-%'"
    )
    assert sorted(ids) == [("T-1", "hurto"), ("T-2", "robo_sorpresa")]
    assert consultar(base_demo, "SELECT count(*) FROM importaciones")[0][0] == 1

    # Tras recargar: el resultado sigue a la vista, el selector vacío y el historial lo muestra.
    exito = " ".join(s.value for s in at.success)
    assert "Se importó «casos.csv»" in exito and "2 filas nuevas, 0 actualizadas y 0 sin" in exito
    assert at.file_uploader[0].value is None
    assert not at.metric
    historial = tabla(at, "Fecha")
    assert historial.drop(columns="Fecha").values.tolist() == [
        ["2", "Incidentes", "casos.csv", "4", "2", "2", "2", "0", "0"]  # crea la versión 2
    ]
    assert historial["Fecha"].str.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}").all()
    assert not any("Todavía no hay importaciones" in i.value for i in at.info)
    assert any("1 importación registrada en la base;" in c.value for c in at.caption)

    # El mismo archivo otra vez se valida contra la base nueva: ya no cambia nada.
    subir(at, MIXTO)
    assert metricas(at)["Nuevas"] == "0" and metricas(at)["Sin cambios"] == "2"
    assert any("El archivo no cambia nada en la base" in i.value for i in at.info)
    assert not botones_importar(at)
    assert not at.success


def sin_escrituras(ruta: Path, antes: int) -> bool:
    """Validar no escribe nada en la base."""
    return consultar(ruta, "SELECT count(*) FROM incidentes")[0][0] == antes and not consultar(
        ruta, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'importaciones'"
    )


def test_la_validacion_se_guarda_entre_ejecuciones(base_demo, monkeypatch):
    llamadas = []
    original = importacion.validar

    def contar(con, tipo, contenido, archivo, fuente="policial"):
        llamadas.append(fuente)
        return original(con, tipo, contenido, archivo, fuente)

    monkeypatch.setattr(importacion, "validar", contar)
    at = subir(abrir_datos(), MIXTO)
    at.run()
    at.run()
    assert llamadas == ["policial"]
    at.selectbox(key="datos_fuente").set_value("central_1402").run()
    assert not at.exception
    assert llamadas == ["policial", "central_1402"]
    fuentes = set(tabla(at, "ID")["Fuente"])
    assert fuentes == {"Central de llamados municipal 1402"}


def test_archivo_sin_columnas_obligatorias_muestra_solo_el_error(base_demo):
    at = subir(abrir_datos(), b"Folio;Fecha\n1;01-10-2026\n")
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(
        "Faltan columnas obligatorias: delito (o tipo, tipo_delito, procedimiento, categoria), "
        "lat (o latitud), lon (o lng, long, longitud)."
    )
    assert "Traceback" not in error.value
    assert not at.metric and not botones_importar(at) and not at.get("download_button")
    assert [d.value.columns[0] for d in at.dataframe] == ["Fuente"]  # solo la frescura


def test_todo_rechazado_muestra_el_error_y_las_filas(base_demo):
    filas = [CABECERA] + [f"R-{k};99-99-2026;Hurto;-33,41;-70,57" for k in range(1200)]
    at = subir(abrir_datos(), "\n".join(filas).encode("utf-8"), "malo.csv")
    assert metricas(at)["Aceptadas"] == "0"
    assert metricas(at)["Rechazadas"] == "1.200"
    assert any("Ninguna fila del archivo se puede importar" in e.value for e in at.error)
    assert not botones_importar(at)
    assert len(tabla(at, "Línea")) == 1000
    assert any(
        "Primeras 1.000 de 1.200 filas rechazadas de «malo.csv»" in c.value
        and "la descarga trae todas" in c.value
        for c in at.caption
    )
    [descarga] = at.get("download_button")
    assert descarga.proto.label == "Descargar las 1.200 filas rechazadas (CSV)"
    csv = importacion.rechazadas_csv(at.session_state["datos_validacion"][1])
    assert csv.startswith(b"\xef\xbb\xbf")
    lineas = csv.decode("utf-8-sig").splitlines()
    assert lineas[0] == "linea;motivo;ID;Fecha;Delito;Latitud;Longitud"
    assert lineas[1] == "2;fecha inválida «99-99-2026»;R-0;99-99-2026;Hurto;-33,41;-70,57"
    assert len(lineas) == 1201


def test_barrios_piden_geojson_y_no_preguntan_la_fuente(base_demo):
    at = abrir_datos()
    at.selectbox(key="datos_tipo").set_value("barrios").run()
    assert not at.exception
    assert [s.label for s in at.main.selectbox] == ["Tipo de archivo"]
    assert at.file_uploader[0].allowed_type == [".geojson", ".json"]
    filas = consultar(
        base_demo,
        "SELECT b.nombre, s.nombre, poblacion, hogares, geometria "
        "FROM barrios b JOIN sectores s USING (sector_id) ORDER BY barrio_id LIMIT 2",
    )
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"barrio": b, "sector": s, "poblacion": p, "hogares": h},
                "geometry": json.loads(g),
            }
            for b, s, p, h, g in filas
        ],
    }
    at.file_uploader[0].set_value(("barrios.geojson", json.dumps(geojson).encode(), "")).run()
    assert not at.exception
    assert metricas(at)["Aceptadas"] == "2" and metricas(at)["Sin cambios"] == "2"
    assert any("El archivo no cambia nada en la base" in i.value for i in at.info)
    assert not botones_importar(at)
    assert tabla(at, "ID")["Nombre"].tolist() == [filas[0][0], filas[1][0]]


def test_los_filtros_de_la_url_siguen_al_cambiar_de_pagina(base_demo):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["periodo"] = "7d"
    at.query_params["sector"] = ["fleming", "no-existe"]
    at.run()
    assert any("sector desconocido «no-existe»" in w.value for w in at.warning)
    at.switch_page("paginas/datos.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Datos"]
    assert at.query_params == {"periodo": "7d", "sector": "fleming"}
    at.switch_page("paginas/resumen.py").run()
    assert any("Sectores Fleming" in c.value for c in at.caption)
