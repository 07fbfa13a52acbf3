# Quick start:  make leaflets   (builds the samples into out/, installing on first use)
#               make test       (runs the test suite)

VENV   ?= .venv
PYTHON ?= python3
OUT    ?= out
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: leaflets test check schema preview clean fuzz

leaflets: $(STAMP)
	$(BIN)/leaflet build --out $(OUT)

test: $(STAMP)
	scripts/install-browser-tools.sh
	$(BIN)/pytest

# Longer fuzzing than the fast profile in `make test`: thousands of made-up
# YAML files and hundreds of leaflet builds, new ones each run (tests/test_fuzz.py).
fuzz: $(STAMP)
	LEAFLET_FUZZ=long $(BIN)/pytest tests/test_fuzz.py

check: $(STAMP)
	$(BIN)/leaflet check

# Refresh the committed JSON Schema after changing generator/model.py.
schema: $(STAMP)
	$(BIN)/leaflet schema > docs/leaflet.schema.json

# Page 1 of the clonazepam leaflet as a PNG, as shown in the README.
preview: leaflets
	pdftoppm -png -scale-to 900 -f 1 -l 1 -singlefile $(OUT)/clonazepam.pdf docs/clonazepam-page1

$(STAMP): pyproject.toml scripts/install-system-packages.sh
	scripts/install-system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(OUT) $(VENV) dist build
