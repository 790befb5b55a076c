"""Pruebas del generador de la base de demostración (datos/demo.py)."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import h3
import numpy as np
import pytest
import shapely

from datos import catalogo
from datos.demo import FECHA_CORTE_DEMO, generar, inicio_periodo

N_CHICA = 20_000
TABLAS = [
    "metadatos",
    "comuna",
    "sectores",
    "barrios",
    "familias",
    "delitos",
    "fuentes",
    "incidentes",
    "indicadores",
    "encuesta_respuestas",
    "lineas",
    "actividades",
]


@pytest.fixture(scope="module")
def dir_bases(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def chica(dir_bases):
    ruta = dir_bases / "chica" / "demo.duckdb"
    return ruta, generar(ruta, incidentes=N_CHICA)


@pytest.fixture(scope="module")
def completa(dir_bases):
    ruta = dir_bases / "completa.duckdb"
    return ruta, generar(ruta)


@pytest.fixture(scope="module")
def con(completa):
    conexion = duckdb.connect(str(completa[0]), read_only=True)
    yield conexion
    conexion.close()


@pytest.fixture(scope="module")
def con_chica(chica):
    conexion = duckdb.connect(str(chica[0]), read_only=True)
    yield conexion
    conexion.close()


def _huella(ruta: Path, tabla: str, orden: str) -> str:
    with duckdb.connect(str(ruta), read_only=True) as c:
        return c.execute(
            f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY {orden})) FROM {tabla} t"
        ).fetchone()[0]


def _geometrias(con) -> dict[str, shapely.Geometry]:
    filas = con.execute("SELECT barrio_id, geometria FROM barrios").fetchall()
    return {b: shapely.from_geojson(g) for b, g in filas}


def _comuna(con) -> shapely.Geometry:
    return shapely.from_geojson(con.execute("SELECT geometria FROM comuna").fetchone()[0])


# --- archivo y esquema -----------------------------------------------------------------------


def test_escritura_atomica_sin_temporal(chica, completa):
    for ruta, _ in (chica, completa):
        assert ruta.exists()
        assert not ruta.with_suffix(".duckdb.tmp").exists()
        assert not list(ruta.parent.glob("*.tmp*"))


def test_reemplaza_temporal_viejo(dir_bases):
    ruta = dir_bases / "vieja.duckdb"
    temporal = ruta.with_suffix(".duckdb.tmp")
    temporal.write_text("basura de una corrida interrumpida")
    generar(ruta, incidentes=500)
    assert not temporal.exists()
    with duckdb.connect(str(ruta), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM incidentes").fetchone()[0] == 500


def test_tablas_y_columnas_del_esquema(con):
    esquema = Path(__file__).parents[2] / "datos" / "esquema.sql"
    with duckdb.connect() as ref:
        ref.execute(esquema.read_text(encoding="utf-8"))
        for tabla in TABLAS:
            esperado = ref.execute(f"DESCRIBE {tabla}").fetchall()
            assert con.execute(f"DESCRIBE {tabla}").fetchall() == esperado, tabla


def test_catalogos(con):
    familias = con.execute("SELECT familia, nombre, orden FROM familias ORDER BY orden").fetchall()
    assert familias == [(f.familia, f.nombre, i + 1) for i, f in enumerate(catalogo.FAMILIAS)]
    delitos = con.execute("SELECT * FROM delitos ORDER BY delito").fetchall()
    assert delitos == sorted(tuple(d) for d in catalogo.DELITOS)
    assert con.execute("SELECT * FROM fuentes ORDER BY fuente").fetchall() == sorted(
        tuple(f) for f in catalogo.FUENTES
    )
    assert dict(con.execute("SELECT * FROM lineas").fetchall()) == catalogo.LINEAS
    assert dict(con.execute("SELECT * FROM indicadores").fetchall()) == catalogo.INDICADORES


def test_metadatos(con, completa):
    meta = dict(con.execute("SELECT clave, valor FROM metadatos").fetchall())
    assert meta["origen"] == "demo"
    assert meta["version"].startswith("demo-") and len(meta["version"]) == 15
    assert meta["descripcion"].startswith("Datos de demostración sintéticos")
    assert meta["semilla"] == "2026"
    for clave in ("fecha_corte", "fecha_corte_policial", "fecha_corte_central_1402"):
        assert meta[clave] == FECHA_CORTE_DEMO.isoformat()
    ultima_encuesta = con.execute("SELECT max(fecha) FROM encuesta_respuestas").fetchone()[0]
    assert meta["fecha_corte_encuestas"] == ultima_encuesta.isoformat()
    ultima_actividad = con.execute("SELECT max(fecha) FROM actividades").fetchone()[0]
    assert meta["fecha_corte_actividades"] == ultima_actividad.isoformat()
    assert "generado_en" in meta


# --- determinismo ----------------------------------------------------------------------------


def test_misma_semilla_mismo_contenido(chica, dir_bases):
    otra = dir_bases / "chica_bis.duckdb"
    generar(otra, incidentes=N_CHICA)
    for tabla, orden in [
        ("incidentes", "incidente_id"),
        ("barrios", "barrio_id"),
        ("encuesta_respuestas", "respuesta_id"),
        ("actividades", "actividad_id"),
    ]:
        assert _huella(chica[0], tabla, orden) == _huella(otra, tabla, orden), tabla
    # Y el orden físico (por fecha_hora) también es el mismo.
    assert _huella(chica[0], "incidentes", "rowid") == _huella(otra, "incidentes", "rowid")


def test_otra_semilla_otros_casos(chica, dir_bases):
    otra = dir_bases / "semilla7.duckdb"
    generar(otra, incidentes=N_CHICA, semilla=7)
    huella = _huella(chica[0], "incidentes", "incidente_id")
    assert huella != _huella(otra, "incidentes", "incidente_id")
    with duckdb.connect(str(otra), read_only=True) as c:
        assert c.execute("SELECT valor FROM metadatos WHERE clave = 'semilla'").fetchone() == ("7",)


# --- geografía -------------------------------------------------------------------------------


def test_barrios_particionan_la_comuna(con):
    comuna = _comuna(con)
    geometrias = list(_geometrias(con).values())
    assert all(g.is_valid and g.geom_type in ("Polygon", "MultiPolygon") for g in geometrias)
    union = shapely.union_all(geometrias)
    assert abs(union.area - comuna.area) / comuna.area < 1e-9
    assert shapely.symmetric_difference(union, comuna).area / comuna.area < 1e-9
    solape = sum(a.intersection(b).area for a, b in itertools.combinations(geometrias, 2))
    assert solape / comuna.area < 1e-9


def test_comuna_real_con_fuente(con):
    nombre, geometria, fuente = con.execute("SELECT * FROM comuna").fetchone()
    assert nombre == "Las Condes"
    assert "IDE Chile" in fuente
    assert json.loads(geometria)["type"] == "Polygon"
    assert 95 < _comuna(con).area * 110_950 * 92_950 / 1e6 < 105  # ~99-100 km²


def test_barrios_nombres_y_slugs(con):
    filas = con.execute("SELECT barrio_id, nombre, sintetico FROM barrios").fetchall()
    assert 35 <= len(filas) <= 45
    ids = [f[0] for f in filas]
    assert len(set(ids)) == len(ids)
    assert len({f[1] for f in filas}) == len(filas)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", b) for b in ids)
    assert {"el-golf", "san-carlos-de-apoquindo", "escandinavia", "la-capitania"} <= set(ids)
    assert all(f[2] for f in filas)


def test_poblacion_y_hogares(con):
    total, minimo, hogares, malos = con.execute(
        "SELECT sum(poblacion), min(poblacion), sum(hogares), count(*) FILTER (hogares > poblacion)"
        " FROM barrios"
    ).fetchone()
    assert total == 343_632
    assert minimo >= 300
    assert 112_000 <= hogares <= 124_000
    assert malos == 0


def test_poblacion_densa_al_poniente(con):
    geometrias = _geometrias(con)
    filas = con.execute("SELECT barrio_id, poblacion FROM barrios").fetchall()
    densidad = {b: p / geometrias[b].area for b, p in filas}
    oriente = [d for b, d in densidad.items() if geometrias[b].centroid.x > -70.49]
    poniente = [d for b, d in densidad.items() if geometrias[b].centroid.x < -70.57]
    assert oriente and poniente
    assert max(oriente) * 5 < min(poniente)


def test_seis_sectores_con_al_menos_tres_barrios(con):
    sectores = dict(con.execute("SELECT sector_id, nombre FROM sectores").fetchall())
    assert set(sectores) == {
        "quinchamali",
        "errazuriz",
        "san-carlos",
        "fleming",
        "apoquindo",
        "el-golf",
    }
    assert sectores["quinchamali"] == "Quinchamalí"
    conteo = dict(con.execute("SELECT sector_id, count(*) FROM barrios GROUP BY 1").fetchall())
    assert set(conteo) == set(sectores)
    assert min(conteo.values()) >= 3


# --- incidentes ------------------------------------------------------------------------------


def test_n_exacto(con_chica, chica):
    assert con_chica.execute("SELECT count(*) FROM incidentes").fetchone()[0] == N_CHICA
    assert chica[1]["incidentes"] == N_CHICA


def test_ids_unicos_con_prefijo_por_fuente(con_chica):
    total, distintos, malos = con_chica.execute(
        """
        SELECT count(*), count(DISTINCT incidente_id),
               count(*) FILTER (NOT regexp_full_match(incidente_id, '[PCV]-[0-9]{8}')
                                OR left(incidente_id, 1) <> CASE fuente WHEN 'policial' THEN 'P'
                                   WHEN 'central_1402' THEN 'C' ELSE 'V' END)
        FROM incidentes
        """
    ).fetchone()
    assert total == distintos
    assert malos == 0


@pytest.mark.parametrize("base", ["con", "con_chica"])
def test_ordenados_por_fecha_y_dentro_del_periodo(base, request):
    c = request.getfixturevalue(base)
    fechas = c.execute("SELECT fecha_hora FROM incidentes ORDER BY rowid").fetchnumpy()
    fechas = fechas["fecha_hora"]
    assert (np.diff(fechas.astype("datetime64[s]").astype(np.int64)) >= 0).all()
    inicio = np.datetime64(inicio_periodo(FECHA_CORTE_DEMO))
    fin = np.datetime64(FECHA_CORTE_DEMO + timedelta(days=1))
    assert fechas.min() >= inicio and fechas.max() < fin
    assert inicio == np.datetime64(date(2021, 11, 1))


def test_familia_delito_fuente_segun_catalogo(con_chica):
    filas = con_chica.execute("SELECT DISTINCT fuente, delito, familia FROM incidentes").fetchall()
    familia = {d.delito: d.familia for d in catalogo.DELITOS}
    fuentes = {f.fuente for f in catalogo.FUENTES}
    for fuente, delito, fam in filas:
        assert fuente in fuentes
        assert familia[delito] == fam
        if fuente != "policial":
            assert fam in ("procedimientos", "incivilidades")
    assert {f for f, _, _ in filas} == fuentes


def test_puntos_dentro_de_su_barrio_y_h3(con_chica):
    geometrias = _geometrias(con_chica)
    comuna = _comuna(con_chica)
    muestra = con_chica.execute(
        "SELECT lat, lon, barrio_id, h3 FROM incidentes"
        " USING SAMPLE reservoir(2000 ROWS) REPEATABLE (11)"
    ).fetchall()
    assert len(muestra) == 2000
    for lat, lon, barrio, celda in muestra:
        assert shapely.contains_xy(comuna, lon, lat)
        assert shapely.intersects_xy(geometrias[barrio], lon, lat), (lat, lon, barrio)
        assert celda == h3.str_to_int(h3.latlng_to_cell(lat, lon, 9))


def test_volumen_realista_y_dmcs_anual(con, completa):
    resumen = completa[1]
    total = con.execute("SELECT count(*) FROM incidentes").fetchone()[0]
    assert resumen["incidentes"] == total
    assert 100_000 <= total <= 150_000
    dmcs = dict(
        con.execute(
            """
            SELECT year(fecha_hora), count(*) FROM incidentes JOIN delitos USING (delito)
            WHERE fuente = 'policial' AND grupo_dmcs IS NOT NULL GROUP BY 1
            """
        ).fetchall()
    )
    assert dmcs == resumen["dmcs_por_anio"]
    for anio in (2022, 2023, 2024, 2025):  # años completos del periodo
        assert 6_000 <= dmcs[anio] <= 7_200, (anio, dmcs[anio])
    hurtos = con.execute(
        "SELECT count(*) FROM incidentes WHERE delito = 'hurto' AND year(fecha_hora) = 2024"
    ).fetchone()[0]
    assert 2_600 <= hurtos <= 3_300


def test_mezcla_de_fuentes(con):
    por_fuente = dict(con.execute("SELECT fuente, count(*) FROM incidentes GROUP BY 1").fetchall())
    assert 40_000 <= por_fuente["policial"] <= 50_000
    assert 60_000 <= por_fuente["central_1402"] <= 75_000
    assert 17_000 <= por_fuente["camaras"] <= 23_000


def test_misma_mezcla_con_n(con, con_chica):
    def proporciones(c):
        filas = c.execute("SELECT fuente, count(*) FROM incidentes GROUP BY 1").fetchall()
        total = sum(n for _, n in filas)
        return {f: n / total for f, n in filas}

    grande, chica = proporciones(con), proporciones(con_chica)
    for fuente, p in grande.items():
        assert abs(chica[fuente] - p) < 0.02


def test_perfiles_horarios_y_estacionales(con):
    def hora_pico(delito):
        return con.execute(
            "SELECT hour(fecha_hora) h FROM incidentes WHERE delito = ? GROUP BY h "
            "ORDER BY count(*) DESC LIMIT 1",
            [delito],
        ).fetchone()[0]

    assert 11 <= hora_pico("hurto") <= 20
    assert 10 <= hora_pico("robo_lugar_habitado") <= 18
    assert hora_pico("robo_objeto_vehiculo") >= 18 or hora_pico("robo_objeto_vehiculo") <= 2
    por_mes = dict(
        con.execute(
            "SELECT month(fecha_hora), count(*) FROM incidentes WHERE delito = 'hurto' GROUP BY 1"
        ).fetchall()
    )
    assert por_mes[12] == max(por_mes.values())
    fin_de_semana = con.execute(
        """
        SELECT avg(CASE WHEN isodow(fecha_hora) >= 6 THEN 1 ELSE 0 END)
        FROM incidentes WHERE delito IN ('lesiones_leves', 'vif_lesiones', 'desordenes')
        """
    ).fetchone()[0]
    assert fin_de_semana > 2 / 7 + 0.03


def test_concentracion_espacial(con):
    top10 = con.execute(
        """
        WITH celdas AS (SELECT h3, count(*) n FROM incidentes WHERE fuente = 'policial' GROUP BY 1),
             rango AS (SELECT n, row_number() OVER (ORDER BY n DESC) r, count(*) OVER () k,
                              sum(n) OVER () s FROM celdas)
        SELECT sum(n) FILTER (r <= 0.10 * k) / max(s) FROM rango
        """
    ).fetchone()[0]
    assert top10 >= 0.40


def test_hay_barrios_con_alza_reciente(con):
    z = con.execute(
        """
        SELECT barrio_id,
               2 * (sqrt(count(*) FILTER (fecha_hora >= $corte - INTERVAL 28 DAY))
                    - sqrt(count(*) FILTER (fecha_hora < $corte - INTERVAL 28 DAY))) AS z
        FROM incidentes
        WHERE fuente = 'policial' AND fecha_hora >= $corte - INTERVAL 56 DAY
        GROUP BY 1
        """,
        {"corte": FECHA_CORTE_DEMO + timedelta(days=1)},
    ).fetchall()
    assert sum(1 for _, valor in z if valor >= 2) >= 3


# --- encuesta --------------------------------------------------------------------------------


def test_encuesta_diseno_y_pesos(con):
    hogares = con.execute("SELECT sum(hogares) FROM barrios").fetchone()[0]
    olas = con.execute(
        "SELECT ola, count(*), sum(factor), min(fecha), max(fecha), count(DISTINCT conglomerado)"
        " FROM encuesta_respuestas GROUP BY ola ORDER BY ola"
    ).fetchall()
    assert [o[0] for o in olas] == [f"{a}-{s}" for a in range(2022, 2027) for s in (1, 2)]
    for ola, n, suma, desde, hasta, conglomerados in olas:
        assert 900 <= n <= 1_400
        assert abs(suma - hogares) / hogares < 0.01
        assert desde.year == hasta.year == int(ola[:4])
        assert desde.month == hasta.month == (5 if ola.endswith("-1") else 10)
        assert hasta <= FECHA_CORTE_DEMO
        assert conglomerados >= 6 * 8
    incoherentes = con.execute(
        """
        SELECT count(*) FROM encuesta_respuestas e JOIN barrios b USING (barrio_id)
        WHERE e.estrato <> b.sector_id OR NOT starts_with(e.conglomerado, 'C-' || b.barrio_id)
        """
    ).fetchone()[0]
    assert incoherentes == 0
    assert (
        con.execute(
            "SELECT count(*) - count(DISTINCT respuesta_id) FROM encuesta_respuestas"
        ).fetchone()[0]
        == 0
    )


def test_encuesta_indicadores(con):
    malos_denuncio, fuera_rango = con.execute(
        """
        SELECT count(*) FILTER ((denuncio IS NULL) <> (victima_hogar_12m = 0)),
               count(*) FILTER (inseguro_barrio NOT IN (0, 1) OR victima_hogar_12m NOT IN (0, 1)
                                OR percibe_aumento_barrio NOT IN (0, 1)
                                OR conoce_programa NOT IN (0, 1) OR denuncio NOT IN (0, 1))
        FROM encuesta_respuestas
        """
    ).fetchone()
    assert malos_denuncio == 0
    assert fuera_rango == 0
    inseguro, victima, denuncio, aumento = con.execute(
        """
        SELECT sum(factor * inseguro_barrio) / sum(factor),
               sum(factor * victima_hogar_12m) / sum(factor),
               sum(factor * denuncio) / sum(factor) FILTER (victima_hogar_12m = 1),
               sum(factor * percibe_aumento_barrio) / sum(factor)
        FROM encuesta_respuestas
        """
    ).fetchone()
    assert 0.35 <= inseguro <= 0.60
    assert 0.20 <= victima <= 0.35
    assert 0.40 <= denuncio <= 0.55
    assert 0.40 <= aumento <= 0.60


def test_encuesta_coherente_con_delitos_y_programa(con):
    filas = con.execute(
        """
        WITH tasa AS (
            SELECT barrio_id, count(*) / any_value(b.poblacion) AS tasa
            FROM incidentes JOIN barrios b USING (barrio_id)
            WHERE fuente = 'policial' GROUP BY 1
        )
        SELECT t.tasa, avg(e.inseguro_barrio)
        FROM encuesta_respuestas e JOIN tasa t USING (barrio_id) GROUP BY t.barrio_id, t.tasa
        HAVING count(*) >= 100
        """
    ).fetchall()
    tasa, inseguro = np.array(filas).T
    assert np.corrcoef(np.log(tasa), inseguro)[0, 1] > 0.2
    con_programa, sin_programa = con.execute(
        """
        WITH programa AS (SELECT barrio_id FROM actividades GROUP BY 1 HAVING count(*) >= 20)
        SELECT avg(conoce_programa) FILTER (barrio_id IN (SELECT barrio_id FROM programa)),
               avg(conoce_programa) FILTER (barrio_id NOT IN (SELECT barrio_id FROM programa))
        FROM encuesta_respuestas WHERE ola >= '2025'
        """
    ).fetchone()
    assert con_programa > sin_programa + 0.15


# --- actividades -----------------------------------------------------------------------------


def test_actividades(con):
    filas = con.execute(
        "SELECT actividad_id, fecha, barrio_id, linea, actividad, participantes, hogares"
        " FROM actividades"
    ).fetchall()
    assert 600 <= len(filas) <= 1_200
    barrios = {b for (b,) in con.execute("SELECT barrio_id FROM barrios").fetchall()}
    inicio = inicio_periodo(FECHA_CORTE_DEMO)
    ids = [f[0] for f in filas]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"A-\d{6}", i) for i in ids)
    for _, fecha, barrio, linea, actividad, participantes, hogares in filas:
        assert inicio <= fecha <= FECHA_CORTE_DEMO
        assert barrio in barrios
        assert actividad in catalogo.ACTIVIDADES[linea]
        assert 1 <= participantes <= 200
        assert hogares >= 0
    assert {f[3] for f in filas} == set(catalogo.LINEAS)


def test_actividades_concentradas_y_escalonadas(con):
    por_barrio = con.execute(
        "SELECT barrio_id, count(*) n, min(fecha) FROM actividades GROUP BY 1 ORDER BY n DESC"
    ).fetchall()
    total = sum(n for _, n, _ in por_barrio)
    assert sum(n for _, n, _ in por_barrio[:14]) / total >= 0.85
    inicios = {inicio.year for _, n, inicio in por_barrio if n >= 20}
    assert len(inicios) >= 3
    puerta, otras = con.execute(
        "SELECT avg(hogares) FILTER (actividad = 'Puerta a puerta'),"
        " avg(hogares) FILTER (actividad <> 'Puerta a puerta') FROM actividades"
    ).fetchone()
    assert puerta > 2 * otras
