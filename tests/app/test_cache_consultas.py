"""La caché de `conexion.consultar`: una clave de texto para los argumentos simples, que distingue
cualquier par de valores distintos, y el hash de Streamlit para los demás."""

import threading
from datetime import date, datetime

import numpy as np
from streamlit.testing.v1 import AppTest

from consultas.filtros import Filtros
from ui import conexion

FILTROS = Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("norte",))
# Valores que se parecen pero son distintos: cada uno debe dar otro texto.
PARECIDOS = [
    1,
    True,
    1.0,
    "1",
    "'1'",
    None,
    "None",
    date(2026, 1, 1),
    datetime(2026, 1, 1),
    (),
    ("a",),
    "a",
    ("a", "b"),
    (("a", "b"),),
    ("a,b",),
    FILTROS,
    Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("sur",)),
    Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), barrios=("norte",)),
    Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("norte",), fuente="1402"),
]


def test_valores_distintos_dan_textos_distintos():
    textos = [conexion._texto(valor) for valor in PARECIDOS]
    assert None not in textos
    assert len(set(textos)) == len(PARECIDOS)


def test_valores_iguales_dan_el_mismo_texto():
    copia = Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("norte",))
    assert copia is not FILTROS
    assert conexion._texto((copia, "x", 3)) == conexion._texto((FILTROS, "x", 3))


def test_otros_tipos_no_tienen_texto():
    for valor in (np.int64(3), [1, 2], {"a": 1}, (1, np.float64(2.0)), (FILTROS, [1])):
        assert conexion._texto(valor) is None


LLAMADAS: list = []


def contar(con, *argumentos):
    """Una consulta que anota cada vez que de verdad corre."""
    LLAMADAS.append(argumentos)
    return len(LLAMADAS)


def _pagina():
    from datetime import date

    import streamlit as st

    from consultas.filtros import Filtros
    from tests.app.test_cache_consultas import contar
    from ui import conexion

    norte = Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("norte",))
    sur = Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("sur",))
    for argumentos in st.session_state.pedidos:
        argumentos = [norte if a == "norte" else sur if a == "sur" else a for a in argumentos]
        st.markdown(str(conexion.consultar(contar, *argumentos)))


def test_consultar_corre_una_vez_por_argumentos_distintos(base):
    LLAMADAS.clear()
    at = AppTest.from_function(_pagina, default_timeout=60)
    at.session_state.pedidos = [
        ("norte", "a"),
        ("norte", "a"),  # repetida: de la caché
        ("sur", "a"),
        ("norte", 1),
        ("norte", True),
        (np.int64(7),),  # no simple: la hashea Streamlit
        (np.int64(7),),
        (np.int64(8),),
    ]
    at.run()
    assert not at.exception
    assert len(LLAMADAS) == 6
    # Cada pedido recibe el resultado de su propia llamada, también los que vinieron de la caché.
    assert [m.value for m in at.markdown] == ["1", "1", "2", "3", "4", "5", "5", "6"]


def eco(con, filtros, texto):
    """Una consulta que anota cada vez que de verdad corre y devuelve su texto dos veces."""
    LLAMADAS.append(texto)
    return texto * 2


def falla(con, filtros):
    LLAMADAS.append("falla")
    raise ValueError("Consulta que falla")


def _pagina_adelantada():
    from datetime import date

    import streamlit as st

    from consultas.filtros import Filtros
    from tests.app.test_cache_consultas import eco, falla
    from ui import conexion

    norte = Filtros(desde=date(2026, 1, 1), hasta=date(2026, 3, 31), sectores=("norte",))
    conexion.adelantar((eco, norte, "a"), (eco, norte, "b"), (falla, norte))
    for texto in ("a", "b", "a"):
        st.markdown(conexion.consultar(eco, norte, texto))
    conexion.consultar(falla, norte)


def test_adelantar_corre_cada_consulta_una_vez_y_los_errores_llegan_a_la_pagina(base):
    LLAMADAS.clear()
    at = AppTest.from_function(_pagina_adelantada, default_timeout=60).run()
    for hilo in threading.enumerate():
        if hilo.name == "adelantar":
            hilo.join(timeout=10)
    # Cada adelantada corrió una vez (en otro hilo o, si la página llegó antes, en el suyo) y la
    # página recibió su resultado.
    assert [m.value for m in at.markdown] == ["aa", "bb", "aa"]
    assert sorted(a for a in LLAMADAS if a != "falla") == ["a", "b"]
    # La que falla en su hilo se corre de nuevo al pedirla y su error se ve en la página.
    assert LLAMADAS.count("falla") == 2
    assert "Consulta que falla" in at.exception[0].message
