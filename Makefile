# Quick start:  make leaflets   (builds the samples into out/, installing on first use)
#               make test       (runs the test suite)

VENV   ?= .venv
PYTHON ?= python3
OUT    ?= out
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# Every Python package, runtime, test and build, pinned with its hashes.
LOCK    = requirements.lock
PIP_TOOLS = pip-tools==7.6.2

.PHONY: leaflets test check schema preview clean fuzz lock layout-report serve

leaflets: $(STAMP)
	$(BIN)/leaflet build --out $(OUT)

test: $(STAMP)
	scripts/install-browser-tools.sh
	scripts/install-print-tools.sh
	scripts/install-braille-tools.sh
	scripts/install-audio-tools.sh
	$(BIN)/pytest -n auto

# Longer fuzzing than the fast profile in `make test`: thousands of made-up
# YAML files and hundreds of leaflet builds, new ones each run (tests/test_fuzz.py).
fuzz: $(STAMP)
	LEAFLET_FUZZ=long $(BIN)/pytest tests/test_fuzz.py

# The counter web page on http://localhost:8000 (see the README: "The counter web page").
serve: $(STAMP)
	$(BIN)/leaflet serve --out $(OUT)

check: $(STAMP)
	$(BIN)/leaflet check

# Refresh the committed JSON Schema after changing generator/content/model.py.
schema: $(STAMP)
	$(BIN)/leaflet schema > docs/leaflet.schema.json

# How full the pages are: every sample at every size and paper (docs/layout.md).
layout-report: $(STAMP)
	$(BIN)/python benchmarks/layout_report.py

# Page 1 of the clonazepam leaflet, in English and in Arabic, as PNGs shown in the README.
preview: leaflets
	pdftoppm -png -scale-to 900 -f 1 -l 1 -singlefile $(OUT)/clonazepam.pdf docs/clonazepam-page1
	pdftoppm -png -scale-to 900 -f 1 -l 1 -singlefile $(OUT)/clonazepam.ar.pdf docs/clonazepam-ar-page1

# A new environment holds exactly the locked packages: it is made afresh
# whenever the lock changes, so nothing from an older install lingers.
$(STAMP): $(LOCK) pyproject.toml scripts/install-system-packages.sh
	scripts/install-system-packages.sh
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Refresh the lock after changing dependencies in pyproject.toml: keeps every
# pin that still fits and resolves the rest. `make lock UPGRADE=1` moves every
# package to its newest release that pyproject.toml allows. Run `make test`
# after either, and commit requirements.lock.
lock:
	$(PYTHON) -m venv .cache/pip-tools
	.cache/pip-tools/bin/pip install --quiet $(PIP_TOOLS)
	.cache/pip-tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) --extra test --all-build-deps \
		--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(OUT) $(VENV) dist build
