# The two quick-start commands: `make demo` serves the demo park, `make test` runs the suite.
# Both create .venv with the project installed; nothing but Python >= 3.11 is needed (with a C
# compiler the HJ 212 fast path is built too; without one the same code runs in pure Python).
# `make test-pure` runs the suite with the fast path switched off (PARKSTEWARD_PURE_PYTHON=1).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

FRONTEND := src/parksteward/web/frontend
CONSOLE := src/parksteward/web/static/console/app.js

.PHONY: demo test test-pure install console clean

# setup.py and the C source too: an editable install builds the extension only when installed.
$(STAMP): pyproject.toml setup.py src/parksteward/hj212/_speedups.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The park console's assets, from the npm registry (exact versions: package-lock.json), built by
# esbuild into the package. Without npm, or offline, the server runs and /console says how to build it.
$(CONSOLE): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(wildcard $(FRONTEND)/src/*)
	@if command -v npm >/dev/null 2>&1; then \
		(cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) \
			|| echo "the park console could not be built (npm failed: offline?); everything else runs without it"; \
	else \
		echo "npm not found: the park console is not built (install Node.js and npm, then run make console)"; \
	fi

console: $(CONSOLE)

demo: $(STAMP) $(CONSOLE)
	$(BIN)/parksteward demo

# The suite on two workers (pytest-xdist, a test file per worker at a time), then the tests
# marked `alone` by themselves: they time what a newcomer waits for, which a second worker
# beside them would distort. Exit status 5 is "nothing selected" (PYTEST_ARGS chose other tests).
test: $(STAMP) $(CONSOLE)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not alone" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-pure: $(STAMP) $(CONSOLE)
	PARKSTEWARD_PURE_PYTHON=1 $(BIN)/python -m pytest -n 2 --dist loadfile -m "not alone" $(PYTEST_ARGS)
	PARKSTEWARD_PURE_PYTHON=1 $(BIN)/python -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

clean:
	rm -rf $(VENV) data .pytest_cache build src/parksteward/hj212/_speedups.*.so src/parksteward/web/static $(FRONTEND)/node_modules
