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

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks

# Random exploration (far more Hypothesis examples, a fresh seed printed on failure), then
# the simulator against Erlang C over 1,000,000 customers per case (tens of minutes).
soak: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --hypothesis-profile=soak tests
	$(BIN)/python -m benchmarks.erlang_validation 1000000 20

# Mutation testing, outside `make test` (minutes per module on 2 cores): mutmut mutates ONE
# module and runs the tests named in MUTATION_TESTS against each mutant, in a scratch copy
# under build/ (its `mutants/` tree never lands in the checkout).  The score is
# (killed + timeout) / (total - skipped).  Another module:
#   make mutation MUTATE=src/csflow/sla/durations.py MUTATION_TESTS="tests/test_sla.py"
MUTATE ?= src/csflow/queues/keys.py
MUTATION_TESTS ?= tests/test_queues.py tests/test_queues_stateful.py tests/test_queue_keys_edges.py
MUTATION_DIR := build/mutation

mutation: $(STAMP)
	rm -rf $(MUTATION_DIR) && mkdir -p $(MUTATION_DIR)
	cp -r src tests pyproject.toml $(MUTATION_DIR)/
	$(BIN)/python -c 'import sys; print("\n[tool.mutmut]\nsource_paths = [\"src\"]\n" "only_mutate = [\"" + sys.argv[1] + "\"]\n" "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"--hypothesis-profile=ci\"]\n" "pytest_add_cli_args_test_selection = " + repr(sys.argv[2:]).replace(chr(39), chr(34)))' \
		$(MUTATE) $(MUTATION_TESTS) >> $(MUTATION_DIR)/pyproject.toml
	cd $(MUTATION_DIR) && $(abspath $(BIN))/mutmut run --max-children 2
	cd $(MUTATION_DIR) && $(abspath $(BIN))/mutmut export-cicd-stats
	$(BIN)/python -c 'import json, sys; s = json.load(open(sys.argv[1])); print(sys.argv[2], s)' \
		$(MUTATION_DIR)/mutants/mutmut-cicd-stats.json $(MUTATE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site dist build
