# Two commands on a fresh Debian 12 machine (root, Python 3.11):
#   make run    - venv, install, migrate, demo office, serve on 127.0.0.1:8080
#                 (other ports: make run PORT=8081 MQTT_PORT=1884)
#   make test   - system packages, venv, then ruff, mypy, import-linter, pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_WARN_SCRIPT_LOCATION=1 $(BIN)/python -m pip
# -qq: errors only; pip's warnings (index locations, dependency notes) drown the output.
PIP_QUIET ?= -qq
APT_PACKAGES := postgresql python3-venv mosquitto mosquitto-clients \
  swig libpcsclite-dev pcscd pcsc-tools vsmartcard-vpcd libzbar0 libusb-1.0-0 \
  fonts-dejavu-core xvfb xauth libgl1 libegl1 libgl1-mesa-dri libegl-mesa0 libmtdev1 \
  chromium espeak-ng alsa-utils xclip shellcheck systemd
HOST ?= 127.0.0.1
PORT ?= 8080
MQTT_PORT ?= 1883
# Test processes (pytest-xdist workers); the suite is grouped so that each group can run anywhere.
TEST_WORKERS ?= 2

.PHONY: run test venv system-deps lint typecheck imports pytest catalogs bench kiosk-gallery clean

# A venv without a working pip (e.g. Debian's python3 lacking python3-venv leaves one
# half made) is rebuilt; python3-venv is installed only when venv creation fails.
$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  $(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	    rm -rf $(VENV); $(MAKE) --no-print-directory system-deps && $(PYTHON) -m venv $(VENV); }; \
	fi
	@echo "installing Antre and its dependencies into $(VENV) (errors only)..."
	@$(PIP) install $(PIP_QUIET) --upgrade pip
	@$(PIP) install $(PIP_QUIET) -e ".[server,kiosk,dev]"
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
	$(BIN)/antre serve --demo --host $(HOST) --port $(PORT) --mqtt-port $(MQTT_PORT) \
	  $(if $(DEMO_TIME),--demo-time "$(DEMO_TIME)")

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
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25

test: system-deps venv lint typecheck imports pytest

bench: system-deps venv
	$(BIN)/python bench/concurrency.py --db sqlite
	$(BIN)/python bench/concurrency.py --db postgres
	$(BIN)/python bench/officer_api.py --db sqlite
	$(BIN)/python bench/officer_api.py --db postgres
	$(BIN)/python bench/officer_api.py --db sqlite --mqtt
	$(BIN)/python bench/officer_api.py --db postgres --mqtt
	$(BIN)/python bench/officer_api.py --db sqlite --mqtt --combined
	$(BIN)/python bench/officer_api.py --db postgres --mqtt --combined
	$(BIN)/python bench/officer_api.py --db postgres --mqtt --processes 2
	$(BIN)/python bench/officer_api.py --db postgres --mqtt --processes 2 --combined
	$(BIN)/python bench/call_to_display.py --db sqlite
	$(BIN)/python bench/call_to_display.py --db postgres
	$(BIN)/python bench/mqtt_issue.py --db sqlite --workers 16
	$(BIN)/python bench/mqtt_issue.py --db postgres --workers 16
	$(BIN)/python bench/push_fanout.py --seconds 30 --rate 10
	$(BIN)/python bench/flood_fairness.py --db sqlite --lookups 50
	$(BIN)/python bench/flood_fairness.py --db postgres --workers 4 --lookups 50
	$(BIN)/python bench/resilience.py
	$(BIN)/python bench/publish_count.py --counters 22 --calls 200
	$(BIN)/python bench/op_cost.py --db sqlite
	$(BIN)/python bench/op_cost.py --db postgres
	$(BIN)/python bench/call_delivery.py --db sqlite
	$(BIN)/python bench/call_delivery.py --db postgres
	$(BIN)/python bench/click_to_screen.py --db sqlite
	$(BIN)/python bench/click_to_screen.py --db postgres --no-kivy
	$(BIN)/python bench/kiosk_start.py --starts 20
	$(BIN)/python bench/kiosk_touch.py --journeys 20
	$(BIN)/python bench/kiosk_memory.py --journeys 5
	$(BIN)/python bench/estimate_accuracy.py --seeds 1 2 3 4 5 --scale 1.0
	$(BIN)/python bench/estimate_accuracy.py --seeds 1 2 3 4 5 --scale 1.5
	$(BIN)/python bench/mixed.py --db sqlite
	$(BIN)/python bench/mixed.py --db postgres
	$(BIN)/python bench/mixed.py --db sqlite --combined
	$(BIN)/antre simulate --visits 3000
	$(BIN)/python bench/simulate_day.py --visits 3000 --db postgres
	$(BIN)/python bench/multi_process.py --db sqlite --processes 1,2,4
	$(BIN)/python bench/multi_process.py --db postgres --processes 1,2,4
	$(BIN)/python bench/multi_process.py --db postgres --processes 1,2,4 --broker external

# The kiosk screen gallery of docs/screenshots/kiosk/ (tests/kiosk/gallery.py): every
# screen in Indonesian and English, at 1024x600 and portrait 1080x1920, under Xvfb.
kiosk-gallery: system-deps venv
	for size in 1024x600 1080x1920; do \
	  KIVY_NO_CONSOLELOG=1 SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 1280x2000x24" \
	    $(BIN)/python -m tests.kiosk.gallery docs/screenshots/kiosk $$size || exit 1; \
	done

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
	  .hypothesis .import_linter_cache
