# Chính quyền số — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: demo test venv install install-dev system-deps runtime-deps lint check-migrations pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make the installs re-run only when the pinned requirements change.
$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed system-deps

## make demo: install, migrate an embedded SQLite database, load the Nghệ An demo data, serve.
demo: install runtime-deps
	$(BIN)/chinhquyenso demo

## make test: install what the tests need, then lint, type-check and run the whole suite.
test: install-dev lint check-migrations pytest

system-deps:
	bash scripts/install-system-deps.sh

# What the server needs to print PDF slips (Pango, Vietnamese fonts); only a warning if missing.
runtime-deps:
	bash scripts/install-system-deps.sh runtime

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy chinhquyenso

check-migrations:
	$(BIN)/chinhquyenso makemigrations --check --dry-run

pytest:
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
