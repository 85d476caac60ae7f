# Every target does its own set-up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Playwright (browser tests) must never download a browser: Debian's chromium is used.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test bench lint lint-extension extension screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps record what has been installed, so reruns are instant until pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/ssi-companion extension build --browser chrome --out build/extension
	@echo "Load build/extension/chrome in Chrome (chrome://extensions, Developer mode, Load unpacked)."
	$(BIN)/ssi-companion serve

extension: $(VENV)/.installed
	$(BIN)/ssi-companion extension build --browser chrome --out build/extension
	$(BIN)/ssi-companion extension build --browser firefox --out build/extension

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

# The README's picture of the summary page, from demo data (needs Debian's chromium).
screenshot: $(VENV)/.installed-test
	$(BIN)/python -m tests.browser.screenshot docs/screenshot.png

lint: $(VENV)/.installed-test lint-extension
	$(BIN)/ruff check companion tests benchmarks
	$(BIN)/ruff format --check companion tests benchmarks

# ESLint and web-ext come from npm, pinned by extension/package-lock.json.
extension/node_modules/.installed: extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-extension: extension/node_modules/.installed $(VENV)/.installed
	cd extension && npx eslint .
	$(BIN)/ssi-companion extension build --browser firefox --out build/lint
	cd extension && npx web-ext lint --source-dir ../build/lint/firefox

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info extension/node_modules
