# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: demo test test-slow lint services benchmark docs clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.core: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e ".[all,test]"
	touch $(VENV)/.core $@

demo: $(VENV)/.core
	$(PY) examples/quickstart.py

services:
	bash .ci/services.sh

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/mypy

test: $(VENV)/.dev services lint
	$(VENV)/bin/pytest -q -p no:cacheprovider

test-slow: $(VENV)/.dev services
	$(VENV)/bin/pytest -q -p no:cacheprovider -m slow

$(VENV)/.docs: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e ".[docs,visualization]"
	touch $@

# The documentation site, built in strict mode into site/ (`mkdocs serve` to preview).
docs: $(VENV)/.docs
	$(VENV)/bin/mkdocs build --strict

benchmark: $(VENV)/.dev
	$(PY) -m benchmarks.overhead

clean:
	rm -rf $(VENV) build dist site src/*.egg-info
