# `make` builds every document from inputs/ into outputs/; `make test` runs the tests.
# Both install what they need first: system packages, the venv, the fonts.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INPUTS ?= inputs
OUTPUTS ?= outputs
BUILD := build

.PHONY: all build test setup system clean
all: build

build: setup
	$(PY) -m pipeline build --inputs $(INPUTS) --outputs $(OUTPUTS)

test: setup
	$(PY) -m pytest

setup: system $(VENV)/.installed $(BUILD)/fonts/fonts.conf

system:
	@tools/install-system.sh

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BUILD)/fonts/fonts.conf: pipeline/fonts.py $(VENV)/.installed
	$(PY) -m pipeline.fonts $(BUILD)

clean:
	rm -rf $(BUILD) $(OUTPUTS)/*/
