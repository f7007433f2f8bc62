# One entry point for everything: make run [HOST=… PORT=…] | test | check | bench | demo | lint | clean
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
DB ?= data/warehouse.duckdb
PORT ?= 8501
HOST ?= localhost

.PHONY: run test check lint format bench venv browser warehouse demo clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Debian chromium + CJK fonts for the real-browser tests (playwright's own download cannot work here); the CJK
# font is also what the bulletin's PDF embeds, and poppler-utils' pdftotext reads that PDF back in the tests.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" || ! command -v pdftotext >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium fonts-noto-cjk poppler-utils >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium fonts-noto-cjk poppler-utils >/dev/null; }; \
	fi

# The demo warehouse is built through the real ETL (the same path a clerk's upload takes); an existing
# warehouse is brought up to the current schema (idempotent, data untouched).
warehouse: venv
	@if [ -f $(DB) ]; then $(BIN)/python -m etl --db $(DB) init >/dev/null; else $(BIN)/python -m etl --db $(DB) init --demo; fi

demo: venv
	rm -f $(DB)
	$(BIN)/python -m etl --db $(DB) init --demo

run: venv warehouse
	DASHBOARD_DB=$(DB) $(BIN)/python -m board.serve --server.address $(HOST) --server.port $(PORT)

test: venv browser
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint test

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
