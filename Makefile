# Dixian: `make run` starts everything, `make test` runs the whole suite. `make help` lists all.
APPS := gateway monitoring funds employment
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help install run test lint format migrate db-start db-stop openapi clean demo-data

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	@touch $@

install: $(VENV)/.synced ## Create the virtual environment from the lock file

run: install ## Start PostgreSQL (embedded unless DATABASE_URL is set), migrate, start the four apps
	$(PY) -m scripts.run

test: install ## Run the whole suite against real PostgreSQL (embedded unless DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy gateway services scripts

format: install ## Format and fix imports
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: install ## Create the databases if missing and upgrade each to head
	$(PY) -m scripts.bootstrap

db-start: install ## Start the embedded PostgreSQL only
	$(PY) -m scripts.embedded_db start

db-stop: install ## Stop the embedded PostgreSQL
	$(PY) -m scripts.embedded_db stop

openapi: install ## Write each app's OpenAPI document to docs/openapi/
	@mkdir -p docs/openapi
	@for app in $(APPS); do $(PY) -m scripts.openapi $$app > docs/openapi/$$app.json; done

demo-data: install ## Demo province through the running gateway (ARGS="--counties 4 ..."; DEMO_ADMIN_PASSWORD)
	$(PY) -m scripts.demo_data $(ARGS)

clean: ## Remove the virtual environment and caches (keeps .data)
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache

.PHONY: bench
bench: install ## Benchmarks into a separate database (docs/benchmarks.md): import, listing
	$(PY) -m bench.monitoring_import
	$(PY) -m bench.village_listing
