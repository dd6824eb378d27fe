# Issue 7: bad input, abuse and faults (docs/hardening.md). Included by the main Makefile.
# test-hardening: bad-input table over REST and socket.io, a Hypothesis fuzz run of REST, API token,
#   CORS, rate limits, logs, secret scan, pins (real Rasa + real action server, and scripts/serve.sh).
# test-faults: a throwaway PostgreSQL tracker store stopped mid-conversation, restarts, a hung action
#   server, broken indexes. Both run inside `make test`.
.PHONY: test-hardening test-faults postgres-deps secret-scan

test-hardening: install $(INDEX) $(MODEL)
	$(KBPY) -m pytest -q tests/hardening

# Debian's PostgreSQL server binaries (the fault tests initdb a temporary cluster; nothing is
# configured system-wide and no service is started by the tests).
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
	  echo "installing Debian postgresql"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

test-faults: install $(INDEX) $(MODEL) postgres-deps
	$(KBPY) -m pytest -q tests/faults

# Token-shaped strings in tracked files and the built models (exit 1 on a finding).
secret-scan: $(KB_VENV)/.installed
	$(KBPY) -m bot.ops.secret_scan

EXTRA_TESTS += test-hardening test-faults
