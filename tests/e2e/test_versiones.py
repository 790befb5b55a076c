"""En Chromium: Compartir da un enlace que, abierto después de una importación que agrega y
actualiza casos, sigue mostrando las cifras de cuando se compartió."""

import re

import pytest
from playwright.sync_api import Page, expect

from datos.demo import FECHA_CORTE_DEMO
from tests.e2e.ayudas import esperar, metrica
from tests.versiones import cambios, importar

pytestmark = pytest.mark.e2e


def casos(pagina: Page) -> int:
    valor = metrica(pagina, "Casos en el período")
    expect(valor).to_have_text(re.compile(r"^[\d.]+$"))
    return int(valor.inner_text().replace(".", ""))


def test_enlace_compartido_muestra_las_cifras_de_su_version(pagina: Page, copia_servida):
    servidor_propio, base_propia = copia_servida
    # El mes de octubre contiene los 28 días que cambia la importación (tests/versiones.py).
    pagina.goto(f"{servidor_propio}/?periodo=mes")
    esperar(pagina, "Resumen")
    antes = casos(pagina)

    pagina.get_by_role("button", name="Compartir", exact=True).click()
    dialogo = pagina.get_by_role("dialog")
    expect(dialogo.get_by_text(re.compile("la versión 1 de los datos"))).to_be_visible()
    enlace = dialogo.locator("code").inner_text().strip()
    assert enlace.startswith(servidor_propio)
    assert "periodo=mes" in enlace and "version=1" in enlace

    texto, diferencia = cambios(base_propia, FECHA_CORTE_DEMO)
    assert importar(base_propia, "incidentes", texto).version == 2

    otra = pagina.context.new_page()
    otra.goto(enlace)
    esperar(otra, "Resumen")
    assert casos(otra) == antes
    expect(
        otra.get_by_text(re.compile("Esta vista muestra la versión 1 de los datos"))
    ).to_be_visible()
    expect(otra.get_by_text(re.compile("Hay datos más nuevos: la versión 2"))).to_be_visible()

    otra.get_by_role("button", name="Ver los datos actuales").click()
    esperar(otra, "Resumen")
    expect(otra).not_to_have_url(re.compile("version="))
    expect(otra).to_have_url(re.compile("periodo=mes"))
    assert casos(otra) == antes + diferencia
