import os

from hypothesis import settings

# En CI los ejemplos de hypothesis son fijos: una falla se reproduce igual en cada ejecución.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
