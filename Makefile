# Observatorio de Seguridad de Las Condes: `make run` y `make test` preparan todo lo que necesitan.
VENV := .venv
BIN := $(VENV)/bin
INSTALADO := $(VENV)/.instalado
DEMO := datos/observatorio.duckdb
PUERTO ?= 8501

.PHONY: run test bench bench-regional lint formato demo chromium bytecode

$(INSTALADO): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(DEMO): | $(INSTALADO)
	$(BIN)/observatorio demo --salida $(DEMO)

demo: $(INSTALADO)
	$(BIN)/observatorio demo --salida $(DEMO)

# Con OBSERVATORIO_DB se usa esa base (debe existir); sin ella, la demostración. Chromium imprime
# los informes PDF.
run: $(INSTALADO) chromium bytecode
ifdef OBSERVATORIO_DB
	@test -f "$(OBSERVATORIO_DB)" || { echo "No existe la base $(OBSERVATORIO_DB)" >&2; exit 1; }
	$(BIN)/python servir.py --server.port $(PUERTO)
else
	@$(MAKE) --no-print-directory $(DEMO)
	OBSERVATORIO_DB=$(DEMO) $(BIN)/python servir.py --server.port $(PUERTO)
endif

# Con PYTHONDONTWRITEBYTECODE Python no guarda el bytecode: cada arranque del servidor volvería a
# compilar los módulos del tablero (~0,25 s). compileall solo rehace los que cambiaron.
bytecode: $(INSTALADO)
	@$(BIN)/python -m compileall -q app.py servir.py consultas datos ui

chromium:
	@{ test -x /usr/bin/chromium && test -d /usr/share/fonts/truetype/dejavu; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core; \
	  else echo "Falta Chromium o su letra (informes PDF y pruebas de navegador): sudo apt-get install chromium fonts-dejavu-core" >&2; exit 1; fi; }

lint: $(INSTALADO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(INSTALADO) chromium lint
	$(BIN)/python -m pytest

# Todas las páginas y exportaciones con 100.000, 1.000.000 y 10.000.000 de incidentes (o los de
# BENCH_TAMANOS=100000,1000000); escribe docs/rendimiento.md y docs/rendimiento.json.
bench: $(INSTALADO) chromium bytecode
	$(BIN)/python -m bench.informe
	$(BIN)/python -m bench.importacion
	$(BIN)/python -m bench.informes

# Prueba de carga: 20 usuarios simulados durante un minuto contra `streamlit run` (ver bench/carga.py).
.PHONY: carga
carga: $(INSTALADO) $(DEMO)
	$(BIN)/python -m bench.carga --usuarios 20 --segundos 60 --db $(DEMO)

# Escala regional: lo mismo con 50.000.000 de incidentes (la base tarda unos minutos en generarse).
bench-regional: $(INSTALADO) chromium bytecode
	BENCH_TAMANOS=50000000 BENCH_VUELTAS=1 $(BIN)/python -m bench.informe

formato: $(INSTALADO)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
