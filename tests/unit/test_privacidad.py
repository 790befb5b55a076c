"""Las funciones puras de la regla del público, contra tablas pequeñas resueltas a mano."""

from datetime import date

import numpy as np
import pandas as pd

from consultas import privacidad as p
from consultas.filtros import Filtros
from consultas.privacidad import MENOS_DE_5, Regla


def test_pequenos_son_de_1_a_4():
    assert p.pequenos([0, 1, 4, 5, 12, np.nan]).tolist() == [False, True, True, False, False, False]


def test_complementaria_suprime_la_menor_parte_visible_positiva():
    valores = np.array([3.0, 0.0, 9.0, 7.0])
    mascara = p.complementar(valores, p.pequenos(valores), np.ones(4, dtype=bool))
    # Sola, la parte de 3 se despejaría del total (19 − 0 − 9 − 7): se suprime también la de 7.
    assert mascara.tolist() == [True, False, False, True]


def test_complementaria_no_hace_nada_con_dos_suprimidas_o_ninguna():
    dos = np.array([3.0, 2.0, 9.0])
    assert p.complementar(dos, p.pequenos(dos), np.ones(3, dtype=bool)).tolist() == [
        True,
        True,
        False,
    ]
    ninguna = np.array([5.0, 0.0])
    assert not p.complementar(ninguna, p.pequenos(ninguna), np.ones(2, dtype=bool)).any()


def test_suprimir_tabla_con_total_y_derivadas():
    tabla = pd.DataFrame(
        {
            "familia": ["Todas", "A", "B", "C", "Todas", "A", "B", "C"],
            "periodo": ["x"] * 4 + ["y"] * 4,
            "actual": [20, 3, 10, 7, 30, 10, 10, 10],
            "anterior": [12, 6, 6, 0, 8, 4, 2, 2],
            "variacion_pct": [66.7, -50.0, 66.7, np.nan, 275.0, 150.0, 400.0, 400.0],
            "clasificacion": ["normal"] * 8,
        }
    )
    regla = Regla(
        conteos=("actual", "anterior"),
        derivadas={c: ("actual", "anterior") for c in ("variacion_pct", "clasificacion")},
        grupos=("periodo",),
        totales=("familia", "Todas"),
    )
    r = p.suprimir(tabla, regla)
    # Período x: A tiene 3 (suprimido) y su complemento es C (7, la menor parte visible).
    assert r["actual"].isna().tolist() == [False, True, False, True, False, False, False, False]
    # Período y: las tres partes de «anterior» son 4, 2 y 2: todas suprimidas, sin complemento.
    assert r["anterior"].isna().tolist() == [False, False, False, False, False, True, True, True]
    assert r["actual"].iloc[0] == 20 and r["anterior"].iloc[4] == 8, "los totales quedan"
    assert r.loc[[1, 3, 5, 6, 7], "clasificacion"].eq(MENOS_DE_5).all()
    assert r.loc[[1, 3, 5, 6, 7], "variacion_pct"].isna().all()
    assert r.loc[[0, 2, 4], "clasificacion"].eq("normal").all()
    # Nada visible despeja un conteo: total − visibles da la suma de dos suprimidos (3 + 7).
    assert 20 - r.loc[1:3, "actual"].sum() == 10


def test_matriz_con_una_sola_casilla_pequena_suprime_otra():
    grilla = pd.DataFrame([[0, 3], [8, 12]])
    r = p.suprimir(grilla, Regla(matriz=True))
    assert r.isna().to_numpy().tolist() == [[False, True], [True, False]]


def test_como_texto_escribe_menos_de_5_solo_donde_se_suprimio():
    tabla = pd.DataFrame({"antes": pd.array([3, None, 9], dtype="Int64"), "z": [0.1, 0.2, 0.3]})
    regla = Regla(conteos=("antes",), derivadas={"z": ("antes",)}, grupos=None)
    texto = p.como_texto(p.suprimir(tabla, regla))
    # La fila 1 no tenía dato (ventana incompleta): queda vacía, no «<5».
    assert texto["antes"].tolist()[0] == MENOS_DE_5 and pd.isna(texto["antes"].iloc[1])
    assert texto["antes"].iloc[2] == 9 and np.isnan(texto["z"].iloc[0])


def test_serie_suprime_la_media_movil_con_un_conteo_suprimido_en_su_ventana():
    from consultas import tendencias

    largo = max(tendencias.MEDIA_MOVIL.values())
    casos = [10] * 3 + [2] + [10] * (largo + 2)
    serie = pd.DataFrame(
        {
            "fecha": pd.date_range("2025-01-06", periods=len(casos), freq="7D"),
            "casos": casos,
            "media_movil": [10.0] * len(casos),
            "hace_1_anio": [7.0] * len(casos),
        }
    )
    r = p.aplicar(tendencias.serie, serie)
    vacias = r["media_movil"].isna().tolist()
    assert vacias == [False] * 3 + [True] * largo + [False] * 3


def test_sin_sensibles_nunca_deja_la_lista_vacia():
    delitos = pd.DataFrame(
        {
            "delito": ["hurto", "vif_lesiones", "violacion"],
            "familia": ["propiedad", "vif", "vida"],
            "sensible": [False, True, True],
        }
    )
    base = Filtros(desde=date(2025, 1, 1), hasta=date(2025, 1, 31))
    assert p.sin_sensibles(base, delitos).delitos == ("hurto",)
    solo_vif = Filtros(desde=base.desde, hasta=base.hasta, familias=("vif",))
    assert p.sin_sensibles(solo_vif, delitos).delitos == (p.NINGUNO,), "vacío sería «todos»"


def test_una_funcion_sin_regla_no_se_entrega_al_publico():
    def nueva(con):
        return pd.DataFrame({"casos": [2]})

    try:
        p.llamar(nueva, None, publico=True)
    except p.SinRegla as error:
        assert "no tiene regla" in str(error)
    else:
        raise AssertionError("una función sin regla llegó al público")
    assert p.llamar(nueva, None, publico=False)["casos"].iloc[0] == 2


def test_puntos_sin_coordenadas_para_el_publico():
    from consultas import mapa

    puntos = pd.DataFrame({"lat": [-33.4], "lon": [-70.6], "delito": ["hurto"]})
    publico = p.aplicar(mapa.puntos, puntos)
    assert publico.empty and "lat" not in publico and "lon" not in publico
