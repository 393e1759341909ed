# kamp: `make demo` runs it, `make test` tests it. Needs only Python ≥ 3.11, make and git.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KAMP_HOME ?= $(CURDIR)/var
export KAMP_HOME
# pytest-xdist workers: one per core by default.
WORKERS ?= auto

.PHONY: demo test install install-dev messages lint typecheck check serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed messages
install-dev: $(VENV)/.installed-dev messages

messages: $(VENV)/.installed
	$(BIN)/python -m kamp.i18n

# make demo BIND=0.0.0.0:8080 serves the demo on another address or port.
demo: install
	$(BIN)/kamp demo $(if $(BIND),--bind $(BIND))

test: install-dev
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check kamp tests bench
	$(BIN)/ruff format --check kamp tests bench

typecheck: install-dev
	$(BIN)/mypy kamp

check: lint typecheck
	$(BIN)/kamp makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/static
