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

.PHONY: install run test lint test-sqlite test-postgres check clean audit audit-code \
	audit-dependencies load

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
	TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) --ignore=tests/browser

check: install
	$(FLASK) questionnaires check

# Security gates: bandit (no medium or high finding in the application) and pip-audit over
# the installed environment through scripts/pip_audit_gate.py, which fails on any advisory
# not excepted in security/pip-audit-exceptions.toml, and when pip-audit cannot check.
audit: audit-code audit-dependencies

audit-code: $(VENV)/.audit-installed
	@echo "=== bandit (medium and high findings fail) ==="
	$(VENV)/bin/bandit -r audit_app -q --severity-level medium

audit-dependencies: $(VENV)/.audit-installed
	@echo "=== pip-audit over the installed environment ==="
	$(VENV)/bin/python scripts/pip_audit_gate.py

$(VENV)/.audit-installed: $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -e '.[test,audit]'
	touch $@

# The load test (benchmarks/README.md): its own PostgreSQL database at LOAD_PG_URL, gunicorn
# and 50 locust users for 5.5 minutes; the figures go to benchmarks/load/results/.
LOAD_PG_URL ?= $(PG_TEST_URL)
load: install $(VENV)/.bench-installed
	$(VENV)/bin/python benchmarks/load/run.py --pg-url '$(LOAD_PG_URL)'

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

clean:
	rm -rf $(VENV) node_modules audit_app/static/build
