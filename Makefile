# csflow — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.csflow-installed
BENCH_STAMP := $(VENV)/.csflow-bench-installed

.PHONY: chromium demo test lint typecheck pytest bench soak mutation docs clean

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

# The documentation site, built strictly into site/ (`$(BIN)/mkdocs serve` to browse it live).
docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks

# Random exploration (far more Hypothesis examples, a fresh seed printed on failure), then
# the simulator against Erlang C over 1,000,000 customers per case (tens of minutes).
soak: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --hypothesis-profile=soak tests
	$(BIN)/python -m benchmarks.erlang_validation 1000000 20

# Mutation testing, outside `make test` (minutes per module on 2 cores): mutmut generates every
# mutant of the files or packages in MUTATE, runs MUTATION_SAMPLE of them picked with the fixed
# MUTATION_SEED (0: all) against the tests in MUTATION_TESTS, in a scratch copy under
# build/mutation (its `mutants/` tree never lands in the checkout), and prints
# (killed + timeout) / (sampled - equivalent), the equivalent mutants being those listed with
# a reason in tools/mutation_equivalent.txt.  One worker (the machine is shared); the mutant runs
# use MUTATION_PROFILE's Hypothesis settings (few examples, derandomised).  Docs: CONTRIBUTING.md
#   make mutation MUTATE=src/csflow/rules MUTATION_TESTS="tests/test_rules*.py" MUTATION_SAMPLE=80
# MUTATION_ARGS=--resume reuses MUTATION_DIR (same source, tests only added).
MUTATE ?= src/csflow/queues/keys.py
MUTATION_TESTS ?= tests/test_queues.py tests/test_queues_stateful.py tests/test_queue_keys_edges.py
MUTATION_SAMPLE ?= 0
MUTATION_SEED ?= 1
MUTATION_PROFILE ?= mutation
MUTATION_DIR ?= build/mutation
MUTATION_ARGS ?=

mutation: $(STAMP)
	$(BIN)/python tools/mutation_sample.py --mutate $(MUTATE) --tests $(MUTATION_TESTS) \
		--sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) --profile $(MUTATION_PROFILE) \
		--workdir $(MUTATION_DIR) --max-children 1 $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site dist build
