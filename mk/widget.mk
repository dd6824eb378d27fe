# Website chat widget, its browser test, the Telegram channel test and the feedback report.
# Included by the main Makefile (-include mk/*.mk); its tests run inside `make test`.
WIDGET_DIR := bot/web
WIDGET_DEPS := $(WIDGET_DIR)/node_modules/.installed
# apt-get needs root; use sudo when make runs as another user.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: widget-deps browser-deps test-browser test-channels feedback

# The socket.io browser client, from the npm registry, versions pinned by package-lock.json.
$(WIDGET_DEPS): $(WIDGET_DIR)/package.json $(WIDGET_DIR)/package-lock.json
	cd $(WIDGET_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

widget-deps: $(WIDGET_DEPS)

# Debian's Chromium and ChromeDriver (Playwright drives /usr/bin/chromium; it downloads no browser).
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
	  echo "installing Debian chromium + chromium-driver"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

# `make run` serves the widget, so it needs the socket.io client.
run: $(WIDGET_DEPS)

test-browser: install $(INDEX) $(MODEL) $(WIDGET_DEPS) browser-deps
	$(KBPY) -m pytest -q tests/browser

test-channels: install $(INDEX) $(MODEL)
	$(KBPY) -m pytest -q tests/channels

# Worst-rated answers from the widget's thumbs up/down (models/feedback.db; FEEDBACK_DB overrides).
feedback: $(KB_VENV)/.installed
	$(KBPY) -m bot.web.feedback

EXTRA_TESTS += test-browser test-channels
