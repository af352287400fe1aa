# Cocrea: `make run` serves the demo plan; `make test` runs the whole suite.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
# Links in the demo's mail point at the address `make run` serves (PORT=5077 make run → :5077).
BASE_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := wsgi

# pip-tools runs in its own throwaway venv, never in $(VENV).
LOCK_VENV ?= $(or $(TMPDIR),/tmp)/cocrea-pip-tools

.PHONY: run test shots coverage install install-test translations serve bench lint i18n clean lock

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Cocrea needs Python 3.11 or newer (python3 --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Extra options for pip (.ci/run passes --no-compile when the suite keeps its compiled files
# elsewhere: see there).
PIP_INSTALL_OPTIONS ?=

# Every dependency (runtime and test) at the exact version and hash in requirements.lock;
# then Cocrea itself without letting pip resolve anything else. `pip check` catches a lock
# that is older than pyproject.toml (a dependency added there but not locked).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_INSTALL_OPTIONS) --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet $(PIP_INSTALL_OPTIONS) --no-deps -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
		echo "requirements.lock does not match pyproject.toml: run 'make lock'"; exit 1; }
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@touch $@

# Re-resolve requirements.lock from pyproject.toml (runtime + test extras, with hashes).
# Keeps the current pins where they still fit; `make lock UPGRADE=1` moves to the newest.
lock:
	@test -n "$(PYTHON)" || { echo "Cocrea needs Python 3.11 or newer (python3 --version)"; exit 1; }
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/pip install --quiet --upgrade pip 'pip-tools>=7.4'; }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
		--extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		$(if $(UPGRADE),--upgrade) -o requirements.lock pyproject.toml

translations: | $(BIN)/python
	@$(BIN)/pybabel compile --use-fuzzy -d app/translations --statistics 2>&1 | tail -n 2

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

# The demo server on this machine. Two-factor authentication is offered to every account but
# required of none, so that each demo login does its job at once; production keeps it required of
# admins and facilitators (TWO_FACTOR_REQUIRED_ROLES, default admin,moderator), and
# `TWO_FACTOR_REQUIRED_ROLES=admin,moderator make run` shows the enrolment here too.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask content rerender
	$(BIN)/flask ledger backfill
	$(BIN)/flask search reindex
	BASE_URL=$(BASE_URL) $(BIN)/flask demo load --if-empty --serving $(BASE_URL)
	BASE_URL=$(BASE_URL) TWO_FACTOR_REQUIRED_ROLES=$${TWO_FACTOR_REQUIRED_ROLES-} $(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m tests.run_suites $(ARGS)

# The browser tests again, taking a full-page screenshot of each page they check, for a human to
# look at (make test takes none: about a second of Chromium's CPU each). SHOTS=folder to choose.
SHOTS ?= /tmp/shots
shots: install-test
	COCREA_SHOTS_DIR=$(SHOTS) TEST_DATABASE_URL= $(BIN)/python -m pytest -p no:cacheprovider -q -n 2 --dist loadfile tests/browser $(ARGS)
	@echo "Screenshots in $(SHOTS)"

# The whole suite (as `make test`) under coverage.py, branch coverage, every backend and worker.
# A .pth file starts coverage in each Python process that finds COVERAGE_PROCESS_START.
COVERAGE_PTH = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))' 2>/dev/null)/cocrea-coverage.pth
coverage: install-test
	@echo 'import os, coverage; os.environ.get("COVERAGE_PROCESS_START") and coverage.process_startup()' > $(COVERAGE_PTH)
	rm -f .coverage .coverage.*
	COVERAGE_PROCESS_START=$(CURDIR)/pyproject.toml COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/python -m tests.run_suites $(ARGS); \
		status=$$?; COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/coverage combine -q; \
		$(BIN)/coverage report --format=total | sed 's/^/Total branch coverage: /;s/$$/%/'; \
		$(BIN)/coverage report | tail -n 3; exit $$status

# The large-plan load test (gunicorn + wrk) at 1x and 10x of the plan, and the export benchmark:
# bench/results.{json,md} and the measured part of docs/performance.md. Quicker looks:
# BENCH_SCALE=0.05 (every size), BENCH_SCALES=1 (one size), BENCH_ONLY=postgresql, BENCH_SKIP_EXPORT=1.
bench: install-test
	@command -v wrk >/dev/null 2>&1 || { echo "wrk (the load generator) is missing; installing Debian's package"; \
		apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "Install wrk (apt-get install wrk) and run make bench again"; exit 1; }; }
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m bench.run $(ARGS)

lint: install-test
	$(BIN)/ruff check app tests

# Extract new strings and merge them into the catalogues; then translate in app/translations.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".* __pycache__" -k _l -k lazy_gettext -k ngettext:1,2 -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
