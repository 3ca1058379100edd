# `make` builds every document from inputs/ into outputs/; `make test` runs the tests.
# Both install what they need first: system packages, the venv, the fonts.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INPUTS ?= inputs
OUTPUTS ?= outputs
PORT ?= 8000
BUILD := build

.PHONY: all build test lint bench bench-scale serve setup system clean
all: build

build: setup
	$(VENV)/bin/gecc build --inputs $(INPUTS) --outputs $(OUTPUTS)

# Lint and types first: a style or type error fails the tests (and so CI) in seconds.
test: setup lint
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check pipeline tests tools
	$(VENV)/bin/ruff format --check pipeline tests tools
	$(VENV)/bin/mypy

# Side by side in one run: cold build, one soffice per file, warm re-runs; writes outputs/bench.json.
bench: setup
	$(VENV)/bin/gecc bench --outputs $(OUTPUTS)

# The same plus cold builds of generated campaigns of 220, 439 and 878 centers (about 20 minutes).
bench-scale: setup
	$(VENV)/bin/gecc bench --outputs $(OUTPUTS) --scale 220,439,878

# The campaign web app on http://127.0.0.1:$(PORT) (README: "The web app").
serve: setup
	$(VENV)/bin/gecc serve --inputs $(INPUTS) --outputs $(OUTPUTS) --port $(PORT)

setup: system $(VENV)/.installed $(BUILD)/fonts/fonts.conf

system:
	@tools/install-system.sh

# The pinned libraries, then this project itself (editable: the `gecc` command runs the code in pipeline/).
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(BUILD)/fonts/fonts.conf: pipeline/fonts.py pipeline/sarabun.py pipeline/reference/sarabun-metrics.json $(VENV)/.installed
	$(PY) -m pipeline.fonts $(BUILD)

clean:
	rm -rf $(BUILD) $(OUTPUTS)/*/
