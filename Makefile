# The few commands a person types. `make serve` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint index bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.runtime

serve: $(VENV)/.runtime
	$(BIN)/cstosearch serve

index: $(VENV)/.runtime
	$(BIN)/cstosearch index

lint: $(VENV)/.test
	$(BIN)/ruff check src tests $(wildcard benchmarks)

test: $(VENV)/.test
	bash scripts/install-system-deps.sh
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/pytest

bench: $(VENV)/.test
	$(BIN)/python benchmarks/run.py
