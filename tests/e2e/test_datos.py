import re

import duckdb
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ayudas import esperar, metrica
from tests.e2e.conftest import servir

pytestmark = pytest.mark.e2e

ARCHIVO = "casos_octubre.csv"
CSV = "\n".join(
    [
        "ID;Fecha;Delito;Latitud;Longitud",
        "E2E-1;15-10-2026 14:30;Hurtos;-33,4167;-70,5966",
        "E2E-2;16-10-2026 22:10;Robo por sorpresa;-33,4100;-70,5700",
        "E2E-3;20-10-2026 09:05;Hurto;-33,4200;-70,5500",
        "E2E-4;21-10-2026 10:00;Robo de gallinas;-33,4167;-70,5966",
        "E2E-5;31-02-2026 10:00;Hurto;-33,4167;-70,5966",
    ]
).encode("utf-8")


def contar(ruta, sql: str) -> int:
    con = duckdb.connect(str(ruta), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_importar_incidentes_desde_el_navegador(pagina: Page, copia_servida):
    servidor_datos, base_importable = copia_servida
    antes = contar(base_importable, "SELECT count(*) FROM incidentes")
    pagina.goto(servidor_datos)
    esperar(pagina)
    expect(pagina.get_by_text("Casos en el período")).to_be_visible()

    pagina.get_by_test_id("stSidebarNav").get_by_role("link", name="Datos").click()
    esperar(pagina)
    expect(pagina.get_by_role("heading", name="Datos", exact=True)).to_be_visible()
    expect(pagina).to_have_url(re.compile(r"/datos"))
    expect(pagina.get_by_text(re.compile("Base de demostración sintética"))).to_be_visible()
    expect(pagina.get_by_text(re.compile(r"Datos al 31-10-2026")).first).to_be_visible()
    expect(pagina.get_by_text("Todavía no hay importaciones en esta base.")).to_be_visible()
    # Datos no usa los filtros de casos: la barra lateral no los muestra.
    expect(pagina.get_by_role("combobox", name="Período", exact=True)).to_have_count(0)

    tipo = "Incidentes (casos policiales, central 1402, cámaras)"
    pagina.get_by_role("combobox", name="Tipo de archivo", exact=True).click()
    pagina.get_by_role("option", name=tipo, exact=True).click()
    esperar(pagina)
    expect(pagina.get_by_role("combobox", name="Tipo de archivo", exact=True)).to_have_value(tipo)
    expect(pagina.get_by_role("combobox", name="Fuente de los incidentes")).to_have_value(
        "Casos policiales (Carabineros y PDI)"
    )

    pagina.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": ARCHIVO, "mimeType": "text/csv", "buffer": CSV}]
    )
    esperar(pagina)
    expect(metrica(pagina, "Filas leídas")).to_have_text("5")
    expect(metrica(pagina, "Aceptadas")).to_have_text("3")
    expect(metrica(pagina, "Rechazadas")).to_have_text("2")
    expect(metrica(pagina, "Nuevas")).to_have_text("3")
    expect(
        pagina.get_by_text(re.compile("2 filas rechazadas de «casos_octubre.csv»"))
    ).to_be_visible()
    rechazadas = pagina.locator('[data-testid="stDataFrame"]').nth(1)
    expect(rechazadas).to_contain_text("delito desconocido «Robo de gallinas»")
    expect(rechazadas).to_contain_text("fecha inválida «31-02-2026 10:00»")
    expect(pagina.get_by_role("button", name=re.compile("Descargar las 2 filas"))).to_be_visible()
    assert contar(base_importable, "SELECT count(*) FROM incidentes") == antes
    # Streamlit desplaza su propio contenedor: una ventana alta muestra toda la página.
    pagina.set_viewport_size({"width": 1400, "height": 2200})
    pagina.screenshot(path="/tmp/observatorio-datos-informe.png")
    pagina.set_viewport_size({"width": 1400, "height": 1000})

    pagina.get_by_role("button", name="Importar 3 filas").click()
    esperar(pagina)
    expect(pagina.get_by_text(re.compile("Se importó «casos_octubre.csv»"))).to_be_visible()
    expect(pagina.get_by_text(re.compile("3 filas nuevas, 0 actualizadas"))).to_be_visible()
    historial = pagina.locator('[data-testid="stDataFrame"]').last
    expect(historial).to_contain_text(ARCHIVO)
    expect(historial).to_contain_text("Incidentes")
    expect(pagina.get_by_text("Todavía no hay importaciones en esta base.")).to_have_count(0)
    assert pagina.locator('[data-testid="stException"]').count() == 0
    pagina.set_viewport_size({"width": 1400, "height": 1600})
    pagina.screenshot(path="/tmp/observatorio-datos.png")
    assert contar(base_importable, "SELECT count(*) FROM incidentes") == antes + 3


def test_enlace_directo_a_una_pagina_con_el_servidor_recien_iniciado(pagina: Page, base_demo):
    """Un enlace compartido a /datos puede ser lo primero que abre el servidor tras reiniciarse."""
    with servir(base_demo) as url:
        pagina.goto(f"{url}/datos?periodo=7d&sector=fleming")
        esperar(pagina)
        expect(pagina.get_by_role("heading", name="Datos", exact=True)).to_be_visible()
        expect(pagina).to_have_url(re.compile(r"/datos\?.*periodo=7d"))
        # Los filtros que Datos no muestra siguen vigentes al volver a Resumen.
        pagina.get_by_test_id("stSidebarNav").get_by_role("link", name="Resumen").click()
        esperar(pagina)
        expect(pagina.get_by_role("combobox", name="Período", exact=True)).to_have_value(
            "Últimos 7 días"
        )
        assert pagina.locator('[data-testid="stException"]').count() == 0
