# ggzy-hub — the two commands of the README, and the ones developers use beside them.
#   make run    virtualenv, install, migrate, sample data, serve (SQLite under var/, no services)
#   make test   virtualenv, install with test tools, start PostgreSQL/RabbitMQ if stopped,
#               install Chromium if missing, run the whole suite against PostgreSQL
#   make bench  benchmark figures with their raw baselines (printed, never asserted)

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
# Independent tests run in parallel; the drills that stop a shared service run alone after.
TEST_WORKERS ?= 2
DEV_STAMP := $(VENV)/.installed-dev
export GGZY_TEST_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test bench install lint services tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/ggzy migrate
	$(BIN)/ggzy demo
	$(BIN)/ggzy serve

services:
	deploy/dev/ensure-services.sh

tools:
	deploy/dev/ensure-tools.sh

test: $(DEV_STAMP) services tools
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n $(TEST_WORKERS) -m "not serial"
	$(BIN)/pytest -q -m serial

bench: $(DEV_STAMP) services
	$(BIN)/python -m tests.bench.bench_exchange
	$(BIN)/python -m tests.bench.bench_opening
	$(BIN)/python -m tests.bench.bench_mapping
	$(BIN)/python -m tests.bench.bench_audit
	$(BIN)/python -m tests.bench.bench_webservice
	$(BIN)/python -m tests.bench.bench_search
	$(BIN)/python -m tests.bench.bench_bid_package

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
