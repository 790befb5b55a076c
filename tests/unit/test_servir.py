"""servir.py: el puerto que escucha Streamlit, el registro sin los avisos de la precarga y lo que
la precarga deja congelado para el recolector."""

import gc
import logging
import socket

import servir


def test_el_puerto_sale_de_las_opciones_de_streamlit_o_del_entorno(monkeypatch):
    assert servir._puerto(["--server.headless", "true", "--server.port", "9000"]) == 9000
    assert servir._puerto(["--server.port=9001"]) == 9001
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "9002")
    assert servir._puerto(["--server.headless", "true"]) == 9002
    monkeypatch.delenv("STREAMLIT_SERVER_PORT")
    assert servir._puerto([]) == 8501


def test_solo_se_callan_los_avisos_del_hilo_de_la_precarga():
    def registro(hilo: str) -> logging.LogRecord:
        r = logging.LogRecord("x", logging.WARNING, __file__, 1, "sin contexto", (), None)
        r.threadName = hilo
        return r

    filtro = servir._SinAvisosDeLaPrecarga()
    assert not filtro.filter(registro(servir.HILO))
    assert filtro.filter(registro("ScriptRunner.scriptThread"))


def test_tras_la_precarga_el_recolector_no_recorre_lo_ya_cargado(monkeypatch):
    """Lo cargado queda fuera de los gc.collect(2) que Streamlit hace tras cada ejecución; lo
    creado después se sigue recolectando."""
    from ui import conexion

    llamadas = []
    monkeypatch.setattr(conexion, "precargar", lambda: llamadas.append(1))
    escucha = socket.create_server(("127.0.0.1", 0))
    try:
        servir._precargar(escucha.getsockname()[1])
        congelados = gc.get_freeze_count()
        ciclo = []
        ciclo.append(ciclo)
        del ciclo
        recolectados = gc.collect(2)
    finally:
        escucha.close()
        gc.unfreeze()
    assert llamadas == [1]
    assert congelados > 10_000
    assert recolectados >= 1
