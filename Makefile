# Alongside: `make run` to start the app on SQLite, `make test` to run every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := var/stamps

.PHONY: install run test test-fast lint format bench worker clean

install: $(STAMP)/python $(STAMP)/npm $(STAMP)/frontend $(STAMP)/system

$(STAMP):
	@mkdir -p $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(STAMP)/python: requirements.lock pyproject.toml $(VENV)/bin/python | $(STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(STAMP)/npm: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP)/frontend: $(STAMP)/npm $(shell find frontend -type f) | $(STAMP)
	node frontend/build.mjs
	@touch $@

$(STAMP)/system: scripts/system-deps.sh | $(STAMP)
	bash scripts/system-deps.sh
	@touch $@

run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_york_places
	$(MANAGE) load_taxonomies
	$(MANAGE) load_demo
	$(MANAGE) load_demo_directory
	$(MANAGE) load_demo_casework
	$(MANAGE) load_demo_social_prescribing
	$(MANAGE) load_demo_hubs
	$(MANAGE) directory_search_index
	$(MANAGE) runserver 127.0.0.1:8000

worker: install
	$(MANAGE) db_worker

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var staticfiles src/alongside/core/static/alongside src/alongside/core/static/govuk
