# The two commands of the README: `make run` and `make test`. `make install` sets up alone.
VENV ?= .venv
PYTHON ?= python3
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
PYTEST := $(VENV)/bin/pytest
# The PostgreSQL server the second test run uses; the suite makes and drops its own database.
PG_TEST_URL ?= postgresql+psycopg://127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 5000
ASSET_SOURCES := $(shell find assets scripts -type f 2>/dev/null)

.PHONY: install run test lint test-sqlite test-postgres check clean

install: $(VENV)/.installed node_modules/.installed audit_app/static/build/.built

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade pip==25.2
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

audit_app/static/build/.built: node_modules/.installed $(ASSET_SOURCES)
	npm run --silent build
	touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) questionnaires load
	$(FLASK) demo seed
	@echo "Serving on http://$(HOST):$(PORT)/ (queued email is written to instance/outbox/)"
	@$(FLASK) mail send --watch 5 & MAIL_PID=$$!; \
	  trap 'kill $$MAIL_PID 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

test: install lint test-sqlite test-postgres

lint:
	$(VENV)/bin/ruff check audit_app tests migrations wsgi.py

test-sqlite:
	@echo "=== Test suite on SQLite ==="
	$(PYTEST)

test-postgres:
	@echo "=== Test suite on PostgreSQL ($(PG_TEST_URL)) ==="
	TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST)

check: install
	$(FLASK) questionnaires check

clean:
	rm -rf $(VENV) node_modules audit_app/static/build
