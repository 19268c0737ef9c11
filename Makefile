# Two commands on a fresh machine: `make demo` runs it, `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TICKETS ?= 50000

.PHONY: setup demo test bench clean messages chromium screenshots

VENDOR := shiyu/web/static/vendor

setup: $(VENV)/.installed $(VENDOR)/.installed

# Idempotent: reinstalls only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Shiyu needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The pages' libraries (ECharts, Leaflet, htmx) come from npm at setup and are served by
# Django itself: a government intranet has no CDN. Only the files the pages load are kept.
$(VENDOR)/.installed: frontend/package-lock.json
	@command -v npm >/dev/null || { echo "Shiyu's pages need Node.js and npm at setup (apt install npm)"; exit 1; }
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/echarts $(VENDOR)/htmx $(VENDOR)/leaflet
	cp frontend/node_modules/echarts/dist/echarts.min.js frontend/node_modules/echarts/LICENSE $(VENDOR)/echarts/
	cp frontend/node_modules/htmx.org/dist/htmx.min.js frontend/node_modules/htmx.org/LICENSE $(VENDOR)/htmx/
	cp -r frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css \
		frontend/node_modules/leaflet/dist/images frontend/node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	touch $@

demo: setup
	$(BIN)/shiyu demo --serve --port $(PORT) --tickets $(TICKETS)

test: setup chromium
	$(BIN)/pytest

# The browser tests (tests/e2e) drive Debian's Chromium, and pages and screenshots need
# a Chinese font (the pages name Noto Sans CJK SC among others). Installed here when we
# may (root or passwordless sudo, apt-get); otherwise the browser tests are skipped
# with a message.
CHROMIUM ?= $(or $(SHIYU_CHROMIUM),/usr/bin/chromium)
BROWSER_PACKAGES := chromium fonts-noto-cjk
chromium:
	@{ test -x $(CHROMIUM) && fc-list :lang=zh family 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=no; fi; \
	  if [ "$$SUDO" != no ] && command -v apt-get >/dev/null; then \
	    echo "installing $(BROWSER_PACKAGES) for the browser tests (apt-get)"; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null 2>&1 \
	    || { $$SUDO apt-get update -qq >/dev/null 2>&1 \
	         && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null 2>&1; } \
	    || echo "could not install $(BROWSER_PACKAGES); without Chromium the browser tests are skipped"; \
	  fi; }; true

# Regenerate docs/screenshots/ (one PNG per role and page) from the browser tests, over
# a demo city with enough tickets open to fill the lists (the tests alone use 300).
SCREENSHOT_TICKETS ?= 3000
screenshots: setup chromium
	SHIYU_SCREENSHOTS=1 SHIYU_E2E_TICKETS=$(SCREENSHOT_TICKETS) $(BIN)/pytest tests/e2e -q

bench: setup
	$(BIN)/python bench/locate.py
	$(BIN)/python bench/bulk_import.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/classifier.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/hotspots.py
	$(BIN)/shiyu bench ranking --tickets 1000000 --json

clean:
	rm -rf $(VENV) var frontend/node_modules $(VENDOR)

# Refresh the Chinese catalogue after changing UI strings; the compiled .mo is committed
# so that an installation needs no gettext tools.
messages: setup
	cd shiyu && ../$(BIN)/python -m django makemessages -l zh_Hans --settings=shiyu.settings -i "demo/texts.py"
	cd shiyu && ../$(BIN)/python -m django compilemessages -l zh_Hans --settings=shiyu.settings
