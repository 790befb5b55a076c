import hashlib
import io
import json
import shutil

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import observatorio
from consultas import encuestas
from datos import importacion

CABECERA = "ID;Fecha;Hora;Delito;Latitud;Longitud;Barrio"
MIXTO = "\n".join(
    [
        CABECERA,
        "X-1;15-10-2026;14:30;Hurtos;-33,4167;-70,5966;",
        "X-2;15/10/2026 22:10;;Robo por sorpresa;-33,4100;-70,5700;El Golf",
        "",
        "X-3;2026-13-01;;Hurto;-33.41;-70.57;",
        "X-4;2026-10-01;;Robo de gallinas;-33.41;-70.57;",
        "X-5;2026-10-01;;Hurto;-70.57;-33.41;",
        "X-6;2026-10-01;;Hurto;-33.50;-70.70;",
        "X-1;2026-10-01;;Hurto;-33.41;-70.57;",
        CABECERA,
        "X-7;2026-10-02;;Hurto;-33.41;-70.57;Atlántida",
    ]
)
MOTIVOS_MIXTO = {
    5: "fecha inválida «2026-13-01»",
    6: "delito desconocido «Robo de gallinas»",
    7: "latitud y longitud invertidas",
    8: "coordenadas fuera de la comuna",
    9: "id duplicado en el archivo «X-1»",
    10: "encabezado repetido",
    11: "barrio desconocido «Atlántida»",
}


@pytest.fixture
def base(copia_demo):
    return copia_demo


def huella(ruta) -> str:
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


def validar(ruta, tipo, contenido: bytes, archivo="archivo.csv", fuente="policial"):
    con = duckdb.connect(str(ruta), read_only=True)
    try:
        return importacion.validar(con, tipo, contenido, archivo, fuente)
    finally:
        con.close()


def consultar(ruta, sql, *parametros):
    con = duckdb.connect(str(ruta), read_only=True)
    try:
        return con.execute(sql, list(parametros)).df()
    finally:
        con.close()


def test_csv_latin1_con_punto_y_coma_y_decimales_con_coma(base):
    v = validar(base, "incidentes", MIXTO.encode("cp1252"))
    assert "Codificación Windows-1252, separador punto y coma" in v.notas
    assert "1 línea en blanco omitida" in v.notas
    assert sorted(v.aceptadas["incidente_id"]) == ["X-1", "X-2"]
    assert dict(zip(v.rechazadas["linea"], v.rechazadas["motivo"], strict=True)) == MOTIVOS_MIXTO
    assert v.filas == 9 and v.nuevas == 2
    x1 = v.aceptadas.set_index("incidente_id").loc["X-1"]
    assert x1["fecha_hora"] == pd.Timestamp("2026-10-15 14:30")
    assert (x1["lat"], x1["lon"]) == (-33.4167, -70.5966)
    assert (x1["familia"], x1["delito"], x1["fuente"]) == ("propiedad", "hurto", "policial")
    assert x1["barrio_id"]  # ubicado por el punto


def test_utf8_con_bom_coma_y_fechas_iso(base):
    texto = (
        "id,fecha_hora,DELITO,lat,lon,fuente\n"
        "A1,2026-10-03 08:15,Violencia intrafamiliar con lesiones,-33.41,-70.57,Central 1402\n"
        "A2,2026-10-03T23:59:00,Alarma casa protegida,-33.42,-70.55,cámaras\n"
    )
    v = validar(base, "incidentes", texto.encode("utf-8-sig"))
    assert v.rechazadas.empty
    assert list(v.aceptadas["fuente"]) == ["central_1402", "camaras"]
    assert list(v.aceptadas["familia"]) == ["vif", "procedimientos"]


def test_xlsx_cita_la_fila_de_la_planilla(base, tmp_path):
    planilla = pd.DataFrame(
        {
            "Folio": ["B1", "B2"],
            "Fecha": ["01-09-2026 10:00", "no sé"],
            "Tipo": ["Hurto", "Hurto"],
            "Latitud": ["-33,41", "-33,41"],
            "Longitud": ["-70,57", "-70,57"],
        }
    )
    salida = io.BytesIO()
    planilla.to_excel(salida, index=False)
    v = validar(base, "incidentes", salida.getvalue(), "casos.xlsx")
    assert list(v.aceptadas["incidente_id"]) == ["B1"]
    assert v.rechazadas[["linea", "motivo"]].values.tolist() == [[3, "fecha inválida «no sé»"]]


def test_importar_dos_veces_no_cambia_nada(base):
    v = importacion.aplicar(base, validar(base, "incidentes", MIXTO.encode("cp1252")))
    assert (v.nuevas, v.actualizadas) == (2, 0)
    antes = huella(base)
    otra = importacion.aplicar(base, validar(base, "incidentes", MIXTO.encode("cp1252")))
    assert (otra.nuevas, otra.actualizadas, otra.sin_cambios) == (0, 0, 2)
    assert huella(base) == antes
    historial = consultar(base, "SELECT * FROM importaciones")
    assert len(historial) == 1 and historial["aceptadas"].iloc[0] == 2


def test_fila_cambiada_se_actualiza_y_cuenta(base):
    importacion.aplicar(base, validar(base, "incidentes", MIXTO.encode("cp1252")))
    total = consultar(base, "SELECT count(*) AS n FROM incidentes")["n"].iloc[0]
    cambiado = MIXTO.replace(
        "X-1;15-10-2026;14:30;Hurtos", "X-1;15-10-2026;14:30;Robo por sorpresa"
    )
    v = importacion.aplicar(base, validar(base, "incidentes", cambiado.encode("cp1252")))
    assert (v.nuevas, v.actualizadas, v.sin_cambios) == (0, 1, 1)
    assert consultar(base, "SELECT count(*) AS n FROM incidentes")["n"].iloc[0] == total
    fila = consultar(base, "SELECT delito, familia FROM incidentes WHERE incidente_id = 'X-1'")
    assert fila.values.tolist() == [["robo_sorpresa", "robos_violentos"]]
    fechas = consultar(base, "SELECT fecha_hora FROM incidentes")["fecha_hora"]
    assert fechas.is_monotonic_increasing  # la tabla sigue ordenada por fecha
    meta = consultar(base, "SELECT valor FROM metadatos WHERE clave = 'version'")
    assert meta["valor"].iloc[0].startswith("imp-")


@pytest.mark.parametrize(
    ("contenido", "mensaje", "codigo"),
    [
        (b"a;b\n1;2\n", "Faltan columnas obligatorias: id (o incidente_id, folio", 1),
        (b"", "El archivo está vacío", 1),
        (b"\n\n  \n", "El archivo está vacío", 1),
        (b"id;fecha_hora;delito;lat;lon\n1;nunca;x;a;b\n", "Se rechazaron todas las filas (1)", 1),
        (b"id;id;fecha_hora\n", "columnas vacías o repetidas", 1),
        (b"id;fecha_hora;delito;lat;lon\n", "El archivo no tiene filas de datos", 1),
        (b"id;fecha_hora;delito;lat;lon\n\n\n", "El archivo no tiene filas de datos", 1),
    ],
)
def test_importacion_imposible_deja_la_base_intacta(
    base, tmp_path, capsys, contenido, mensaje, codigo
):
    archivo = tmp_path / "malo.csv"
    archivo.write_bytes(contenido)
    antes = huella(base)
    argumentos = ["importar", "incidentes", str(archivo), "--db", str(base)]
    resultado = observatorio.main([*argumentos, "--informe", str(tmp_path / "inf")])
    err = capsys.readouterr().err
    assert resultado == codigo
    assert mensaje in err
    assert err.strip().splitlines()[-1].startswith("observatorio: ")
    assert huella(base) == antes


def test_un_error_al_escribir_no_deja_nada_a_medias(base, monkeypatch):
    v = validar(base, "incidentes", MIXTO.encode("cp1252"))
    antes = huella(base)

    def fallar(*args, **kwargs):
        raise duckdb.IOException("disco lleno")

    monkeypatch.setattr(importacion, "_reasignar_incidentes", fallar)
    monkeypatch.setattr(importacion, "ejecutar", fallar)
    with pytest.raises(duckdb.IOException):
        importacion.aplicar(base, v)
    assert huella(base) == antes
    assert not list(base.parent.glob("*.importando"))


def test_cli_importa_y_escribe_informe_y_rechazos(base, tmp_path, capsys):
    archivo = tmp_path / "casos.csv"
    archivo.write_bytes(MIXTO.encode("cp1252"))
    codigo = observatorio.main(
        ["importar", "incidentes", str(archivo), "--db", str(base), "--informe", str(tmp_path)]
    )
    assert codigo == 0
    assert "2 filas aceptadas (2 nuevas" in capsys.readouterr().out
    informe = (tmp_path / "informe.txt").read_text(encoding="utf-8")
    assert "Rechazadas: 7" in informe and "delito desconocido" in informe
    rechazos = pd.read_csv(tmp_path / "rechazadas.csv", sep=";", encoding="utf-8-sig")
    assert sorted(rechazos["linea"]) == sorted(MOTIVOS_MIXTO)
    assert "Robo de gallinas" in set(rechazos["Delito"])  # la fila original se conserva


def test_encuestas_con_si_no_y_reglas(base):
    barrio = consultar(base, "SELECT nombre FROM barrios ORDER BY barrio_id LIMIT 1")["nombre"][0]
    texto = "\n".join(
        [
            "id;ola;barrio;estrato;conglomerado;factor;inseguro_barrio;victima_hogar_12m;denuncio",
            f"E1;2026-1;{barrio.upper()};s1;c1;12,5;sí;Si;no",
            f"E2;2026 2;{barrio};s1;c1;10;no;0;",
            f"E3;2026-1;{barrio};s1;c1;0;1;1;1",
            f"E4;2026-3;{barrio};s1;c1;3;1;1;1",
            "E5;2026-1;Atlántida;s1;c1;3;1;1;1",
            f"E6;2026-1;{barrio};s1;c1;3;tal vez;1;1",
        ]
    )
    v = validar(base, "encuestas", texto.encode("utf-8"))
    assert list(v.aceptadas["respuesta_id"]) == ["E1", "E2"]
    e1 = v.aceptadas.iloc[0]
    assert (e1["inseguro_barrio"], e1["victima_hogar_12m"], e1["denuncio"]) == (1, 1, 0)
    assert e1["factor"] == 12.5 and str(e1["fecha"]) == "2026-05-15"
    assert v.aceptadas.iloc[1]["ola"] == "2026-2" and pd.isna(v.aceptadas.iloc[1]["denuncio"])
    motivos = dict(zip(v.rechazadas["linea"], v.rechazadas["motivo"], strict=True))
    assert motivos[4] == "factor no positivo «0»"
    assert motivos[5].startswith("ola inválida")
    assert motivos[6] == "barrio desconocido «Atlántida»"
    assert motivos[7] == "valor no válido en inseguro_barrio «tal vez»"


def test_encuestas_con_un_indicador_nuevo(base):
    """Una columna sí/no que no está en el catálogo entra como indicador; una de texto, no."""
    barrio = consultar(base, "SELECT nombre FROM barrios ORDER BY barrio_id LIMIT 1")["nombre"][0]
    filas = [
        "id;ola;barrio;estrato;conglomerado;factor;inseguro_barrio;Confía en Carabineros;nota",
        f"N1;2027-1;{barrio};s1;c1;10;1;sí;hola",
        f"N2;2027-1;{barrio};s1;c2;12;0;No;",
        f"N3;2027-1;{barrio};s1;c2;12;0;;chao",
    ]
    archivo = "\n".join(filas).encode("utf-8")
    v = importacion.aplicar(base, validar(base, "encuestas", archivo))
    assert (v.nuevas, v.actualizadas) == (3, 0)
    guardado = consultar(
        base,
        "SELECT respuesta_id, confia_en_carabineros FROM encuesta_respuestas"
        " WHERE ola = '2027-1' ORDER BY 1",
    )
    assert guardado["confia_en_carabineros"].tolist()[:2] == [1, 0]
    assert pd.isna(guardado["confia_en_carabineros"].iloc[2])
    columnas = consultar(base, "SELECT * FROM encuesta_respuestas LIMIT 0").columns
    assert "nota" not in columnas
    con = duckdb.connect(str(base), read_only=True)
    try:
        assert encuestas.indicadores(con)["confia_en_carabineros"] == "confia_en_carabineros"
        est = encuestas.estimaciones(con, ("2027-1",))
    finally:
        con.close()
    fila = est[(est["nivel"] == "comuna") & (est["indicador"] == "confia_en_carabineros")]
    assert fila["estimacion"].iloc[0] == pytest.approx(10 / 22)
    assert fila["calidad"].iloc[0] == "no fiable" and fila["n"].iloc[0] == 2

    antes = huella(base)
    otra = validar(base, "encuestas", archivo)
    assert (otra.nuevas, otra.actualizadas) == (0, 0)
    cambiado = validar(base, "encuestas", archivo.replace(b"No;", b"si;"))
    assert (cambiado.nuevas, cambiado.actualizadas) == (0, 1)
    assert huella(base) == antes


def test_actividades_por_linea_y_actividad(base):
    barrio = consultar(base, "SELECT nombre FROM barrios LIMIT 1")["nombre"][0]
    texto = "\n".join(
        [
            "id;fecha;barrio;línea;actividad;participantes;hogares",
            f"A1;03-03-2026;{barrio};2,3;puerta a puerta;12;150",
            f"A2;03-03-2026;{barrio};Línea 2.5;Obra de confianza;30;",
            f"A3;03-03-2026;{barrio};2.3;Obra de confianza;30;",
            f"A4;03-03-2026;{barrio};2.9;Capacitaciones;30;",
            f"A5;03-03-2026;{barrio};2.3;Capacitaciones;-4;",
        ]
    )
    v = validar(base, "actividades", texto.encode("utf-8"))
    assert v.aceptadas[["actividad_id", "linea", "actividad", "hogares"]].values.tolist() == [
        ["A1", "2.3", "Puerta a puerta", 150],
        ["A2", "2.5", "Obra de confianza", 0],
    ]
    motivos = dict(zip(v.rechazadas["linea"], v.rechazadas["motivo"], strict=True))
    assert motivos[4] == "actividad desconocida para la línea 2.3 «Obra de confianza»"
    assert motivos[5].startswith("línea desconocida")
    assert motivos[6].startswith("participantes inválido")


def geojson(*barrios) -> bytes:
    """Barrios rectangulares: (nombre, sector, poblacion, oeste, sur, este, norte)."""
    figuras = []
    for nombre, sector, poblacion, oeste, sur, este, norte in barrios:
        anillo = [[oeste, sur], [este, sur], [este, norte], [oeste, norte], [oeste, sur]]
        figuras.append(
            {
                "type": "Feature",
                "properties": {
                    "Barrio": nombre,
                    "Sector": sector,
                    "Población": poblacion,
                    "hogares": 1000,
                },
                "geometry": {"type": "Polygon", "coordinates": [anillo]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": figuras}).encode()


def test_barrio_que_se_superpone_o_cae_fuera_se_rechaza(base):
    contenido = geojson(
        ("Golf Real", "El Golf", "9.000", -70.61, -33.425, -70.58, -33.405),
        ("Lejano", "X", 1, -70.8, -33.6, -70.79, -33.59),
    )
    v = validar(base, "barrios", contenido, "barrios.geojson")
    motivos = dict(zip(v.rechazadas["linea"], v.rechazadas["motivo"], strict=True))
    assert motivos[1].startswith("se superpone con ") and "El Golf" in motivos[1]
    assert motivos[2] == "barrio fuera de la comuna"


def test_base_nueva_barrios_y_luego_casos_que_se_reasignan(tmp_path):
    ruta = tmp_path / "real.duckdb"
    importacion.crear_base(ruta)
    oeste_este = geojson(
        ("Poniente", "Centro Apoquindo", "9.000", -70.60, -33.42, -70.58, -33.40),
        ("Oriente", "Centro Apoquindo", 5000, -70.58, -33.42, -70.56, -33.40),
    )
    v = importacion.aplicar(ruta, validar(ruta, "barrios", oeste_este, "barrios.geojson"))
    assert (v.nuevas, len(v.rechazadas)) == (2, 0)
    poblacion = consultar(ruta, "SELECT barrio_id, poblacion, sector_id FROM barrios ORDER BY 1")
    assert poblacion.values.tolist() == [
        ["oriente", 5000, "centro-apoquindo"],
        ["poniente", 9000, "centro-apoquindo"],
    ]
    casos = "id;fecha_hora;delito;lat;lon\nC1;2026-01-01;Hurto;-33.41;-70.575\n"
    importacion.aplicar(ruta, validar(ruta, "incidentes", casos.encode()))
    assert consultar(ruta, "SELECT barrio_id FROM incidentes")["barrio_id"].tolist() == ["oriente"]
    corrido = geojson(
        ("Poniente", "Centro Apoquindo", 9000, -70.60, -33.42, -70.57, -33.40),
        ("Oriente", "Centro Apoquindo", 5000, -70.57, -33.42, -70.56, -33.40),
    )
    v = importacion.aplicar(ruta, validar(ruta, "barrios", corrido, "barrios.geojson"))
    assert v.actualizadas == 2
    assert consultar(ruta, "SELECT barrio_id FROM incidentes")["barrio_id"].tolist() == ["poniente"]


def test_incidentes_sin_barrios_en_la_base(tmp_path):
    vacia = tmp_path / "vacia.duckdb"
    importacion.crear_base(vacia)
    with pytest.raises(importacion.ImportacionFallida, match="importe primero los barrios"):
        validar(vacia, "incidentes", MIXTO.encode("utf-8"))


# --- Propiedades: cualquier archivo, cada fila se importa o se informa -----------------------

BUENA = st.fixed_dictionaries(
    {
        "fecha": st.dates(
            min_value=pd.Timestamp("2022-01-01").date(), max_value=pd.Timestamp("2026-10-31").date()
        ),
        "lat": st.floats(-33.425, -33.405),
        "lon": st.floats(-70.60, -70.56),
        "delito": st.sampled_from(["Hurtos", "hurto", "ROBO POR SORPRESA", "Lesiones leves"]),
    }
)
VALOR_RARO = st.text(max_size=20) | st.sampled_from(
    ["'; DROP TABLE incidentes; --", "1 OR 1=1", "Robert'); --", "  ", "ñandú", "=SUMA(A1)"]
)


def _linea(fila, k, separador, decimal):
    lat = f"{fila['lat']:.6f}".replace(".", decimal)
    lon = f"{fila['lon']:.6f}".replace(".", decimal)
    return separador.join(
        [f"P{k}", fila["fecha"].strftime("%d-%m-%Y 12:00"), fila["delito"], lat, lon]
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    buenas=st.lists(BUENA, min_size=0, max_size=15),
    raras=st.lists(st.tuples(VALOR_RARO, VALOR_RARO, VALOR_RARO), max_size=8),
    separador=st.sampled_from([";", ","]),
    codificacion=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    blancos=st.integers(0, 3),
    encabezado_repetido=st.booleans(),
)
def test_cada_fila_se_importa_o_se_informa(
    demo_pequena, buenas, raras, separador, codificacion, blancos, encabezado_repetido
):
    decimal = "," if separador == ";" else "."
    lineas = [separador.join(["id", "fecha_hora", "delito", "lat", "lon"])]
    lineas += [_linea(f, k, separador, decimal) for k, f in enumerate(buenas)]
    for k, (a, b, c) in enumerate(raras):
        limpio = [
            x.replace(separador, " ").replace('"', " ").replace("\n", " ").replace("\r", " ")
            for x in (a, b, c)
        ]
        lineas.append(separador.join([f"R{k}", limpio[0], limpio[1], limpio[2], "-70.5"]))
    if encabezado_repetido:
        lineas.append(lineas[0])
    lineas += [""] * blancos
    contenido = "\n".join(lineas).encode(codificacion, errors="replace")
    filas_de_datos = len(buenas) + len(raras) + int(encabezado_repetido)
    try:
        v = validar(demo_pequena, "incidentes", contenido)
    except importacion.ImportacionFallida:
        assert filas_de_datos == 0
        return
    assert len(v.aceptadas) + len(v.rechazadas) == filas_de_datos == v.filas
    assert set(v.aceptadas["incidente_id"]) == {f"P{k}" for k in range(len(buenas))}
    assert v.rechazadas["motivo"].str.len().gt(0).all()
    assert v.rechazadas["linea"].between(2, len(lineas)).all()
    assert v.aceptadas.notna().all().all()


def test_archivo_de_cien_mil_filas(base):
    n = 100_000
    lineas = ["id;fecha_hora;delito;lat;lon"] + [
        f"M{k};{1 + k % 28:02d}-0{1 + k % 9}-2026 {k % 24:02d}:{k % 60:02d};"
        f"{'Hurtos' if k % 10 else 'Robo de gallinas'};-33,41{k % 10};-70,57{k % 7}"
        for k in range(n)
    ]
    v = validar(base, "incidentes", "\n".join(lineas).encode("utf-8"))
    assert len(v.aceptadas) == 90_000 and len(v.rechazadas) == 10_000
    assert (v.rechazadas["motivo"] == "delito desconocido «Robo de gallinas»").all()
    importacion.aplicar(base, v)
    assert (
        consultar(base, "SELECT count(*) n FROM incidentes WHERE incidente_id LIKE 'M%'")["n"].iloc[
            0
        ]
        == 90_000
    )


def test_campos_entre_comillas_con_separador_y_salto_de_linea(base):
    texto = (
        "id;fecha_hora;delito;lat;lon;nota;\n"
        'Q1;2026-01-01 10:00;Hurto;-33.41;-70.57;"dice ""hola""; y\nsigue";\n'
        "Q2;nunca;Hurto;-33.41;-70.57;x;\n"
        "Q3;2026-01-01 10:00;Hurto;-33.41;-70.57;x;sobra\n"
    )
    v = validar(base, "incidentes", texto.encode("utf-8"))
    assert list(v.aceptadas["incidente_id"]) == ["Q1"]
    assert v.rechazadas[["linea", "motivo"]].values.tolist() == [
        [4, "fecha inválida «nunca»"],
        [5, "la fila tiene más celdas que el encabezado"],
    ]


def test_codificacion_equivocada_no_importa_nada(base):
    texto = "id;fecha_hora;delito;lat;lon\nU1;2026-01-01;Hurto;-33.41;-70.57\n"
    with pytest.raises(importacion.ImportacionFallida, match="Faltan columnas obligatorias"):
        validar(base, "incidentes", texto.encode("utf-16"))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(basura=st.binary(max_size=400), tipo=st.sampled_from(["incidentes", "encuestas", "barrios"]))
def test_bytes_cualesquiera_o_se_informan_o_no_tocan_la_base(
    demo_pequena, tmp_path_factory, basura, tipo
):
    carpeta = tmp_path_factory.mktemp("basura")
    base = carpeta / "base.duckdb"
    shutil.copy(demo_pequena, base)
    archivo = carpeta / ("x.geojson" if tipo == "barrios" else "x.csv")
    archivo.write_bytes(basura)
    antes = huella(base)
    argumentos = ["importar", tipo, str(archivo), "--db", str(base), "--informe", str(carpeta)]
    codigo = observatorio.main(argumentos)
    assert codigo in (0, 1)
    if codigo == 1:
        assert huella(base) == antes
