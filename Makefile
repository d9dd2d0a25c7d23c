# The two commands: `make run` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MUTATE_STAMP := $(VENV)/.mutate-installed

.PHONY: run test lint typecheck bench bench-slack mutate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/oped-bot run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict bot/ adapters/

test: lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/votes.py

bench-slack: $(STAMP)
	$(BIN)/python bench/slack_http.py

$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutate]'
	touch $(MUTATE_STAMP)

# Mutation testing of the core rule modules ([tool.mutmut] in pyproject.toml), from scratch,
# one worker: it takes one to two hours on two busy cores, so it is not part of `make test`.
# MUTANTS='bot.poll_rules.*' runs only the mutants matching that pattern.
mutate: $(MUTATE_STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/python tools/mutation_summary.py --fail-under 90

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache mutants
