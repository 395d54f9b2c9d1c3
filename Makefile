# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: demo test test-slow lint services benchmark clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[all,test]"
	touch $@

demo: $(VENV)/.installed
	$(PY) examples/quickstart.py

services:
	bash .ci/services.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/mypy

test: $(VENV)/.installed services lint
	$(VENV)/bin/pytest -q -p no:cacheprovider

test-slow: $(VENV)/.installed services
	$(VENV)/bin/pytest -q -p no:cacheprovider -m slow

benchmark: $(VENV)/.installed
	$(PY) -m benchmarks.overhead

clean:
	rm -rf $(VENV) build dist src/*.egg-info
