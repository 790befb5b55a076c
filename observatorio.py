"""`observatorio`: línea de comandos del Observatorio de Seguridad de Las Condes."""

import argparse
import getpass
import os
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
from tqdm import tqdm

from consultas import cobertura, encuestas, evaluacion, mapa, privacidad, resumen, tendencias
from consultas.catalogos import catalogo
from consultas.filtros import desde_url
from consultas.periodos import PRESET_POR_DEFECTO, PRESETS, rango
from consultas.versiones import VersionDesconocida, abrir
from datos import auditoria, importacion
from datos.importacion import ImportacionFallida
from ui import formato, informe_cli
from ui.informe_cli import InformeFallido

RUTA_POR_DEFECTO = Path("datos/observatorio.duckdb")

# argparse escribe sus mensajes con gettext (`argparse._`): en castellano, los que ve el usuario.
_ARGPARSE = {
    "usage: ": "uso: ",
    "options": "opciones",
    "positional arguments": "argumentos",
    "show this help message and exit": "muestra esta ayuda y termina",
    "argument %(argument_name)s: %(message)s": "opción %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: %(message)s\n",
    "unrecognized arguments: %s": "opciones desconocidas: %s",
    "the following arguments are required: %s": "falta indicar: %s",
    "expected one argument": "falta su valor",
    "expected at most one argument": "se espera a lo más un valor",
    "expected at least one argument": "se espera al menos un valor",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opción ambigua: %(option)s puede ser %(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "valor inválido %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "valor desconocido %(value)r (use uno de: %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "%(parser_name)r no existe (use uno de: %(choices)s)"
    ),
    "not allowed with argument %s": "no se puede usar con %s",
    "ignored explicit argument %r": "se ignoró el valor %r",
}
argparse._ = lambda texto: _ARGPARSE.get(texto, texto)


class ErrorDeUso(Exception):
    """Un problema que se explica al usuario en una línea, sin traza."""


def _fecha(texto: str) -> date:
    try:
        return date.fromisoformat(texto)
    except ValueError:
        raise argparse.ArgumentTypeError(f"fecha inválida «{texto}» (use AAAA-MM-DD)") from None


def _demo(args) -> None:
    from datos import demo

    resultado = demo.generar(
        args.salida,
        incidentes=args.incidentes,
        semilla=args.semilla,
        hasta=args.hasta or demo.FECHA_CORTE_DEMO,
        progreso=True,
    )
    dmcs = ", ".join(f"{a}: {formato.numero(n)}" for a, n in resultado["dmcs_por_anio"].items())
    print(
        f"Base de demostración escrita en {args.salida} en "
        f"{formato.numero(resultado['segundos'], 1)} s: "
        f"{formato.numero(resultado['incidentes'])} incidentes, {resultado['barrios']} barrios, "
        f"{resultado['sectores']} sectores, {formato.numero(resultado['respuestas'])} respuestas "
        f"de encuesta, {formato.numero(resultado['actividades'])} actividades.\n"
        f"Casos DMCS por año: {dmcs}."
    )


def _parametros(args) -> dict[str, list[str]]:
    """Los mismos parámetros que la URL de la app, para validar con las mismas reglas."""
    params = {
        "sector": args.sector,
        "barrio": args.barrio,
        "familia": args.familia,
        "delito": args.delito,
        "fuente": [args.fuente],
        "periodo": [args.periodo],
    }
    if args.periodo == "personalizado" or args.hasta:
        if args.periodo == "personalizado":
            if not (args.desde and args.hasta):
                raise ErrorDeUso("El período personalizado necesita --desde y --hasta.")
            desde, hasta = args.desde, args.hasta
        else:
            ventana = rango(args.periodo, args.hasta)
            desde, hasta = ventana.desde, ventana.hasta
        params |= {"periodo": ["personalizado"], "desde": [str(desde)], "hasta": [str(hasta)]}
    return params


def _exportar(args) -> None:
    if not args.db.exists():
        raise ErrorDeUso(f"No existe la base de datos «{args.db}».")
    base, con = abrir(args.db, args.version)  # con: la base vista en --version, o la vigente
    try:
        cat = catalogo(con)
        filtros, avisos = desde_url(args.parametros(args), cat)
        if avisos:
            raise ErrorDeUso(" ".join(avisos))
        tabla = args.tabla_fn(con, filtros, cat, args)
    finally:
        base.close()
    if args.publico:
        tabla = privacidad.como_texto(tabla)
    salida = args.salida.open("w", encoding="utf-8", newline="") if args.salida else sys.stdout
    tabla.to_csv(salida, index=False)
    parametros = args.parametros(args)
    version, publico = args.version, args.publico
    _auditar(
        args.db,
        "exportacion",
        tabla=args.tabla,
        filtros=parametros,
        version=version,
        publico=publico,
    )


def _consultar(args, funcion, con, *argumentos):
    """`funcion(con, *argumentos)`; con --publico, con la regla del público (como la app)."""
    return privacidad.llamar(funcion, con, *argumentos, publico=args.publico)


def _tabla_resumen(con, filtros, cat, args):
    territorio = formato.territorio(filtros, cat)
    return _consultar(args, resumen.tabla_comparacion, con, filtros, territorio)


def _resolucion(args) -> int:
    """La resolución pedida, validada (7 a 11)."""
    try:
        resolucion = mapa.validar_resolucion(args.resolucion)
    except mapa.ResolucionInvalida as error:
        raise ErrorDeUso(str(error)) from None
    return resolucion


def _sin_prueba(tabla, resolucion) -> None:
    if len(tabla) < mapa.MINIMO_CELDAS:
        raise ErrorDeUso(
            f"El territorio cubre solo {len(tabla)} celdas de resolución {resolucion}: con menos "
            "de "
            f"{mapa.MINIMO_CELDAS} celdas la prueba Gi* no es significativa. Use una resolución "
            "más fina o un territorio más amplio."
        )


def _tabla_hotspots(con, filtros, cat, args):
    resolucion = _resolucion(args)
    tabla = _consultar(args, mapa.puntos_calientes, con, filtros, resolucion)
    _sin_prueba(tabla, resolucion)
    return tabla[mapa.COLUMNAS_HOTSPOTS]


def _tabla_evolucion(con, filtros, cat, args):
    resolucion = _resolucion(args)
    tabla, _ = _consultar(args, mapa.evolucion, con, filtros, resolucion, args.periodos, args.dias)
    _sin_prueba(tabla, resolucion)
    return tabla[mapa.COLUMNAS_EVOLUCION + [f"z_p{t + 1}" for t in range(args.periodos)]]


def _tabla_concentracion(con, filtros, cat, args):
    return _consultar(args, mapa.curva_concentracion, con, filtros, _resolucion(args))


def _entero(nombre: str, minimo: int, maximo: int):
    def convertir(texto: str) -> int:
        try:
            valor = int(texto)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{nombre} «{texto}» no es un número entero") from None
        if not minimo <= valor <= maximo:
            raise argparse.ArgumentTypeError(f"{nombre} debe estar entre {minimo} y {maximo}")
        return valor

    return convertir


def _parametros_percepcion(args) -> dict[str, list[str]]:
    return {"sector": args.sector, "barrio": args.barrio}


def _tabla_percepcion(con, filtros, cat, args):
    if not cat.olas:
        raise ErrorDeUso("La base no tiene respuestas de encuesta.")
    desconocidas = [o for o in args.ola if o not in cat.olas]
    if desconocidas:
        raise ErrorDeUso(f"Ola desconocida «{desconocidas[0]}»; hay: {', '.join(cat.olas)}.")
    olas = tuple(sorted(set(args.ola) or set(cat.olas)))
    return _consultar(
        args, encuestas.exportable, con, olas, args.por, filtros.sectores, filtros.barrios
    )


def _opciones(periodo: bool) -> argparse.ArgumentParser:
    """Lo que toda tabla de `exportar` acepta: la base, el formato y la salida; con `periodo`,
    también el período (las mismas reglas que la URL)."""
    opciones = argparse.ArgumentParser(add_help=False)
    opciones.add_argument("--db", type=Path, default=RUTA_POR_DEFECTO)
    if periodo:
        opciones.add_argument("--periodo", choices=list(PRESETS), default=PRESET_POR_DEFECTO)
        opciones.add_argument("--desde", type=_fecha)
        opciones.add_argument("--hasta", type=_fecha, help="fin del período; por defecto, el corte")
    opciones.add_argument("--formato", choices=["csv"], default="csv")
    opciones.add_argument("--salida", type=Path, help="archivo de salida; por defecto, pantalla")
    opciones.add_argument(
        "--version",
        help="versión de los datos (la de un enlace compartido); por defecto, la vigente",
    )
    opciones.add_argument(
        "--publico",
        action="store_true",
        help="con la regla del rol público: conteos bajo 5 como «<5», sin VIF ni delitos "
        "sexuales por celda",
    )
    return opciones


def _opciones_percepcion() -> argparse.ArgumentParser:
    """`exportar percepcion` no usa período ni delitos: olas, nivel y territorio."""
    opciones = _opciones(periodo=False)
    opciones.add_argument(
        "--ola", action="append", default=[], help="aaaa-1 o aaaa-2, repetible; por defecto, todas"
    )
    opciones.add_argument("--por", choices=list(encuestas.NIVELES), default=encuestas.COMUNA)
    for opcion in ("sector", "barrio"):
        opciones.add_argument(f"--{opcion}", action="append", default=[], help="repetible")
    return opciones


def _tabla_tendencias(con, filtros, cat, args):
    historia = tendencias.casos_diarios(con, filtros, "total")
    primer_dia = tendencias.primer_dia(con, filtros.fuente)
    serie = tendencias.serie(historia, filtros.ventana, args.escala, primer_dia)
    if args.publico:
        serie = privacidad.aplicar(tendencias.serie, serie)
    if serie.empty:
        raise ErrorDeUso(
            f"El período {formato.rango(filtros.desde, filtros.hasta)} no contiene una unidad "
            f"completa de la escala «{args.escala}»."
        )
    return serie.drop(columns="grupo").assign(
        fecha=serie["fecha"].dt.date, fin=serie["fin"].dt.date
    )


def _tabla_comparacion(con, filtros, cat, args):
    return _consultar(args, tendencias.comparacion, con, filtros, args.por)


def _parametros_evaluacion(args) -> dict[str, list[str]]:
    return {"barrio": args.barrio}


def _tabla_evaluacion(con, filtros, cat, args):
    return _consultar(
        args,
        evaluacion.exportable,
        con,
        args.ventana_meses,
        filtros.barrios,
        args.desplazamiento,
    )


def _opciones_evaluacion() -> argparse.ArgumentParser:
    """`exportar evaluacion`: barrios y largo de las ventanas (casos policiales DMCS)."""
    opciones = _opciones(periodo=False)
    opciones.add_argument("--barrio", action="append", default=[], help="repetible")
    opciones.add_argument(
        "--ventana-meses",
        type=_entero("--ventana-meses", 1, 24),
        default=evaluacion.VENTANA_POR_DEFECTO,
        help="meses de cada ventana, antes y después (6 por defecto)",
    )
    opciones.add_argument(
        "--desplazamiento",
        action="store_true",
        help="suma al WDD el cambio en la franja de celdas alrededor del barrio",
    )
    return opciones


def _tabla_cobertura(con, filtros, cat, args):
    desconocidas = [linea for linea in args.linea if linea not in cobertura.LINEAS]
    if desconocidas:
        raise ErrorDeUso(f"Línea desconocida «{desconocidas[0]}»; use 2.1 a 2.5.")
    pesos = (args.peso_tasa, args.peso_calientes, args.peso_percepcion)
    if sum(pesos) == 0:
        raise ErrorDeUso("Con todos los pesos en 0 no hay índice de necesidad.")
    return _consultar(
        args, cobertura.exportable, con, filtros, tuple(args.linea), pesos, args.umbral
    )


def _opciones_cobertura() -> argparse.ArgumentParser:
    """`exportar cobertura`: período, territorio, líneas, pesos de la necesidad y umbral."""
    opciones = _opciones(periodo=True)
    for opcion in ("sector", "barrio", "linea"):
        opciones.add_argument(f"--{opcion}", action="append", default=[], help="repetible")
    for componente in ("tasa", "calientes", "percepcion"):
        opciones.add_argument(
            f"--peso-{componente}", type=_entero(f"--peso-{componente}", 0, 3), default=1
        )
    opciones.add_argument(
        "--umbral",
        type=_entero("--umbral", 0, 1000),
        default=cobertura.UMBRAL_POR_DEFECTO,
        help="hogares alcanzados por 100 desde los que la cobertura es suficiente",
    )
    opciones.set_defaults(familia=[], delito=[], fuente="policial")
    return opciones


def _opciones_filtros() -> argparse.ArgumentParser:
    """Las opciones de filtro de `exportar`, comunes a todas las tablas (las mismas de la URL)."""
    comunes = _opciones(periodo=True)
    for opcion in ("sector", "barrio", "familia", "delito"):
        comunes.add_argument(f"--{opcion}", action="append", default=[], help="repetible")
    comunes.add_argument("--fuente", default="policial")
    return comunes


def _tablas_exportables(exportar: argparse.ArgumentParser) -> None:
    """Una suborden por tabla del tablero; cada una llama a la misma función que su página."""
    comunes = _opciones_filtros()
    tablas = exportar.add_subparsers(dest="tabla", required=True, metavar="TABLA")
    tablas.add_parser("resumen", parents=[comunes], help="comparaciones CompStat").set_defaults(
        tabla_fn=_tabla_resumen, parametros=_parametros
    )
    celdas = argparse.ArgumentParser(add_help=False)
    celdas.add_argument(
        "--resolucion", type=int, default=mapa.RESOLUCION_POR_DEFECTO, help="resolución H3, 7 a 11"
    )
    tablas.add_parser(
        "hotspots", parents=[comunes, celdas], help="Gi* por celda H3, con FDR"
    ).set_defaults(tabla_fn=_tabla_hotspots, parametros=_parametros)
    tablas.add_parser(
        "concentracion", parents=[comunes, celdas], help="curva de concentración por celda"
    ).set_defaults(tabla_fn=_tabla_concentracion, parametros=_parametros)
    evolucion = tablas.add_parser(
        "evolucion", parents=[comunes, celdas], help="categorías de evolución de puntos calientes"
    )
    evolucion.add_argument("--periodos", type=_entero("--periodos", 3, 60), default=12)
    evolucion.add_argument("--dias", type=_entero("--dias", 7, 366), default=28)
    evolucion.set_defaults(tabla_fn=_tabla_evolucion, parametros=_parametros)
    tablas.add_parser(
        "percepcion", parents=[_opciones_percepcion()], help="estimaciones de la encuesta"
    ).set_defaults(tabla_fn=_tabla_percepcion, parametros=_parametros_percepcion)
    serie = tablas.add_parser("tendencias", parents=[comunes], help="serie con su banda")
    serie.add_argument("--escala", choices=list(tendencias.ESCALAS), default="semana")
    serie.set_defaults(tabla_fn=_tabla_tendencias, parametros=_parametros)
    territorios = tablas.add_parser(
        "comparacion", parents=[comunes], help="comparación por territorio y embudo"
    )
    territorios.add_argument("--por", choices=list(tendencias.TERRITORIOS), default="barrio")
    territorios.set_defaults(tabla_fn=_tabla_comparacion, parametros=_parametros)

    tablas.add_parser(
        "evaluacion", parents=[_opciones_evaluacion()], help="WDD de cada intervención"
    ).set_defaults(tabla_fn=_tabla_evaluacion, parametros=_parametros_evaluacion)
    tablas.add_parser(
        "cobertura", parents=[_opciones_cobertura()], help="cobertura y necesidad por barrio"
    ).set_defaults(tabla_fn=_tabla_cobertura, parametros=_parametros)


def _informe(args) -> None:
    opciones = {}
    for texto in args.opcion:
        clave, igual, valor = texto.partition("=")
        if not igual or not clave:
            raise InformeFallido(f"Opción «{texto}» inválida: use CLAVE=VALOR.")
        opciones.setdefault(clave, []).append(valor)
    otros = {"ola": args.ola, "version": [args.version] if args.version else []}
    parametros = {k: v for k, v in (_parametros(args) | otros).items() if v} | opciones
    salida = informe_cli.generar(
        args.db, args.pagina, parametros, args.formato, args.salida, publico=args.publico
    )
    _auditar(args.db, "informe", pagina=args.pagina, archivo=str(salida), filtros=parametros)
    print(f"Informe escrito en {salida}.")


def _opciones_informe(informe: argparse.ArgumentParser) -> None:
    informe.add_argument(
        "--pagina", required=True, help="resumen, mapa, tendencias, percepcion, cobertura o barrio"
    )
    informe.add_argument("--ola", action="append", default=[], help="aaaa-1 o aaaa-2, repetible")
    informe.add_argument(
        "--opcion",
        action="append",
        default=[],
        metavar="CLAVE=VALOR",
        help="opción de la página, como en su URL (p. ej. capa=tasa en el mapa); repetible",
    )
    informe.add_argument(
        "--version",
        help="versión de los datos (la de un enlace compartido); por defecto, la vigente",
    )
    informe.add_argument("--formato", default="pdf", help="pdf (por defecto) o html")
    informe.add_argument("--salida", type=Path, required=True, help="archivo del informe")
    informe.add_argument(
        "--publico",
        action="store_true",
        help="versión para compartir: la regla de privacidad del rol público",
    )
    informe.set_defaults(funcion=_informe)


def _auditar(db: Path, evento: str, **detalle) -> None:
    """Anota lo hecho en el registro de auditoría junto a la base; si no se puede, lo avisa."""
    try:
        auditoria.registrar(db, evento, getpass.getuser(), "línea de comandos", **detalle)
    except OSError as error:
        print(f"observatorio: no se pudo anotar en la auditoría: {error.strerror}", file=sys.stderr)


def _importar(args) -> None:
    try:
        contenido = args.archivo.read_bytes()
    except OSError as error:
        raise ErrorDeUso(f"No se puede leer «{args.archivo}»: {error.strerror}.") from None
    nueva = not args.db.exists()
    if nueva:
        importacion.crear_base(args.db)
    try:
        _importar_en(args, contenido)
    except (ErrorDeUso, importacion.ImportacionFallida):
        if nueva:
            args.db.unlink(missing_ok=True)
        raise


def _importar_en(args, contenido: bytes) -> None:
    carpeta = args.informe or args.db.parent / "importaciones" / (
        f"{datetime.now():%Y%m%d-%H%M%S}-{args.archivo.stem}"
    )
    with tqdm(total=2, desc="Validando", unit="etapa", file=sys.stderr, leave=False) as etapas:
        con = duckdb.connect(str(args.db), read_only=True)
        try:
            v = importacion.validar(con, args.tipo, contenido, args.archivo.name, args.fuente)
        finally:
            con.close()
        informe = importacion.escribir_informe(v, carpeta)
        if v.aceptadas.empty:
            raise ImportacionFallida(
                f"Se rechazaron todas las filas ({len(v.rechazadas)}); detalle en {informe.parent}."
            )
        etapas.update()
        etapas.set_description("Escribiendo")
        importacion.aplicar(args.db, v)
        etapas.update()
    _auditar(args.db, "importacion", tipo=v.tipo, archivo=v.archivo, sha256=v.sha256)
    resumen_cambios = (
        f"{v.nuevas} nuevas, {v.actualizadas} actualizadas, {v.sin_cambios} sin cambios"
        if v.cambia_algo
        else "nada cambió: la base quedó como estaba"
    )
    print(
        f"{args.archivo.name}: {len(v.aceptadas)} filas aceptadas ({resumen_cambios}), "
        f"{len(v.rechazadas)} rechazadas. Informe: {informe}"
    )


def _analizador() -> argparse.ArgumentParser:
    raiz = argparse.ArgumentParser(prog="observatorio", description=__doc__)
    sub = raiz.add_subparsers(dest="orden", required=True)

    demo = sub.add_parser("demo", help="genera la base de demostración de Las Condes")
    demo.add_argument("--salida", type=Path, default=RUTA_POR_DEFECTO)
    demo.add_argument("--incidentes", type=int, default=None, help="total exacto de incidentes")
    demo.add_argument("--semilla", type=int, default=2026)
    demo.add_argument("--hasta", type=_fecha, default=None, help="fecha de corte (AAAA-MM-DD)")
    demo.set_defaults(funcion=_demo)

    exportar = sub.add_parser("exportar", help="imprime una tabla del tablero")
    exportar.set_defaults(funcion=_exportar)
    _tablas_exportables(exportar)

    informe = sub.add_parser(
        "informe",
        parents=[_opciones_filtros()],
        help="PDF o HTML de una página",
        conflict_handler="resolve",
    )
    _opciones_informe(informe)

    importar = sub.add_parser("importar", help="importa un archivo real a la base")
    importar.add_argument("tipo", choices=["incidentes", "encuestas", "actividades", "barrios"])
    importar.add_argument("archivo", type=Path)
    importar.add_argument("--db", type=Path, default=RUTA_POR_DEFECTO)
    importar.add_argument(
        "--fuente", default="policial", help="fuente de los incidentes si el archivo no la trae"
    )
    importar.add_argument("--informe", type=Path, help="carpeta del informe y de los rechazos")
    importar.set_defaults(funcion=_importar)
    return raiz


def main(argv: list[str] | None = None) -> int:
    args = _analizador().parse_args(argv)
    try:
        args.funcion(args)
    except ErrorDeUso as error:
        print(f"observatorio: {error}", file=sys.stderr)
        return 2
    except (ImportacionFallida, VersionDesconocida) as error:
        print(f"observatorio: {error}", file=sys.stderr)
        return 1
    except InformeFallido as error:
        print(f"observatorio: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # La salida se cortó (`observatorio exportar … | head`): se termina en silencio.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
