# Two commands on a fresh Debian 12 machine (root, Python 3.11):
#   make run    - venv, install, migrate, demo office, serve on 127.0.0.1:8080
#   make test   - system packages, venv, then ruff, mypy, import-linter, pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := postgresql python3-venv mosquitto mosquitto-clients
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test venv system-deps lint typecheck imports pytest catalogs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { $(MAKE) system-deps && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[server,dev]"
	@touch $(STAMP)

venv: $(STAMP)

# Installs Debian packages only when one is missing (apt-get update first, as root).
system-deps:
	@missing=""; for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: system-deps venv
	$(BIN)/antre serve --demo --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

imports: venv
	$(BIN)/lint-imports

catalogs: venv
	$(BIN)/python -m queue_server.i18n.catalogs compile

pytest: venv
	$(BIN)/python -m queue_server.i18n.catalogs check
	$(BIN)/pytest

test: system-deps venv lint typecheck imports pytest

bench: system-deps venv
	$(BIN)/python bench/concurrency.py --db sqlite
	$(BIN)/python bench/concurrency.py --db postgres
	$(BIN)/python bench/officer_api.py --db sqlite
	$(BIN)/python bench/officer_api.py --db postgres
	$(BIN)/python bench/call_to_display.py --db sqlite
	$(BIN)/python bench/call_to_display.py --db postgres
	$(BIN)/python bench/mqtt_issue.py --db sqlite
	$(BIN)/python bench/mqtt_issue.py --db postgres

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
