# `make up`: set up everything and run the app (ingest, train, serve). `make check`: the static
# checks CI runs before the tests. `make test`: the test suite.
# `make down`: stop what `make up` started.
PY ?= .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: up down install lock lock test test-sqlite test-postgres lint typecheck migrations check bench

up:
	./bin/up

down:
	./bin/down

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

# The app, its tests and the benchmarks (the file list is in pyproject.toml).
typecheck:
	$(PY) -m mypy

# A model change without its migration fails here rather than on a production deploy.
migrations:
	$(PY) manage.py makemigrations --check --dry-run

# What .ci/run runs before the tests; each step fails the run.
check: lint typecheck migrations

# Pins every dependency, with hashes, from pyproject.toml's ranges; run after changing them.
# PyPI only: this machine's pip configuration (local wheel folders) must not leak into the lock.
LOCK = PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" .venv/bin/pip-compile \
	--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	$(LOCK) --output-file requirements.txt pyproject.toml
	$(LOCK) --extra dev --constraint requirements.txt --output-file requirements-dev.txt pyproject.toml
