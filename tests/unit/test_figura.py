import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools

from ui.figura import Figura


def _trazas() -> list[dict]:
    """De todo lo que llevan los gráficos del tablero: listas con None, Series de fechas y de
    números con NaN, arreglos de numpy de una y dos dimensiones, tuplas y listas de listas."""
    return [
        {
            "type": "scatter",
            "x": pd.Series(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])),
            "y": pd.Series([1.5, np.nan, 3.0]),
            "text": ["uno", "dos", "tres"],
            "customdata": [["a", 1], ["b", 2], ["c", 3]],
            "marker": {"size": 4, "color": ["#c0392b", "#2166ac", "#c0392b"]},
            "line": {"width": 0},
            "visible": "legendonly",
            "hovertemplate": "%{text}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": np.arange(5, dtype=np.int64),
            "y": [0, None, 2, 3, 4],
            "fill": "toself",
            "showlegend": False,
        },
        {
            "type": "heatmap",
            "z": np.array([[1.0, np.nan], [3.0, 4.0]]),
            "x": ("00", "01"),
            "y": ["Lunes", "Martes"],
            "colorscale": "Reds",
            "colorbar": {"title": {"text": "Casos"}},
        },
    ]


def _diseno() -> dict:
    return {
        "height": 440,
        "separators": ",.",
        "xaxis": {"tickformat": "%m-%Y", "range": np.array([0, 10])},
        "yaxis": {"title": {"text": "Casos"}, "rangemode": "tozero"},
        "shapes": [{"type": "line", "x0": 1, "x1": 1, "y0": 0, "y1": 1, "yref": "y domain"}],
    }


def _enviado(figura) -> dict:
    """Lo que Streamlit envía al navegador (st.plotly_chart): el JSON de la figura."""
    return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(figura, True)))


def test_to_dict_igual_al_de_la_figura_de_plotly():
    figura = Figura(_trazas(), _diseno())
    referencia = go.Figure(data=_trazas(), layout=_diseno(), _validate=False)
    assert _enviado(figura) == _enviado(referencia)
    assert "_crudo" in figura.__dict__  # sin armar la figura de Plotly
    assert _enviado(figura)["layout"]["template"] == _enviado(go.Figure())["layout"]["template"]


def test_to_dict_es_una_copia():
    figura = Figura(_trazas(), _diseno())
    primera = figura.to_dict()
    primera["data"][0]["marker"]["color"][0] = "otro"
    primera["data"][0]["customdata"][0][0] = "otro"
    primera["layout"]["template"]["layout"]["font"] = "otra"
    primera["layout"]["shapes"].clear()
    assert _enviado(figura) == _enviado(Figura(_trazas(), _diseno()))
    assert figura.to_dict()["data"][0]["marker"]["color"][0] == "#c0392b"


def test_se_usa_como_una_figura_de_plotly():
    figura = Figura(_trazas(), _diseno())
    referencia = go.Figure(data=_trazas(), layout=_diseno(), _validate=False)
    assert isinstance(figura, go.Figure)
    assert figura.data[1].fill == "toself"
    assert figura.layout.height == 440
    assert "_crudo" not in figura.__dict__
    assert _enviado(figura) == _enviado(referencia)
    # Como lo usa el informe: copiada y modificada, sin tocar la original.
    copia = go.Figure(Figura(_trazas(), _diseno())).update_xaxes(automargin=True)
    assert copia.layout.xaxis.automargin is True
    assert _enviado(go.Figure(figura)) == _enviado(referencia)


def test_se_copia_y_se_guarda_como_una_figura_de_plotly():
    import copy
    import pickle

    referencia = _enviado(go.Figure(data=_trazas(), layout=_diseno(), _validate=False))
    armada = Figura(_trazas(), _diseno())
    assert armada.layout.height == 440  # la arma
    for figura in (Figura(_trazas(), _diseno()), armada):
        for copiar in (copy.copy, copy.deepcopy, lambda f: pickle.loads(pickle.dumps(f))):
            copia = copiar(figura)
            assert isinstance(copia, go.Figure)
            assert _enviado(copia) == referencia
