# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
# axe-core and Lighthouse (pinned in tests/browser/package-lock.json), installed by npm ci.
NODE_STAMP := tests/browser/node_modules/.installed
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8501

.PHONY: run test lint chromium nginx postgresql poppler ralph clean bench

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

# apt-get install for the tests' servers without starting the packages' system services (a
# PostgreSQL cluster on :5432, nginx on :80, which may be taken): the tests run their own. While it
# runs, a policy-rc.d that exits 101 tells invoke-rc.d to start nothing (unless one is in place).
APT_INSTALL = sh -c 'policy=/usr/sbin/policy-rc.d; made=; \
	if [ ! -e $$policy ]; then printf "\043!/bin/sh\nexit 101\n" >$$policy && chmod 755 $$policy && made=1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@"; status=$$?; \
	if [ -n "$$made" ]; then rm -f $$policy; fi; exit $$status' apt-install

# The storage tests run a private cluster of Debian's PostgreSQL (tests/pg.py: initdb into a temp
# folder, Unix socket only; no system cluster is used).
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			$(APT_INSTALL) postgresql; \
		else \
			echo "PostgreSQL is missing: install it with 'sudo apt-get install postgresql'." >&2; exit 1; \
		fi; \
	fi

# The two-server browser tests put Debian's nginx in front (tests/browser/test_two_servers.py).
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			$(APT_INSTALL) nginx; \
		else \
			echo "nginx is missing: install it with 'sudo apt-get install nginx'." >&2; exit 1; \
		fi; \
	fi

# The xAPI tests send to a real learning record store: Ralph, in a virtual environment of its
# own under .cache/ (git-ignored), made once from PyPI and reused while its pinned version is
# the one in tests/lrs.py (a second run takes a fraction of a second).
ralph: $(TEST_STAMP)
	$(BIN)/python -m tests.lrs

# The certificate tests read the PDF as people's tools do: pdftotext, pdffonts, pdftoppm and
# pdfinfo from Debian's poppler-utils.
poppler:
	@if ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null \
		|| ! command -v pdftoppm >/dev/null || ! command -v pdfinfo >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			$(APT_INSTALL) poppler-utils; \
		else \
			echo "poppler-utils is missing: install it with 'sudo apt-get install poppler-utils'." >&2; exit 1; \
		fi; \
	fi

$(NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	test -f tests/browser/node_modules/axe-core/axe.min.js
	test -f tests/browser/node_modules/lighthouse/package.json
	touch $@

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(TEST_STAMP) chromium nginx postgresql poppler ralph $(NODE_STAMP) lint
	$(BIN)/python -m training validate
	$(BIN)/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) tests/browser/node_modules .pytest_cache .ruff_cache .cache

# Benchmarks print a table of medians beside same-run baselines (see docs/benchmarks.md).
bench: $(TEST_STAMP) chromium postgresql
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/storage.py
	$(BIN)/python benchmarks/capacity.py
	$(BIN)/python benchmarks/many_officers.py 20
