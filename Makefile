# `make` builds every document from inputs/ into outputs/; `make test` runs the tests.
# Both install what they need first: system packages, the venv, the fonts.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INPUTS ?= inputs
OUTPUTS ?= outputs
BUILD := build

.PHONY: all build test bench bench-scale setup system clean
all: build

build: setup
	$(PY) -m pipeline build --inputs $(INPUTS) --outputs $(OUTPUTS)

test: setup
	$(PY) -m pytest

# Side by side in one run: cold build, one soffice per file, warm re-runs; writes outputs/bench.json.
bench: setup
	$(PY) -m pipeline bench --outputs $(OUTPUTS)

# The same plus cold builds of generated campaigns of 220, 439 and 878 centers (about 20 minutes).
bench-scale: setup
	$(PY) -m pipeline bench --outputs $(OUTPUTS) --scale 220,439,878

setup: system $(VENV)/.installed $(BUILD)/fonts/fonts.conf

system:
	@tools/install-system.sh

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BUILD)/fonts/fonts.conf: pipeline/fonts.py pipeline/reference/sarabun-metrics.json $(VENV)/.installed
	$(PY) -m pipeline.fonts $(BUILD)

clean:
	rm -rf $(BUILD) $(OUTPUTS)/*/
