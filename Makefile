# `make up`: set up everything and run the app (ingest, train, serve). `make test`: the test suite.
PY ?= .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: up install test test-sqlite test-postgres lint check bench

up:
	./bin/up

install:
	./bin/install

test: install
	./bin/test

test-sqlite:
	$(PY) -m pytest

test-postgres:
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: lint test
