# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED := ../shared
DEMO_REGISTRY := gateway/demo/registry.json
export GATEWAY_DATABASE_URL ?= sqlite://var/gateway.sqlite3
export GATEWAY_COOKIE_SECURE ?= false

.PHONY: run test lint typecheck contract pytest schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled only when the project's metadata changes; the editable install sees code edits.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gateway migrate
	$(BIN)/gateway registry import $(DEMO_REGISTRY)
	$(BIN)/gateway serve --no-migrate --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contract: $(STAMP)
	$(BIN)/python $(SHARED)/tools/check_contract.py schema.graphql \
		$(SHARED)/contract/core.graphql $(SHARED)/contract/partner.graphql

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck contract pytest

schema: $(STAMP)
	$(BIN)/gateway export-schema --output schema.graphql

# The API benchmark of issue 7 (bench/README.md); BENCH_ARGS="--seconds 2 --warmup 1" for a smoke run.
bench: $(STAMP)
	$(BIN)/python bench/api_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
