"""Formato chileno para lo que ve el usuario: 1.234,5 y dd-mm-aaaa."""

from datetime import date

import pandas as pd

from consultas.privacidad import MENOS_DE_5


def _vacio(valor) -> bool:
    return valor is None or (not isinstance(valor, str) and bool(pd.isna(valor)))


def numero(valor, decimales: int = 0) -> str:
    if _vacio(valor):
        return "—"
    texto = f"{valor:,.{decimales}f}"
    return texto.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def conteo(valor) -> str:
    """Un conteo de casos; sin valor es un conteo suprimido para el público: «<5»."""
    if _vacio(valor):
        return MENOS_DE_5
    return numero(valor)


def conteos(serie: pd.Series):
    """Una columna de conteos para st.dataframe: los números tal cual, o como texto (con «<5»)
    si alguno está suprimido."""
    return serie.map(conteo) if serie.isna().any() else serie


def porcentaje(valor, decimales: int = 1) -> str:
    if _vacio(valor):
        return "—"
    signo = "+" if valor > 0 else ""
    return f"{signo}{numero(valor, decimales)} %"


# Las mismas reglas para una columna entera, sin pasar por pd.isna en cada valor.
_CHILENO = str.maketrans(",.", ".,")


def numeros(valores, decimales: int = 0, vacio: str = "—") -> list[str]:
    """`numero` de cada valor (`vacio` donde no hay valor)."""
    patron = f"{{:,.{decimales}f}}"
    arreglo = pd.Series(valores).to_numpy(float, na_value=float("nan"))
    return [vacio if v != v else patron.format(v).translate(_CHILENO) for v in arreglo.tolist()]


def conteos_texto(valores) -> list[str]:
    """`conteo` de cada valor: «<5» donde no hay valor."""
    return numeros(valores, 0, MENOS_DE_5)


def porcentajes(valores, decimales: int = 1) -> list[str]:
    """`porcentaje` de cada valor."""
    arreglo = pd.Series(valores).to_numpy(float, na_value=float("nan"))
    return [
        t if t == "—" else ("+" if v > 0 else "") + t + " %"
        for v, t in zip(arreglo.tolist(), numeros(arreglo, decimales), strict=True)
    ]


def fecha(valor: date) -> str:
    if isinstance(valor, date) and valor is not pd.NaT:  # sin crear un Timestamp: ~10 veces menos
        return f"{valor.day:02d}-{valor.month:02d}-{valor.year}"
    return pd.Timestamp(valor).strftime("%d-%m-%Y")


def rango(desde: date, hasta: date) -> str:
    return f"{fecha(desde)} a {fecha(hasta)}"


def lista(nombres: list[str], todos: str, maximo: int = 4) -> str:
    """'A, B y C', o un resumen cuando son muchos; `todos` cuando la lista está vacía."""
    if not nombres:
        return todos
    if len(nombres) > maximo:
        return f"{', '.join(nombres[:maximo])} y {len(nombres) - maximo} más"
    if len(nombres) == 1:
        return nombres[0]
    return f"{', '.join(nombres[:-1])} y {nombres[-1]}"


def territorio(filtros, cat) -> str:
    if filtros.barrios:
        nombres = cat.nombres("barrios")
        return "Barrios " + lista([nombres[b] for b in filtros.barrios], "")
    if filtros.sectores:
        nombres = cat.nombres("sectores")
        return "Sectores " + lista([nombres[s] for s in filtros.sectores], "")
    return "Comuna de Las Condes"


def describir(filtros, cat) -> str:
    """Qué muestra un gráfico o tabla: fuente, período, territorio, delitos y fecha de los datos."""
    familias = cat.nombres("familias")
    delitos = cat.nombres("delitos")
    partes = [
        cat.nombres("fuentes")[filtros.fuente],
        rango(filtros.desde, filtros.hasta),
        territorio(filtros, cat),
        "Familias: " + lista([familias[f] for f in filtros.familias], "todas"),
    ]
    if filtros.delitos:
        partes.append("Tipos: " + lista([delitos[d] for d in filtros.delitos], "todos"))
    partes.append(f"Datos al {fecha(cat.corte_de(filtros.fuente))}")
    return " · ".join(partes)


def proporcion(valor, decimales: int = 1) -> str:
    """Una proporción (0 a 1) como porcentaje sin signo: 0,378 -> '37,8 %'."""
    if _vacio(valor):
        return "—"
    return f"{numero(100 * valor, decimales)} %"
