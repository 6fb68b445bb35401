# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
AXE := tests/browser/node_modules/axe-core/axe.min.js
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8501

.PHONY: run test lint chromium nginx clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m training validate
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Chromium is missing: install it with 'sudo apt-get install chromium'." >&2; exit 1; \
		fi; \
	fi

# The two-server browser tests put Debian's nginx in front (tests/browser/test_two_servers.py).
# PostgreSQL is installed by the tests themselves when missing (tests/pg.py).
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
		else \
			echo "nginx is missing: install it with 'sudo apt-get install nginx'." >&2; exit 1; \
		fi; \
	fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(TEST_STAMP) chromium nginx $(AXE) lint
	$(BIN)/python -m training validate
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) tests/browser/node_modules .pytest_cache .ruff_cache

# Benchmarks print a table of medians beside same-run baselines (see docs/benchmarks.md).
bench: $(TEST_STAMP) chromium
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/storage.py
	$(BIN)/python benchmarks/many_officers.py 20
