# Cocrea: `make run` serves the demo plan; `make test` runs the whole suite.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi

.PHONY: run test install install-test translations serve bench lint i18n clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Cocrea needs Python 3.11 or newer (python3 --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

translations: | $(BIN)/python
	@$(BIN)/pybabel compile --use-fuzzy -d app/translations --statistics 2>&1 | tail -n 2

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@echo ""
	@echo "Cocrea is serving the demo plan at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m tests.run_suites $(ARGS)

bench: install-test
	$(BIN)/python -m bench.run $(ARGS)

lint: install-test
	$(BIN)/ruff check app tests

# Extract new strings and merge them into the catalogues; then translate in app/translations.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
