# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_REGISTRY := gateway/demo/registry.json
export GATEWAY_DATABASE_URL ?= sqlite://var/gateway.sqlite3
export GATEWAY_COOKIE_SECURE ?= false

.PHONY: run demo-reset bench-claims bench-scale test lint typecheck contract pytest schema bench clean

$(BIN)/python:
	@echo "creating the virtual environment in $(VENV) ($$($(PYTHON) --version))"
	@$(PYTHON) -m venv $(VENV)

# Reinstalled only when the project's metadata changes; the editable install sees code edits.
# uv installs the ~70 packages in about 2 s where pip takes about 17 s (measured on a fresh
# venv, warm caches); it is fetched into the venv first, and pip does the work without it.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing the gateway and its development tools into $(VENV) (pyproject.toml)"
	@start=$$(date +%s); \
	if $(BIN)/python -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
		&& $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]"; then \
		tool=uv; \
	else \
		echo "uv is not available here; installing with pip instead (slower)"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" || exit 1; \
		tool=pip; \
	fi; \
	echo "installed $$($(BIN)/python -m pip list --format=freeze 2>/dev/null | wc -l) packages with $$tool in $$(( $$(date +%s) - start )) s"
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/gateway migrate
	@$(BIN)/gateway registry import $(DEMO_REGISTRY)
	@GATEWAY_CLAIMS_SYSTEM=$${GATEWAY_CLAIMS_SYSTEM:-builtin} \
		$(BIN)/gateway serve --no-migrate --banner --host 127.0.0.1 --port 8000

# The demo data afresh (refused while `make run` serves it); the venv is kept.
demo-reset: $(STAMP)
	@$(BIN)/gateway demo reset

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The contracts the gateway implements (contract/README.md).
contract: $(STAMP)
	$(BIN)/python contract/check_contract.py schema.graphql \
		contract/core.graphql contract/partner.graphql contract/claims.graphql

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck contract pytest

schema: $(STAMP)
	$(BIN)/gateway export-schema --output schema.graphql

# The API benchmark of issue 7 (bench/README.md); BENCH_ARGS="--seconds 2 --warmup 1" for a smoke run.
bench: $(STAMP)
	$(BIN)/python bench/api_bench.py $(BENCH_ARGS)

# The claims benchmark of issue 18 (bench/README.md): submitClaim throughput, delivery lag.
bench-claims: $(STAMP)
	$(BIN)/python bench/claims_bench.py --postgres $${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

# The scale benchmark of issue 20 (bench/README.md): a million members on SQLite and PostgreSQL,
# up to 30 minutes; writes bench/results-scale.md. BENCH_SCALE_ARGS="--sizes 10000 --no-postgres
# --seconds 2" for a smoke run.
bench-scale: $(STAMP)
	$(BIN)/python bench/scale_bench.py $(BENCH_SCALE_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
