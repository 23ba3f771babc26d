# PACE Hub: one entry point for running, testing and benchmarking.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint worker beat bench browser

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

# Embedded default: SQLite, eager tasks, console e-mail, demo data, http://127.0.0.1:$(PORT)
# (another port: make run PORT=8001).
PORT ?= 8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --port $(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Headless Chromium for the browser tests and report charts, and poppler's pdftoppm for checking
# report PDFs (Debian's packages; needs root, skipped otherwise).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium is not installed: browser tests will be skipped"; }
	@command -v pdftoppm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
		|| echo "poppler-utils (pdftoppm) is not installed: the report journey will be skipped"; }

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/celery -A pace_hub worker --loglevel=info

beat: install
	$(BIN)/celery -A pace_hub beat --loglevel=info

bench: install
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/reports.py
