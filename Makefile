# Two commands for a fresh machine: `make demo` (a demo programme, synced) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DEMO ?= demo

.PHONY: install demo test test-later lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	@test -f $(DEMO)/nastavnik.toml || $(BIN)/nastavnik demo $(DEMO)
	$(BIN)/nastavnik sync --config $(DEMO)/nastavnik.toml

# The suite runs on every core (pytest-xdist): on 2 cores about half the time of one.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto

# The suite again with the machine's clock 400 days ahead (Debian's faketime): a test that only
# passes on the day it was written fails here, not at a school.
test-later: install
	faketime -f '+400d' $(BIN)/python -m pytest -n auto -p no:cacheprovider

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_matching.py
	$(BIN)/python bench/bench_sync.py

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info
