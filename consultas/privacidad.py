"""La regla del rol público (DISENO.md §5), en un solo lugar y sin Streamlit.

Lo que ve el público (la pantalla o el quiosco con `OBSERVATORIO_ROL=publico`, quien ingresó sin
un rol asignado, `observatorio exportar … --publico` y los informes compartibles):

1. **Ningún punto**: `mapa.puntos` devuelve una tabla vacía sin coordenadas. Las celdas H3 llevan
   su centro (`lat`, `lon`), que es de la celda y no de un caso.
2. **Conteos de 1 a 4 como «<5»**: en cada resultado, los conteos de casos entre 1 y 4 quedan sin
   valor (NaN), y las páginas y los archivos los muestran como «<5». El 0 se muestra: decir que no
   hubo casos no ubica a nadie.
3. **Tampoco lo que sale de ellos**: tasas, variaciones, z, clasificaciones y p que se calculan con
   un conteo suprimido quedan sin valor (texto: «<5»), para que el conteo no se recupere despejando.
4. **Ni por diferencia (supresión complementaria)**: en una tabla de partes cuyo total se publica
   (familias de un período, barrios de la comuna, celdas, horas de una grilla), si en un grupo
   queda exactamente un conteo suprimido, se suprime también el menor conteo visible positivo del
   grupo, así «total − suma de lo visible» da la suma de dos conteos y no uno. Cuando lo único
   visible es 0, el total es igual al conteo suprimido y, por ser menor que 5, también se suprime.
5. **VIF y delitos sexuales (`delitos.sensible`) nunca bajo el nivel de barrio**: las consultas
   por celda (celdas, calor, puntos calientes, evolución, concentración, cámaras por celda) se
   hacen para el público sin esos delitos; por barrio, sector o comuna sí cuentan.

Cada función de consultas que una página pide con `ui.conexion.consultar` (o que exporta la línea
de comandos) tiene su entrada en `REGLAS`, con qué columnas son conteos y qué columnas derivan de
cuáles. Una función sin entrada no se entrega al público (`SinRegla`): una página nueva recibe la
regla por construcción o falla a la vista, nunca filtra en silencio.

Límites conocidos, a propósito: los z de Gi* por período de la evolución (`z_p1…`) y la tendencia
de Mann–Kendall se publican (resumen de siete celdas y de varios períodos); la banda de lo
esperado de Tendencias se suprime cuando lo es alguno de los conteos de años anteriores de esa
unidad; `necesidad` (índice hecho de rangos) y el número de celdas calientes no se suprimen.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

MINIMO = 5
MENOS_DE_5 = "<5"
NINGUNO = "__ninguno__"  # un delito que no existe: una lista de delitos que no calza con nada


class SinRegla(LookupError):
    """Se pidió para el público el resultado de una función que no tiene regla."""


@dataclass(frozen=True)
class Regla:
    """Cómo se publica una tabla.

    - `conteos`: columnas con conteos de casos (o de personas encuestadas).
    - `derivadas`: columna -> conteos de los que sale; se suprime si alguno lo está.
    - `grupos`: columnas que separan grupos de partes para la supresión complementaria (vacío:
      toda la tabla es un grupo; None: sin supresión complementaria).
    - `totales`: (columna, valor) de las filas que son el total y no una parte.
    - `matriz`: todas las columnas son conteos (grilla hora × día, mes × año).
    - `celdas`: consulta por celda H3: para el público, sin delitos sensibles.
    """

    conteos: tuple[str, ...] = ()
    derivadas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grupos: tuple[str, ...] | None = ()
    totales: tuple[str, str] | None = None
    matriz: bool = False
    celdas: bool = False


# --- Funciones puras sobre tablas --------------------------------------------------------------


def pequenos(valores) -> np.ndarray:
    """Máscara de los conteos de 1 a 4."""
    v = pd.to_numeric(pd.Series(valores), errors="coerce").to_numpy(dtype=float)
    return (v >= 1) & (v < MINIMO)


def complementar(valores: np.ndarray, mascara: np.ndarray, partes: np.ndarray) -> np.ndarray:
    """La máscara de un grupo con la supresión complementaria: si entre las `partes` hay
    exactamente un conteo suprimido, se suprime también la menor parte visible positiva."""
    mascara = mascara.copy()
    if (mascara & partes).sum() != 1:
        return mascara
    visibles = partes & ~mascara & (np.nan_to_num(valores) > 0)
    if visibles.any():
        candidatos = np.where(visibles, valores, np.inf)
        mascara[int(np.argmin(candidatos))] = True
    return mascara


def _mascaras(tabla: pd.DataFrame, regla: Regla) -> dict[str, np.ndarray]:
    columnas = list(tabla.columns) if regla.matriz else [c for c in regla.conteos if c in tabla]
    mascaras = {c: pequenos(tabla[c]) for c in columnas}
    if regla.grupos is None or tabla.empty:
        return mascaras
    partes = np.ones(len(tabla), dtype=bool)
    if regla.totales:
        columna, valor = regla.totales
        partes = (tabla[columna] != valor).to_numpy()
    if regla.matriz:
        plano = tabla.to_numpy(dtype=float).ravel()
        todas = np.column_stack([mascaras[c] for c in columnas]).ravel()
        todas = complementar(plano, todas, np.ones_like(todas))
        forma = todas.reshape(len(tabla), len(columnas))
        return {c: forma[:, k] for k, c in enumerate(columnas)}
    claves = (
        tabla[list(regla.grupos)].astype(str).agg("|".join, axis=1).to_numpy()
        if regla.grupos
        else np.zeros(len(tabla))
    )
    for c, mascara in mascaras.items():
        valores = pd.to_numeric(tabla[c], errors="coerce").to_numpy(dtype=float)
        for clave in pd.unique(claves):
            en_grupo = claves == clave
            mascara[en_grupo] = complementar(valores[en_grupo], mascara[en_grupo], partes[en_grupo])
    return mascaras


def _vaciar(serie: pd.Series, mascara: np.ndarray) -> pd.Series:
    if not mascara.any():
        return serie
    if pd.api.types.is_bool_dtype(serie):
        return serie.where(~mascara, False)
    if pd.api.types.is_numeric_dtype(serie):
        return pd.to_numeric(serie, errors="coerce").astype(float).where(~mascara)
    return serie.astype(object).where(~mascara, MENOS_DE_5)


def suprimir(tabla: pd.DataFrame, regla: Regla) -> pd.DataFrame:
    """La tabla con la regla del público: conteos de 1 a 4 (y los complementarios) sin valor, y
    sin valor también lo que deriva de ellos."""
    if not isinstance(tabla, pd.DataFrame) or tabla.empty:
        return tabla
    mascaras = _mascaras(tabla, regla)
    resultado = tabla.copy()
    for c, mascara in mascaras.items():
        resultado[c] = _vaciar(resultado[c], mascara)
    suprimidas = {c: list(tabla.index[m]) for c, m in mascaras.items() if m.any()}
    for c, fuentes in regla.derivadas.items():
        if c in resultado:
            presentes = [mascaras[f] for f in fuentes if f in mascaras]
            if presentes:
                resultado[c] = _vaciar(resultado[c], np.logical_or.reduce(presentes))
    resultado.attrs["suprimidas"] = suprimidas
    return resultado


def sin_sensibles(filtros, delitos: pd.DataFrame):
    """Los filtros sin VIF ni delitos sexuales: los tipos permitidos dentro de lo elegido (y si no
    queda ninguno, uno que no existe, porque una lista vacía significaría «todos»)."""
    permitidos = delitos[~delitos["sensible"].astype(bool)]
    if filtros.familias:
        permitidos = permitidos[permitidos["familia"].isin(filtros.familias)]
    if filtros.delitos:
        permitidos = permitidos[permitidos["delito"].isin(filtros.delitos)]
    return replace(filtros, delitos=tuple(permitidos["delito"]) or (NINGUNO,))


def como_texto(tabla: pd.DataFrame) -> pd.DataFrame:
    """Para un archivo del público: cada conteo suprimido como el texto «<5», y los demás conteos
    como enteros. Las celdas suprimidas son las que anotó `suprimir` (`attrs`); si la tabla ya no
    las trae, las que no tienen valor en una columna de conteos."""
    anotadas = tabla.attrs.get("suprimidas")
    resultado = tabla.copy()
    for c in resultado.columns:
        if c not in CONTEOS and not isinstance(c, int):
            continue
        serie = resultado[c]
        if anotadas is not None:
            vacias = serie.index.isin(anotadas.get(c, [])) & serie.isna().to_numpy()
        else:
            vacias = serie.isna().to_numpy()
        if vacias.any() or pd.api.types.is_float_dtype(serie):
            resultado[c] = [
                MENOS_DE_5 if vacia else (v if pd.isna(v) or v != int(v) else int(v))
                for v, vacia in zip(serie, vacias, strict=True)
            ]
    return resultado


# --- Reglas por función ------------------------------------------------------------------------

_CAMBIO = ("variacion_pct", "z_poisson", "clasificacion")
_CAMBIO_CELDA = {c: ("actual", "anterior") for c in _CAMBIO} | {
    c: ("casos",) for c in ("gi_z", "p_valor", "p_fdr")
}
_ESTIMACION = {c: ("n",) for c in ("estimacion", "error_estandar", "ic_inferior", "ic_superior")}
_CELDAS = Regla(conteos=("actual", "anterior", "casos"), derivadas=_CAMBIO_CELDA, celdas=True)
_CONTEOS_WDD = (
    "antes",
    "despues",
    "comparacion_antes",
    "comparacion_despues",
    "desplazamiento_antes",
    "desplazamiento_despues",
)
_EVALUACION = Regla(
    conteos=_CONTEOS_WDD,
    derivadas={c: _CONTEOS_WDD for c in ("wdd", "varianza", "z", "p_valor", "veredicto")},
    grupos=None,
)
_PERCEPCION = Regla(conteos=("n",), derivadas=_ESTIMACION, grupos=None)
_COBERTURA = Regla(conteos=("casos_dmcs",), derivadas={"tasa_dmcs": ("casos_dmcs",)})
_SERIE = Regla(
    conteos=("casos", "hace_1_anio", "hace_2_anios", "hace_3_anios"),
    derivadas={
        "posicion": ("casos",),
        "fuera": ("casos",),
        **{
            c: ("hace_1_anio", "hace_2_anios", "hace_3_anios")
            for c in ("esperado", "limite_inferior", "limite_superior")
        },
    },
    grupos=("fecha",),
)


def _serie(tabla: pd.DataFrame) -> pd.DataFrame:
    """La serie de Tendencias: además, la media móvil se suprime si en su ventana hay un conteo
    suprimido (la diferencia entre dos medias consecutivas despeja un conteo)."""
    from consultas.tendencias import MEDIA_MOVIL

    resultado = suprimir(tabla, _SERIE)
    if resultado.empty or "media_movil" not in resultado:
        return resultado
    largo = max(MEDIA_MOVIL.values())
    grupos = resultado["grupo"] if "grupo" in resultado else pd.Series(0, index=resultado.index)
    vacias = resultado["casos"].isna().astype(float)
    en_ventana = vacias.groupby(grupos).transform(lambda s: s.rolling(largo, min_periods=1).max())
    resultado["media_movil"] = resultado["media_movil"].where(en_ventana == 0)
    return resultado


def _ficha_casos(datos: dict) -> dict:
    fila = datos["fila"]
    if fila.empty:
        return datos
    regla = REGLAS["consultas.resumen.barrios_comparados"]
    publica = suprimir(fila.to_frame().T.infer_objects(), replace(regla, grupos=None))
    return datos | {"fila": publica.iloc[0]}


def _evolucion(resultado: tuple) -> tuple:
    tabla, tramos = resultado
    regla = Regla(
        conteos=("casos", "casos_ultimo"), derivadas={"z_ultimo": ("casos_ultimo",)}, celdas=True
    )
    return suprimir(tabla, regla), suprimir(tramos, Regla(conteos=("casos",), grupos=None))


def _concentracion(datos: dict) -> dict:
    """La curva solo hasta la última celda con 5 casos o más (más el punto final), y sin el 5 % o
    10 % cuando ese corte cae entre celdas suprimidas."""
    if not datos["celdas"]:
        return datos
    visibles = int(datos["visibles"])
    cola = datos["celdas"] - visibles
    if cola == 1 and visibles:
        visibles -= 1  # complementaria: la cola no puede ser una sola celda
    x, y = datos["curva"]
    curva = (np.r_[x[: visibles + 1], x[-1:]], np.r_[y[: visibles + 1], y[-1:]])
    cortes = {
        clave: (datos[clave] if datos[f"celda_{clave}"] <= visibles else np.nan)
        for clave in ("top5", "top10")
    }
    casos = datos["casos"] if datos["casos"] >= MINIMO else np.nan
    return datos | cortes | {"curva": curva, "casos": casos}


def _sin_puntos(tabla: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in tabla.columns if c not in ("lat", "lon")])


# Nombre calificado de la función -> Regla (una tabla), función (otra forma de resultado) o None
# (no lleva conteos de casos: catálogos, geometrías, actividades del programa, población).
REGLAS: dict[str, Regla | Callable | None] = {
    "consultas.catalogos.catalogo": None,
    "consultas.catalogos.geometrias": None,
    "consultas.catalogos.historial_importaciones": None,
    "consultas.resumen.poblacion": None,
    "consultas.resumen.tabla_comparacion": Regla(
        conteos=("actual", "anterior"),
        derivadas=dict.fromkeys(_CAMBIO, ("actual", "anterior")),
        grupos=("periodo", "comparacion"),
        totales=("familia", "Todas las familias"),
    ),
    "consultas.resumen.barrios_comparados": Regla(
        conteos=("actual", "anterior"),
        derivadas=dict.fromkeys(_CAMBIO, ("actual", "anterior")) | {"tasa": ("actual",)},
    ),
    "consultas.mapa.puntos_calientes": _CELDAS,
    "consultas.mapa.casos_por_celda": _CELDAS,
    "consultas.mapa.camaras_por_celda": _CELDAS,
    "consultas.mapa.evolucion": _evolucion,
    "consultas.mapa.curva_concentracion": Regla(
        conteos=("casos",), derivadas={"parte_casos": ("casos",)}, celdas=True
    ),
    "consultas.mapa.concentracion": _concentracion,
    "consultas.mapa.puntos": _sin_puntos,
    "consultas.mapa.lineas": None,
    "consultas.mapa.actividades_por_barrio": None,
    "consultas.tendencias.primer_dia": None,
    "consultas.tendencias.actividades": None,
    # La historia diaria no se dibuja: la página publica lo que sale de ella (serie, últimas
    # unidades, mes × año) con `ui.conexion.derivar`, que aplica las reglas de abajo.
    "consultas.tendencias.casos_diarios": None,
    "consultas.tendencias.serie": _serie,
    "consultas.tendencias.ultimas": Regla(
        conteos=("actual", "anterior"), derivadas=dict.fromkeys(_CAMBIO, ("actual", "anterior"))
    ),
    "consultas.tendencias.mes_y_anio": Regla(matriz=True),
    "consultas.tendencias.hora_y_dia": Regla(matriz=True),
    "consultas.tendencias.comparacion": Regla(
        conteos=("actual", "anterior", "anio_anterior"),
        derivadas=dict.fromkeys(_CAMBIO, ("actual", "anterior"))
        | dict.fromkeys(
            ("variacion_anual_pct", "z_anual", "clasificacion_anual"), ("actual", "anio_anterior")
        )
        | {"tasa": ("actual",), "embudo": ("actual",)},
    ),
    "consultas.encuestas.estimaciones": _PERCEPCION,
    "consultas.encuestas.exportable": _PERCEPCION,
    "consultas.encuestas.estratos_un_conglomerado": None,
    "consultas.encuestas.cifra_negra": Regla(
        conteos=("casos", "n", "n_denuncio"),
        derivadas={"casos_por_mil": ("casos",)}
        | _ESTIMACION
        | {
            c: ("n_denuncio",)
            for c in ("estimacion_denuncio", "ic_inferior_denuncio", "ic_superior_denuncio")
        },
        grupos=("nivel",),
    ),
    "consultas.ficha.casos": _ficha_casos,
    "consultas.ficha.tendencia": Regla(
        conteos=("barrio", "comuna"),
        derivadas={"tasa_barrio": ("barrio",), "tasa_comuna": ("comuna",)},
        grupos=None,
    ),
    "consultas.ficha.delitos": Regla(conteos=("casos",)),
    "consultas.ficha.horas": Regla(matriz=True),
    "consultas.ficha.celdas_calientes": _CELDAS,
    "consultas.ficha.encuesta": _PERCEPCION,
    "consultas.ficha.actividades": None,
    "consultas.ficha.ultima_actividad": None,
    "consultas.evaluacion.evaluar": _EVALUACION,
    "consultas.evaluacion.exportable": _EVALUACION,
    "consultas.cobertura.necesidad_y_cobertura": _COBERTURA,
    "consultas.cobertura.exportable": _COBERTURA,
    "consultas.cobertura.actividades_por_tipo": None,
}

# Todas las columnas de conteos: los archivos del público escriben «<5» donde falta su valor.
CONTEOS = {
    c
    for regla in [*REGLAS.values(), _SERIE, _EVALUACION]
    if isinstance(regla, Regla)
    for c in regla.conteos
} | {"casos_ultimo"}


def nombre(funcion) -> str:
    return f"{funcion.__module__}.{funcion.__qualname__}"


def regla(funcion):
    try:
        return REGLAS[nombre(funcion)]
    except KeyError:
        raise SinRegla(
            f"La función {nombre(funcion)} no tiene regla de privacidad para el rol público "
            "(consultas/privacidad.py, REGLAS)."
        ) from None


def aplicar(funcion, resultado):
    """El resultado de `funcion` tal como lo puede ver el público."""
    r = regla(funcion)
    if r is None:
        return resultado
    if isinstance(r, Regla):
        return suprimir(resultado, r)
    return r(resultado)


def preparar(funcion, con, argumentos: tuple) -> tuple:
    """Los argumentos para el público: una consulta por celda va sin delitos sensibles."""
    r = regla(funcion)
    por_celda = (isinstance(r, Regla) and r.celdas) or r in (_evolucion, _concentracion)
    if not por_celda:
        return argumentos
    from consultas.filtros import Filtros
    from consultas.sql import leer

    delitos = leer(con, "delitos")
    return tuple(sin_sensibles(a, delitos) if isinstance(a, Filtros) else a for a in argumentos)


def llamar(funcion, con, *argumentos, publico: bool):
    """`funcion(con, *argumentos)`, con la regla del público si `publico`: lo único que usan la
    app (ui.conexion.consultar) y la línea de comandos (exportar e informe con --publico)."""
    if not publico:
        return funcion(con, *argumentos)
    return aplicar(funcion, funcion(con, *preparar(funcion, con, argumentos)))
