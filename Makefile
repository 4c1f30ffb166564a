.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The spark extra (PySpark brings Spark, ~400 MB) only for the test suite
# and `autowatch build --target spark`; `make build` stays DuckDB only.
SPARK_STAMP := $(VENV)/.installed-spark

.PHONY: help build test lint format docs docs-serve chromium java bench clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $(SPARK_STAMP)

build: $(STAMP) ## Create .venv, load the data and build warehouse/autowatch.duckdb
	$(BIN)/autowatch build

test: $(STAMP) $(SPARK_STAMP) chromium java ## Run the whole test suite (builds its own warehouses in temp dirs)
	$(BIN)/python -m pytest --numprocesses auto --dist loadscope --no-loadscope-reorder

lint: $(STAMP) ## Check Python style with ruff and SQL style with sqlfluff
	$(BIN)/ruff check ingest tests
	cd dbt_project && ../$(BIN)/sqlfluff lint models data-tests macros

format: $(STAMP) ## Format Python code with ruff
	$(BIN)/ruff format ingest tests

docs: $(STAMP) ## Write the dbt docs site to docs/index.html
	test -f "$${AUTOWATCH_WAREHOUSE_DIR:-warehouse}/autowatch.duckdb" || $(BIN)/autowatch build
	$(BIN)/autowatch docs

DOCS_PORT ?= 8080

docs-serve: $(STAMP) ## Serve the docs page on http://127.0.0.1:8080 (DOCS_PORT=...)
	test -f docs/index.html || $(MAKE) docs
	@echo "serving http://127.0.0.1:$(DOCS_PORT)/index.html (Ctrl-C stops)" >&2
	$(BIN)/python -m http.server --directory docs --bind 127.0.0.1 $(DOCS_PORT)

# The docs page test drives Debian's chromium; sudo only when not root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium: ## Install Debian's chromium (for the docs page test) when missing
	command -v chromium >/dev/null || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

# Where it cannot be installed the Spark tests are skipped, saying why.
# The major version of the java PySpark would start ($JAVA_HOME's, else the
# one on PATH), read as ingest.spark.java_major_version reads it ("1.8.0" is
# 8); empty without Java.
JAVA_MAJOR = java="$${JAVA_HOME:+$$JAVA_HOME/bin/java}"; [ -x "$$java" ] || java=java; \
	$$java -version 2>&1 | sed -n 's/.* version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1

# REQUIRE_JAVA=1 (what .ci/run passes) fails when Java 17 cannot be had;
# without it the Spark tests are skipped, each saying why.
java: ## Install Java 17 (for the Spark tests) when missing or older
	@major=$$($(JAVA_MAJOR)); \
	if [ "$${major:-0}" -lt 17 ]; then \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jre-headless) || true; \
		major=$$($(JAVA_MAJOR)); \
	fi; \
	if [ "$${major:-0}" -lt 17 ]; then \
		echo "Java 17 is not available (found: $${major:-none}, JAVA_HOME=$${JAVA_HOME:-unset}): the Spark tests will be skipped" >&2; \
		[ -z "$(REQUIRE_JAVA)" ]; \
	fi

# Corpus sizes for `make bench`; e.g. `make bench SIZES="1000"`.
SIZES ?= 1000 10000 100000
# Sizes built on both DuckDB and Spark local; e.g. SPARK_SIZES="200 1000".
SPARK_SIZES ?= 1000 100000

bench: $(STAMP) $(SPARK_STAMP) ## Measure extraction throughput and build scaling; writes bench/RESULTS.md
	$(BIN)/python bench/bench_extraction.py
	$(BIN)/python bench/run_bench.py --sizes $(SIZES)
	$(BIN)/python bench/bench_spark.py --sizes $(SPARK_SIZES)

clean: ## Remove the virtualenv, the warehouse and dbt's artefacts
	rm -rf $(VENV) warehouse dbt_project/target dbt_project/logs
