"""servir.py: el puerto que escucha Streamlit y el registro sin los avisos de la precarga."""

import logging

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
