# The two quick-start commands: `make demo` serves the demo park, `make test` runs the suite.
# Both create .venv with the project installed; nothing but Python >= 3.11 is needed (with a C
# compiler the HJ 212 fast path is built too; without one the same code runs in pure Python).
# `make test-pure` runs the suite with the fast path switched off (PARKSTEWARD_PURE_PYTHON=1).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-pure install clean

# setup.py and the C source too: an editable install builds the extension only when installed.
$(STAMP): pyproject.toml setup.py src/parksteward/hj212/_speedups.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/parksteward demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pure: $(STAMP)
	PARKSTEWARD_PURE_PYTHON=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache build src/parksteward/hj212/_speedups.*.so
