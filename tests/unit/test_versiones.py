"""Versiones de los datos: rangos de versión por fila, lecturas fijadas y `exportar --version`.

El ejemplo se calcula a mano sobre la base pequeña de tests/fixtures.py: la versión 1 es la base
construida; la 2 importa actividades (una actualizada, una nueva); la 3, casos (uno actualizado,
uno nuevo después del corte); la 4 vuelve a cambiar el mismo caso.
"""

import io
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

import observatorio
from consultas import resumen
from consultas.catalogos import catalogo
from consultas.filtros import Filtros
from consultas.periodos import rango
from consultas.sql import leer
from consultas.versiones import VersionDesconocida, abrir, enlace, interpretar, lista
from datos import importacion
from tests import fixtures
from tests.versiones import importar as _importar

COLUMNAS_ACTIVIDADES = list(fixtures.ACTIVIDADES.columns)
ACTIVIDADES_V2 = "\n".join(
    [
        "id;fecha;barrio;linea;actividad;participantes;hogares",
        "A-2;10-06-2025;Norte;2.3;Campañas preventivas;55;300",  # antes 40 participantes
        "A-4;01-07-2025;Sur;2.1;Diagnóstico participativo;12;5",  # nueva
        "A-3;20-06-2025;Oriente;2.1;Diagnóstico participativo;25;0",  # igual: no cambia
    ]
)
NUEVO = ("N-1", datetime(2025, 7, 15, 10, 0), "hurto", "propiedad")


def _csv_casos(caso: pd.Series, delito: str, hora: str) -> str:
    """El caso `caso` con otro delito y otra fecha, más un caso nuevo del 15-07-2025."""
    return "\n".join(
        [
            "id;fecha_hora;delito;lat;lon;barrio;fuente",
            f"{caso['incidente_id']};{hora};{delito};{caso['lat']};{caso['lon']};Sur;policial",
            "N-1;2025-07-15 10:00;Hurto;-33.395;-70.595;Norte;policial",
        ]
    )


def _leer(ruta, version: int | None, sql: str) -> pd.DataFrame:
    base, con = abrir(ruta, None if version is None else str(version))
    try:
        with con.cursor() as cursor:
            return cursor.execute(sql).df()
    finally:
        base.close()


@pytest.fixture(scope="module")
def ejemplo(tmp_path_factory):
    """La base con sus cuatro versiones y lo que cada una debe mostrar, calculado con pandas."""
    ruta = tmp_path_factory.mktemp("versiones") / "base.duckdb"
    casos = fixtures.incidentes_fixture()
    fixtures.construir(ruta, casos)
    caso = casos[casos["fuente"] == "policial"].iloc[0]

    v2 = _importar(ruta, "actividades", ACTIVIDADES_V2)
    v3 = _importar(ruta, "incidentes", _csv_casos(caso, "Robo por sorpresa", "2025-06-28 09:00"))
    v4 = _importar(ruta, "incidentes", _csv_casos(caso, "Robo de vehículo", "2025-06-29 09:00"))

    actividades_v2 = pd.concat(
        [
            fixtures.ACTIVIDADES.assign(
                participantes=lambda d: d["participantes"].where(d["actividad_id"] != "A-2", 55)
            ),
            pd.DataFrame(
                [["A-4", date(2025, 7, 1), "sur", "2.1", "Diagnóstico participativo", 12, 5]],
                columns=COLUMNAS_ACTIVIDADES,
            ),
        ],
        ignore_index=True,
    )

    def con_caso(delito: str, familia: str, fecha: datetime) -> pd.DataFrame:
        cambiado = casos.copy()
        fila = cambiado["incidente_id"] == caso["incidente_id"]
        cambiado.loc[fila, ["delito", "familia", "fecha_hora", "barrio_id"]] = [
            delito,
            familia,
            fecha,
            "sur",
        ]
        nuevo = {"incidente_id": NUEVO[0], "fecha_hora": NUEVO[1], "delito": NUEVO[2]}
        nuevo |= {"familia": NUEVO[3], "fuente": "policial", "barrio_id": "norte"}
        return pd.concat([cambiado, pd.DataFrame([nuevo])], ignore_index=True)

    return {
        "ruta": ruta,
        "caso": caso["incidente_id"],
        "importaciones": (v2, v3, v4),
        "actividades": {1: fixtures.ACTIVIDADES, 2: actividades_v2, 3: actividades_v2},
        "casos": {
            1: casos,
            2: casos,
            3: con_caso("robo_sorpresa", "robos_violentos", datetime(2025, 6, 28, 9)),
            4: con_caso("robo_vehiculo", "propiedad", datetime(2025, 6, 29, 9)),
        },
    }


def test_cada_importacion_que_cambia_algo_crea_una_version(ejemplo):
    v2, v3, v4 = ejemplo["importaciones"]
    assert [v.version for v in (v2, v3, v4)] == [2, 3, 4]
    assert (v2.nuevas, v2.actualizadas, v2.sin_cambios) == (1, 1, 1)
    assert (v3.nuevas, v3.actualizadas) == (1, 1)
    assert (v4.nuevas, v4.actualizadas, v4.sin_cambios) == (0, 1, 1)
    historial = _leer(ejemplo["ruta"], None, "SELECT version, tipo FROM importaciones ORDER BY 1")
    assert historial.values.tolist() == [[2, "actividades"], [3, "incidentes"], [4, "incidentes"]]


def test_la_historia_guarda_solo_las_filas_reemplazadas(ejemplo):
    ruta = ejemplo["ruta"]
    actividades = _leer(ruta, None, "SELECT * FROM actividades_historia")
    assert actividades[["actividad_id", "participantes"]].values.tolist() == [["A-2", 40]]
    assert actividades[["version_desde", "version_hasta"]].values.tolist() == [[1, 2]]
    casos = _leer(ruta, None, "SELECT * FROM incidentes_historia ORDER BY version_desde")
    assert casos["incidente_id"].tolist() == [ejemplo["caso"]] * 2
    assert casos[["version_desde", "version_hasta"]].values.tolist() == [[1, 3], [3, 4]]
    assert casos["delito"].tolist() == [
        ejemplo["casos"][1].set_index("incidente_id").loc[ejemplo["caso"], "delito"],
        "robo_sorpresa",
    ]
    # Lo vigente guarda en qué versión entró cada fila; las demás siguen en la 1.
    vigentes = _leer(ruta, None, "SELECT version_desde, count(*) AS n FROM incidentes GROUP BY 1")
    assert dict(vigentes.values.tolist()) == {1: len(ejemplo["casos"][1]) - 1, 3: 1, 4: 1}
    assert _leer(ruta, None, "SELECT count(*) AS n FROM barrios_historia")["n"].iloc[0] == 0


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_cada_version_se_lee_tal_como_era(ejemplo, version):
    ruta = ejemplo["ruta"]
    actividades = _leer(ruta, version, "SELECT * FROM actividades ORDER BY actividad_id")
    esperadas = ejemplo["actividades"][min(version, 3)]
    esperadas = esperadas.sort_values("actividad_id", ignore_index=True)
    pd.testing.assert_frame_equal(
        actividades[COLUMNAS_ACTIVIDADES].assign(fecha=actividades["fecha"].map(_dia)),
        esperadas.assign(fecha=esperadas["fecha"].map(_dia)),
        check_dtype=False,
    )
    columnas = ["incidente_id", "fecha_hora", "familia", "delito", "fuente", "barrio_id"]
    casos = _leer(ruta, version, "SELECT * FROM incidentes ORDER BY fuente, incidente_id")
    esperados = ejemplo["casos"][version].sort_values(["fuente", "incidente_id"], ignore_index=True)
    # Las vistas de una versión anterior tienen las columnas del contrato, sin las de versión.
    assert ("version_desde" in casos.columns) == (version == 4)
    pd.testing.assert_frame_equal(casos[columnas], esperados[columnas], check_dtype=False)


def _dia(valor) -> date:
    return pd.Timestamp(valor).date()


@pytest.mark.parametrize("version", [1, 3, 4])
def test_resumen_y_fecha_de_corte_de_cada_version(ejemplo, version):
    """Las consultas de la página, sin cambios, dan en cada versión lo que cuenta pandas."""
    base, con = abrir(ejemplo["ruta"], str(version))
    try:
        cat = catalogo(con)
        ventana = rango("28d", date(2025, 6, 30))
        filtros = Filtros(ventana.desde, ventana.hasta, preset="personalizado")
        tabla = resumen.tabla_comparacion(con, filtros, "Comuna")
    finally:
        base.close()
    assert cat.corte_de("policial") == (date(2025, 6, 30) if version == 1 else date(2025, 7, 15))
    fila = tabla[(tabla["familia"] == resumen.TODAS) & (tabla["periodo"] == tabla["periodo"][0])]
    esperado = fixtures.contar(ejemplo["casos"][version], ventana, "policial")
    assert int(fila["actual"].iloc[0]) == esperado
    seleccion = tabla["periodo"] == tabla["periodo"][0]
    familias = tabla[seleccion & (tabla["familia"] != resumen.TODAS)]
    por_familia = familias.groupby("familia")["actual"].first()
    for familia in ("propiedad", "robos_violentos"):
        assert por_familia.get(cat.nombres("familias")[familia], 0) == fixtures.contar(
            ejemplo["casos"][version], ventana, "policial", familias=[familia]
        )


def test_versiones_concurrentes_en_cursores_de_la_misma_base(ejemplo):
    """Dos cursores fijados en versiones distintas y uno vigente, abiertos a la vez."""
    base, _ = abrir(ejemplo["ruta"])
    try:
        cursores = {v: base.en_version(v).cursor() for v in (1, 3)} | {4: base.cursor()}
        sql = "SELECT delito FROM incidentes WHERE incidente_id = $id AND fuente = 'policial'"
        delitos = {
            v: c.execute(sql, {"id": ejemplo["caso"]}).fetchone()[0] for v, c in cursores.items()
        }
        for cursor in cursores.values():
            cursor.close()
    finally:
        base.close()
    assert delitos[3] == "robo_sorpresa" and delitos[4] == "robo_vehiculo"
    original = ejemplo["casos"][1].set_index("incidente_id").loc[ejemplo["caso"], "delito"]
    assert delitos[1] == original


def test_versiones_registradas_con_fecha(ejemplo):
    base, fijada = abrir(ejemplo["ruta"], "2")
    try:
        versiones, desde_la_2 = lista(base), lista(fijada)
    finally:
        base.close()
    pd.testing.assert_frame_equal(versiones, desde_la_2)
    assert versiones["version"].tolist() == [1, 2, 3, 4]
    assert versiones["archivo"].tolist()[1:] == ["actividades.csv", "incidentes.csv"] + [
        "incidentes.csv"
    ]
    assert versiones["fecha"].iloc[1:].notna().all()


@pytest.mark.parametrize(
    ("texto", "mensaje"),
    [
        ("9", "La versión 9 de los datos no existe: esta base va de la 1 a la 4."),
        ("0", "La versión 0 de los datos no existe"),
        ("dos", "«dos» no es un número de versión de los datos"),
        ("1; DROP TABLE incidentes", "no es un número de versión"),
        ("-1", "no es un número de versión"),
        ("", "no es un número de versión"),
    ],
)
def test_version_desconocida_o_mal_escrita(ejemplo, texto, mensaje):
    with pytest.raises(VersionDesconocida, match=mensaje):
        interpretar(texto, 4)
    with pytest.raises(VersionDesconocida, match=mensaje):
        abrir(ejemplo["ruta"], texto)


def test_importar_sin_cambios_no_crea_version(ejemplo, tmp_path):
    ruta = tmp_path / "copia.duckdb"
    ruta.write_bytes(ejemplo["ruta"].read_bytes())
    v = _importar(ruta, "actividades", ACTIVIDADES_V2)
    assert (v.cambia_algo, v.version) == (False, None)
    assert _leer(ruta, None, "SELECT max(version) AS v FROM importaciones")["v"].iloc[0] == 4


def test_una_base_sin_importaciones_es_la_version_1(tmp_path):
    ruta = tmp_path / "nueva.duckdb"
    fixtures.construir(ruta, fixtures.incidentes_fixture(200))
    base, con = abrir(ruta, "1")
    try:
        assert (base.version, base.versionada, con is base) == (1, False, True)
        assert lista(base)["version"].tolist() == [1]
    finally:
        base.close()
    with pytest.raises(VersionDesconocida, match="va de la 1 a la 1"):
        abrir(ruta, "2")


def test_barrios_que_cambian_dejan_los_casos_reasignados_en_la_historia(tmp_path):
    from tests.unit.test_importacion import geojson

    ruta = tmp_path / "real.duckdb"
    importacion.crear_base(ruta)

    def barrios(limite: float) -> str:
        return geojson(
            ("Poniente", "Centro Apoquindo", 9000, -70.60, -33.42, limite, -33.40),
            ("Oriente", "Centro Apoquindo", 5000, limite, -33.42, -70.56, -33.40),
        ).decode()

    def importar_barrios(limite: float) -> None:
        con = duckdb.connect(str(ruta), read_only=True)
        try:
            v = importacion.validar(con, "barrios", barrios(limite).encode(), "b.geojson")
        finally:
            con.close()
        importacion.aplicar(ruta, v)

    importar_barrios(-70.58)  # versión 2; la 3 trae el caso C1
    caso = "id;fecha_hora;delito;lat;lon\nC1;2026-01-01;Hurto;-33.41;-70.575"
    _importar(ruta, "incidentes", caso)
    importar_barrios(-70.57)  # versión 4: C1 pasa al Poniente
    sql = "SELECT barrio_id FROM incidentes"
    barrio = {v: _leer(ruta, v, sql)["barrio_id"].tolist() for v in (3, 4)}
    assert barrio == {3: ["oriente"], 4: ["poniente"]}
    assert _leer(ruta, 1, sql).empty
    assert len(_leer(ruta, None, "SELECT * FROM incidentes_historia")) == 1
    geometrias = "SELECT barrio_id, geometria FROM barrios ORDER BY 1"
    assert not _leer(ruta, 3, geometrias).equals(_leer(ruta, 4, geometrias))
    assert len(_leer(ruta, None, "SELECT * FROM barrios_historia")) == 2


def test_exportar_con_version_reproduce_las_cifras_de_entonces(ejemplo, capsys, tmp_path):
    argumentos = ["exportar", "resumen", "--db", str(ejemplo["ruta"]), "--hasta", "2025-06-30"]
    assert observatorio.main([*argumentos, "--version", "1"]) == 0
    antes = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert observatorio.main(argumentos) == 0
    ahora = pd.read_csv(io.StringIO(capsys.readouterr().out))
    ventana = rango("28d", date(2025, 6, 30))
    todas = antes["familia"] == resumen.TODAS
    assert antes.loc[todas, "actual"].iloc[0] == fixtures.contar(
        ejemplo["casos"][1], ventana, "policial"
    )
    assert ahora.loc[ahora["familia"] == resumen.TODAS, "actual"].iloc[0] == fixtures.contar(
        ejemplo["casos"][4], ventana, "policial"
    )
    assert not antes.equals(ahora)


@pytest.mark.parametrize("version", ["7", "siete"])
def test_exportar_con_version_desconocida_sale_con_1(ejemplo, capsys, version):
    codigo = observatorio.main(
        ["exportar", "tendencias", "--db", str(ejemplo["ruta"]), "--version", version]
    )
    error = capsys.readouterr().err
    assert codigo == 1
    assert error.startswith("observatorio: ") and "versión" in error and "Traceback" not in error


def test_metadatos_de_cada_version(ejemplo):
    """`leer`, la de todas las consultas, recibe la base o la versión fijada indistintamente."""
    base, fijada = abrir(ejemplo["ruta"], "1")
    try:
        antes = dict(leer(fijada, "metadatos").values.tolist())
        ahora = dict(leer(base, "metadatos").values.tolist())
    finally:
        base.close()
    assert antes == {"fecha_corte": "2025-06-30", "origen": "prueba", "version": "fixture-1"}
    assert ahora["fecha_corte"] == "2025-07-15" and ahora["version"].startswith("imp-")


def test_enlace_de_una_vista_sin_streamlit():
    from consultas.filtros import a_url

    filtros = Filtros(date(2025, 1, 1), date(2025, 3, 31), preset="personalizado", barrios=("sur",))
    assert enlace(a_url(filtros), 3) == (
        "?periodo=personalizado&desde=2025-01-01&hasta=2025-03-31&barrio=sur&version=3"
    )


def test_las_lecturas_reusan_cursores_y_uno_que_falla_se_cierra(ejemplo):
    """`leer` toma un cursor ya abierto y lo devuelve; dos lecturas a la vez usan dos; uno cuya
    lectura falló no vuelve a usarse. La versión fijada reusa los suyos, que siguen fijados."""
    base, _ = abrir(ejemplo["ruta"])
    try:
        with base.prestado() as primero:
            pass
        for _ in range(3):
            assert leer(base, "version_actual")["version"].iloc[0] == 4
        with base.prestado() as otra_vez, base.prestado() as a_la_vez:
            assert otra_vez is primero and a_la_vez is not primero
        with pytest.raises(duckdb.CatalogException), base.prestado() as fallido:
            fallido.execute("SELECT * FROM no_existe")
        with base.prestado() as despues:
            assert despues is not fallido
        with pytest.raises(duckdb.ConnectionException):
            fallido.execute("SELECT 1")

        fijada = base.en_version(1)
        sql = "SELECT count(*) FROM incidentes WHERE incidente_id = $id"
        for _ in range(2):
            with fijada.prestado() as cursor:
                assert cursor.execute(sql, {"id": NUEVO[0]}).fetchone()[0] == 0
        with base.prestado() as cursor:
            assert cursor.execute(sql, {"id": NUEVO[0]}).fetchone()[0] == 1
    finally:
        base.close()
    with pytest.raises(duckdb.ConnectionException):
        primero.execute("SELECT 1")  # cerrar la base cierra los que esperaban
