# Homeward: `make run` opens the application, `make test` runs the whole suite.
# Both create .venv on first use (Python 3.11 or newer).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Homeward needs Python 3.11 or newer on PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(PY) -m missing_app

demo: $(STAMP)
	@db="$$($(PY) -m missing_app.config demo-path)"; \
	test -f "$$db" || $(PY) -m missing_app --db "$$db" demo --scale small; \
	$(PY) -m missing_app --db "$$db"

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check missing_app tests benchmarks
	$(VENV)/bin/ruff format --check missing_app tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m missing_app.gui.screenshots --out resources/screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
