# policykb: `make run` sets up and serves the bundled corpus; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: run test fuzz install index bench format clean

run: index
	$(BIN)/policykb serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The property-based fuzz tests with many examples each (make test runs them with a few), and how many each ran.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz POLICYKB_EMBEDDER=fake $(BIN)/python -m pytest -q -s -m fuzz --hypothesis-show-statistics

install: $(STAMP)

# torch==2.13.0 first: that exact version is a CPU build; anything else pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	touch $(STAMP)

# Incremental: a second run only hashes the files and embeds nothing.
index: $(STAMP)
	$(BIN)/policykb ingest corpus/

bench: $(STAMP)
	$(BIN)/policykb bench run

# Formatting and lint (tests/test_style.py checks both).
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance
