# One place for the commands the README and CI use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
PYTEST_WORKERS ?= auto

.PHONY: install demo test test-postgres lint migrations-check messages compilemessages bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	# axe-core for the accessibility checks in the browser tests (package-lock.json).
	npm ci --no-audit --no-fund --silent

# The Polish catalogue: `messages` refreshes locale/pl/LC_MESSAGES/django.po from the code (fill
# in the three plural forms of any new counted string), `compilemessages` builds the .mo that
# Django reads (GNU gettext's msgfmt; .mo files are not committed).
messages: install
	env -u DATABASE_URL DEBUG=true $(BIN)/python manage.py makemessages -l pl

compilemessages: install
	env -u DATABASE_URL DEBUG=true $(BIN)/python manage.py compilemessages -l pl

# Start the demo: SQLite, sample data, demo logins printed, portal on http://$(HOST)/
# The demo lets the office logins into admin without an authenticator app (STAFF_MFA_REQUIRED);
# production requires two-factor login for staff and board.
demo: install compilemessages
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true STAFF_MFA_REQUIRED=false $(BIN)/python manage.py runserver $(HOST)

# The whole test suite, browser tests included (they fail, never skip, without Chromium), on
# every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
# DATABASE_URL=postgres://... runs it against PostgreSQL (one test database per worker).
test: install compilemessages
	$(BIN)/ruff check .
	# The migrations check needs no database server: it runs against the default SQLite.
	env -u DATABASE_URL DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	STREFA_REQUIRE_BROWSER=1 $(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The scale benchmark on PostgreSQL (bench/run.py): BENCH_SCALE=small (2 000 premises, default)
# or BENCH_SCALE=full (20 000 premises, 2 000 000 ledger rows). Writes bench/results-*.md and
# exits non-zero when a page or a batch job (bench/batch.py, rolled back) breaks its budget.
# BENCH_DATABASE_URL picks the database. The load comes from wrk (apt-get install wrk) when
# installed, else from a Python client (slower: it flatters the ratios to the bare view).
# BENCH_SCALE=ci (500 premises) with BENCH_ENFORCE=queries is the CI step: only query-count
# budgets fail it, time budgets are printed (CI machines vary).
bench: install
	$(BIN)/python bench/run.py
