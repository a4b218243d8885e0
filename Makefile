# Two entry points for a newcomer: `make demo` and `make test`.
# Both set up everything they need (a virtualenv in .venv, dev-only npm tools in node_modules).

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PYTEST_ARGS ?=

.PHONY: setup demo test lint typecheck pytest

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

# npm tools are for development and tests only (cross-checks, solc, anvil).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP) $(NODE_STAMP)

demo: $(STAMP)
	$(VENV)/bin/mixer demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: setup
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test: setup lint typecheck pytest
