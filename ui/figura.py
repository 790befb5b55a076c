"""Figuras de Plotly armadas con diccionarios, sin el costo de sus objetos."""

import pickle
from copy import deepcopy

import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import to_typed_array_spec

# Las claves que convert_to_base64 de Plotly deja como están (_plotly_utils.utils.is_skipped_key).
_SIN_CONVERTIR = frozenset({"geojson", "layer", "layers", "range"})


class Figura(go.Figure):
    """Una figura de Plotly armada con diccionarios de trazas y de diseño, sin pasar por sus
    objetos: construirlos, aun sin validar, y el `to_dict` con que Streamlit los copia tomaban
    más que el resto del gráfico. `to_dict` da lo mismo que el de `go.Figure(data, layout,
    _validate=False)` (las pruebas lo comparan); la figura de Plotly se arma solo si se usa otra
    cosa de ella (el informe, las pruebas)."""

    def __init__(self, data: list[dict], layout: dict):
        self.__dict__["_crudo"] = (data, layout)

    def __getattr__(self, nombre: str):
        crudo = self.__dict__.pop("_crudo", None)
        if crudo is None:
            raise AttributeError(nombre)
        go.Figure.__init__(self, data=crudo[0], layout=crudo[1], _validate=False)
        return getattr(self, nombre)

    def __reduce__(self):
        """Copiar o guardar (pickle) una Figura da la misma figura; ya armada, una de Plotly."""
        crudo = self.__dict__.get("_crudo")
        if crudo is None:
            return go.Figure, super().__reduce__()[1]
        return Figura, crudo

    def to_dict(self) -> dict:
        crudo = self.__dict__.get("_crudo")
        if crudo is None:
            return super().to_dict()
        data, layout = crudo
        diseno = _copia(layout)
        if "template" not in diseno and pio.templates.default is not None:
            diseno["template"] = _plantilla(pio.templates.default)
        return {"data": [_copia(traza) for traza in data], "layout": diseno}


def _plantilla(nombre_o_plantilla) -> dict:
    """Una copia de la plantilla por omisión, como la pone Plotly en el diseño de una figura:
    de su pickle, que se deshace en un décimo de lo que toma copiarla."""
    plantilla = nombre_o_plantilla
    if isinstance(plantilla, str):
        plantilla = pio.templates[plantilla]
    if getattr(_plantilla, "objeto", None) is not plantilla:
        _plantilla.objeto = plantilla
        _plantilla.pickle = pickle.dumps(_copia(plantilla.to_plotly_json()))
    return pickle.loads(_plantilla.pickle)


def _copia(valor):
    """Copia los diccionarios y listas de una figura, con los arreglos de numpy y pandas como
    arreglos tipados (base64), igual que `to_dict` de Plotly (deepcopy y convert_to_base64), sin
    recorrer valor por valor las listas de textos y números."""
    if isinstance(valor, dict):
        return {
            clave: deepcopy(v) if clave in _SIN_CONVERTIR else _valor(v)
            for clave, v in valor.items()
        }
    if isinstance(valor, list | tuple):
        # Los tipos distintos, no cada valor (listas de cientos de textos o números).
        if any(issubclass(tipo, dict | list | tuple) for tipo in set(map(type, valor))):
            return type(valor)(_copia(v) for v in valor)
        return list(valor) if isinstance(valor, list) else deepcopy(valor)
    if valor is None or isinstance(valor, str | int | float):
        return valor
    return deepcopy(valor)


def _valor(valor):
    """El valor de una clave: un arreglo de numpy o pandas va como arreglo tipado."""
    if valor is None or isinstance(valor, str | int | float | dict | list | tuple):
        return _copia(valor)
    if is_homogeneous_array(valor):
        return to_typed_array_spec(deepcopy(valor))
    return _copia(valor)
