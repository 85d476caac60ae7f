# Every target does its own set-up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Playwright (browser tests) must never download a browser: Debian's chromium is used.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Nor puppeteer (the Firefox tests, from npm): Debian's firefox-esr is used.
export PUPPETEER_SKIP_DOWNLOAD := 1

.PHONY: run test bench lint lint-extension lint-catalogs catalogs extension dist screenshot clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

# Stamps record what has been installed, so reruns are instant until pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing SSI Companion and its dependencies into $(VENV) (once)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

# The dev extra: the test extra (pytest, hypothesis, playwright, build) and ruff for lint.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.installed

# The extension is built where serve looks for it (extension/ in the data directory); serve
# then prints the data directory, the sign-in link, that folder with how to load it, and autostart.
run: $(VENV)/.installed
	@$(BIN)/ssi-companion extension build --browser chrome > /dev/null
	@$(BIN)/ssi-companion serve

extension: $(VENV)/.installed
	$(BIN)/ssi-companion extension build --browser chrome --out build/extension
	$(BIN)/ssi-companion extension build --browser firefox --out build/extension

# The wheel and the sdist, into dist/: what `pipx install` or `uv tool install` takes.
# Built in an isolated environment with the backend pyproject.toml names (hatchling).
dist: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check build
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

# The Firefox tests (tests/browser/test_firefox.py) drive Firefox with puppeteer-core from
# extension/node_modules. Without npm there is nothing to install: they skip (fail in CI).
test: $(VENV)/.installed-test $(if $(shell command -v npm 2>/dev/null),extension/node_modules/.installed)
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

# The README's pictures (docs/summary-*.png, docs/settings.png): the demo year light, dark and
# 360 px wide, a companion with one reading, and the settings page (needs Debian's chromium).
screenshot: $(VENV)/.installed-test
	$(BIN)/python -m tests.browser.screenshot docs

lint: $(VENV)/.installed-test lint-extension lint-catalogs
	$(BIN)/ruff check companion tests benchmarks
	$(BIN)/ruff format --check companion tests benchmarks

# The translations (companion/i18n/catalogs): after changing a sentence in the code or a
# template, `make catalogs` extracts, merges into each language's .po and compiles the .mo
# files (committed, so an installed companion needs no build step). Translate what it leaves
# empty, then run it again. lint-catalogs (also a test) fails while anything is missing,
# untranslated, fuzzy or not compiled.
catalogs: $(VENV)/.installed
	$(BIN)/python -m companion.i18n.maintain update

lint-catalogs: $(VENV)/.installed
	$(BIN)/python -m companion.i18n.maintain check

# ESLint, web-ext and puppeteer-core come from npm, pinned by extension/package-lock.json.
extension/node_modules/.installed: extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-extension: extension/node_modules/.installed $(VENV)/.installed
	cd extension && npx eslint .
	$(BIN)/ssi-companion extension build --browser firefox --out build/lint
	cd extension && npx web-ext lint --source-dir ../build/lint/firefox

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info extension/node_modules
