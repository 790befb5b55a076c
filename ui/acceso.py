"""Quién usa el tablero y con qué rol. El rol lo fija el servidor, nunca la URL.

- `OBSERVATORIO_ROL` en el entorno fija el rol (una pantalla pública o un quiosco: `publico`).
- Con un proveedor de identidad en `.streamlit/secrets.toml` (sección `[auth]`), se ingresa con
  `st.login` (OIDC) y el rol sale del correo según `.streamlit/roles.toml` (o el archivo que diga
  `OBSERVATORIO_ROLES`); quien no está en ese archivo, o no ingresó, es público.
- Sin proveedor (uso local, la demostración) se trabaja como analista, y la barra lateral lo dice.

Quien tiene un rol mayor puede bajar su sesión a público («Versión para compartir»: lo que se ve y
los informes que se hacen siguen la regla de privacidad pública); nada permite subir un rol.
"""

import os
import tomllib
from pathlib import Path

import streamlit as st

from datos import auditoria
from ui import conexion

ROLES = {"director": "Dirección", "analista": "Analista", "publico": "Público"}
ROL_LOCAL = "analista"
PUBLICO = "publico"
RUTA_ROLES = Path(__file__).parents[1] / ".streamlit" / "roles.toml"
COMPARTIR = "acceso_compartir"  # la sesión bajada a público


def roles_configurados() -> dict[str, str]:
    """Correo o dominio (`@lascondes.cl`) -> rol, del archivo de roles; vacío si no existe."""
    archivo = Path(os.environ.get("OBSERVATORIO_ROLES", RUTA_ROLES))
    if not archivo.exists():
        return {}
    with archivo.open("rb") as entrada:
        tabla = tomllib.load(entrada).get("roles", {})
    return {str(k).strip().lower(): str(v).strip().lower() for k, v in tabla.items()}


def rol_de_correo(correo: str | None, roles: dict[str, str]) -> str:
    """El rol de un correo: primero el correo exacto, luego su dominio; si no, público."""
    if not correo:
        return PUBLICO
    correo = correo.strip().lower()
    dominio = "@" + correo.rpartition("@")[2]
    rol = roles.get(correo) or roles.get(dominio) or PUBLICO
    return rol if rol in ROLES else PUBLICO


def con_identidad() -> bool:
    """¿Hay un proveedor de identidad configurado?"""
    try:
        return "auth" in st.secrets
    except Exception:  # sin secrets.toml, Streamlit lanza en vez de responder que no
        return False


def rol() -> str:
    """El rol de la sesión: el que fija el servidor, o público si la sesión lo bajó."""
    return PUBLICO if st.session_state.get(COMPARTIR) else rol_asignado()


def rol_asignado() -> str:
    fijo = os.environ.get("OBSERVATORIO_ROL")
    if fijo is not None:
        fijo = fijo.strip().lower()
        return fijo if fijo in ROLES else PUBLICO  # un valor desconocido no da más acceso
    if con_identidad():
        if not st.user.is_logged_in:
            return PUBLICO
        return rol_de_correo(st.user.get("email"), roles_configurados())
    return ROL_LOCAL


def quien() -> str:
    if con_identidad() and st.user.is_logged_in:
        return str(st.user.get("email") or st.user.get("name") or "sin correo")
    return "uso local" if os.environ.get("OBSERVATORIO_ROL") is None else "pantalla fija"


def ve_puntos() -> bool:
    """Solo el analista ve ubicaciones de casos (DISENO.md §5)."""
    return rol() == "analista"


def puede_importar() -> bool:
    return rol() in {"analista", "director"}


def registrar(evento: str, **detalle) -> None:
    """Anota un evento en el registro de auditoría junto a la base vigente."""
    try:
        auditoria.registrar(conexion.ruta_base(), evento, quien(), rol(), **detalle)
    except OSError as error:
        st.warning(f"No se pudo anotar en el registro de auditoría: {error.strerror}.")


def barra() -> None:
    """En la barra lateral: con qué rol se ve el tablero, el ingreso o la salida, y la versión
    para compartir."""
    actual = rol_asignado()
    with st.sidebar:
        if actual != PUBLICO:
            st.toggle(
                "Versión para compartir",
                key=COMPARTIR,
                help="Muestra la vista y hace los informes como los vería el público: sin "
                "ubicaciones de casos y con los conteos bajo 5 como «<5».",
            )
        if con_identidad():
            if st.user.is_logged_in:
                if not st.session_state.get("acceso_ingreso_registrado"):
                    registrar("ingreso")
                    st.session_state["acceso_ingreso_registrado"] = True
                st.caption(f"Sesión de {quien()} · rol {ROLES[actual]}")
                st.button("Cerrar sesión", on_click=st.logout, key="acceso_salir")
            else:
                st.caption("Vista pública: sin ubicaciones ni conteos bajo 5.")
                st.button("Iniciar sesión", on_click=st.login, key="acceso_entrar")
        elif os.environ.get("OBSERVATORIO_ROL") is not None:
            st.caption(f"Rol fijado por el servidor: {ROLES[actual]}")
        else:
            st.caption("Uso local sin inicio de sesión: rol Analista.")
