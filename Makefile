# csflow — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.csflow-installed
BENCH_STAMP := $(VENV)/.csflow-bench-installed

.PHONY: chromium demo test lint typecheck pytest bench soak docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[testing,docs,plot,yaml]" --group dev
	touch $@

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench,plot]"
	touch $@

demo: $(STAMP)
	$(BIN)/python -m csflow demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests examples

# The CLI test opens an HTML report in a headless browser: Debian's chromium.
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

pytest: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --hypothesis-profile=ci

test: lint typecheck pytest

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks

soak: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --hypothesis-profile=soak tests

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site dist build
