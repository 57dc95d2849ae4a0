# `make demo` and `make test` work on a machine with only Python 3.11, pip and git.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit golden bench clean typescript

# The TypeScript compiler that the codegen tests and the demo type-check generated code with, from npm into
# .tools/ (pinned by tools/typescript/package-lock.json). The unit tests need it only where
# node is installed; without node those tests are skipped and say why.
NODE := $(shell command -v node 2>/dev/null)
TSC_STAMP := .tools/typescript/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'  # spark: tests/checking/test_spark.py runs a local Spark session
	touch $(STAMP)

demo: $(STAMP) $(if $(NODE),$(TSC_STAMP))
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache  # package boundaries: [tool.importlinter] in pyproject.toml

typecheck: $(STAMP)
	$(BIN)/mypy


$(TSC_STAMP): tools/typescript/package.json tools/typescript/package-lock.json
	mkdir -p .tools/typescript
	cp tools/typescript/package.json tools/typescript/package-lock.json .tools/typescript/
	npm ci --prefix .tools/typescript --no-audit --no-fund --loglevel=error
	touch $(TSC_STAMP)

typescript: $(TSC_STAMP)

unit: $(STAMP) $(if $(NODE),$(TSC_STAMP))
	$(BIN)/pytest

test: lint typecheck unit

# Rewrites every golden file (tests/data/import/expected, tests/data/export) from the current
# code; review the diff before committing it.
golden: $(STAMP)
	TRACKPLAN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/formats/test_golden.py

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench,spark]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
