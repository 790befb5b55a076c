# Observatorio de Seguridad de Las Condes: `make run` y `make test` preparan todo lo que necesitan.
VENV := .venv
BIN := $(VENV)/bin
INSTALADO := $(VENV)/.instalado
DEMO := datos/observatorio.duckdb
PUERTO ?= 8501

.PHONY: run test bench lint formato demo chromium

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
run: $(INSTALADO) chromium
ifdef OBSERVATORIO_DB
	@test -f "$(OBSERVATORIO_DB)" || { echo "No existe la base $(OBSERVATORIO_DB)" >&2; exit 1; }
	$(BIN)/streamlit run app.py --server.port $(PUERTO)
else
	@$(MAKE) --no-print-directory $(DEMO)
	OBSERVATORIO_DB=$(DEMO) $(BIN)/streamlit run app.py --server.port $(PUERTO)
endif

chromium:
	@{ test -x /usr/bin/chromium && test -d /usr/share/fonts/truetype/dejavu; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core; \
	  else echo "Falta Chromium o su letra (informes PDF y pruebas de navegador): sudo apt-get install chromium fonts-dejavu-core" >&2; exit 1; fi; }

lint: $(INSTALADO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(INSTALADO) chromium lint
	$(BIN)/python -m pytest

bench: $(INSTALADO)
	$(BIN)/python -m bench.resumen
	$(BIN)/python -m bench.tendencias
	$(BIN)/python -m bench.mapa
	$(BIN)/python -m bench.percepcion
	$(BIN)/python -m bench.importacion
	$(BIN)/python -m bench.informes

# Prueba de carga: 20 usuarios simulados durante un minuto contra `streamlit run` (ver bench/carga.py).
.PHONY: carga
carga: $(INSTALADO) $(DEMO)
	$(BIN)/python -m bench.carga --usuarios 20 --segundos 60 --db $(DEMO)

formato: $(INSTALADO)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
