"""Lo que comparten las pruebas de versiones: una importación que agrega y actualiza casos."""

from datetime import date, datetime, time, timedelta

import duckdb

from consultas.periodos import rango
from datos import importacion


def cambios(ruta, corte: date, nuevos: int = 3, prefijo: str = "NUEVO") -> tuple[str, int]:
    """CSV que saca del período de 28 días que termina en `corte` un caso policial (su fecha pasa
    a un año y medio antes: una fila actualizada) y agrega `nuevos` casos el día anterior al corte.
    Devuelve el CSV y cuánto cambian los casos policiales de ese período: `nuevos - 1` (los ids
    nuevos empiezan con `prefijo`, distinto en cada importación)."""
    ventana = rango("28d", corte)
    con = duckdb.connect(str(ruta), read_only=True)
    try:
        caso = con.execute(
            "SELECT incidente_id, delito, lat, lon FROM incidentes "
            "WHERE fuente = 'policial' AND fecha_hora >= $desde AND fecha_hora < $hasta "
            "ORDER BY incidente_id LIMIT 1",
            {
                "desde": datetime.combine(ventana.desde, time()),
                "hasta": datetime.combine(ventana.hasta + timedelta(days=1), time()),
            },
        ).fetchone()
    finally:
        con.close()
    identificador, delito, lat, lon = caso
    antes = corte - timedelta(days=540)
    filas = ["id;fecha_hora;delito;lat;lon;fuente"]
    filas.append(f"{identificador};{antes} 12:00;{delito};{lat};{lon};policial")
    dia = corte - timedelta(days=1)
    filas += [f"{prefijo}-{k};{dia} 1{k}:00;hurto;{lat};{lon};policial" for k in range(nuevos)]
    return "\n".join(filas) + "\n", nuevos - 1


def importar(ruta, tipo: str, texto: str) -> importacion.Validacion:
    """Valida e importa `texto` como lo hace la página Datos; exige que no se rechace nada."""
    con = duckdb.connect(str(ruta), read_only=True)
    try:
        v = importacion.validar(con, tipo, texto.encode(), f"{tipo}.csv")
    finally:
        con.close()
    assert v.rechazadas.empty, v.rechazadas.to_dict("records")
    return importacion.aplicar(ruta, v)
