# Two commands for a new user: `make run` starts the app, `make test` runs the checks.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-llm evals bench lock

$(BIN)/python:
	$(shell command -v $(PY) >/dev/null 2>&1 && echo $(PY) || echo python3) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.address 127.0.0.1

test: $(DEV_STAMP)
	$(BIN)/ruff check coach evals tests app.py
	$(BIN)/mypy coach
	$(BIN)/pytest

evals: $(DEV_STAMP)
	$(BIN)/python -m evals

bench: $(DEV_STAMP)
	$(BIN)/python -m evals.bench
