# The scaled profile (docs/scale.md): PostgreSQL tracker store, Redis lock store, two Rasa and two action-server
# replicas behind HAProxy, the web page in front. Included by the main Makefile (-include mk/*.mk).
.PHONY: scaled-deps run-scaled stop-scaled scale-test

# Debian's PostgreSQL, Redis and HAProxy binaries; scripts/scaled.sh runs them as its own processes (the
# packages' system services are not used). apt-get needs root: sudo unless make runs as root (as mk/widget.mk).
SUDO ?= $(if $(filter 0,$(shell id -u)),,sudo)
SCALED_PKGS := $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
  $(if $(shell command -v psql),,postgresql-client) \
  $(if $(shell command -v redis-server),,redis-server) \
  $(if $(shell command -v haproxy),,haproxy)
scaled-deps:
	@if [ -n "$(strip $(SCALED_PKGS))" ]; then \
	  echo "installing Debian $(strip $(SCALED_PKGS))"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SCALED_PKGS); \
	fi

# Ctrl-C stops every process it started.
# widget-deps (mk/widget.mk): the page serves the socket.io client; named by target since that file is read after this one.
run-scaled: install $(INDEX) $(MODEL) widget-deps scaled-deps
	scripts/scaled.sh

# Stops a `scripts/scaled.sh --background` run (SCALED_DIR=... for another directory).
stop-scaled:
	scripts/scaled.sh stop

# 20 concurrent 3-turn conversations through the LB while one Rasa and one action-server replica are
# SIGKILLed; every follow-up must be answered right and every turn stored in PostgreSQL. Free ports, its own
# directory (models/scale-test), so it runs next to `make run` / `make run-scaled`.
scale-test: install $(INDEX) $(MODEL) scaled-deps
	$(KBPY) -m tests.scale.scale_test

# `time make scale-test`: 69 s on this machine (2 cores), so it runs inside `make test`.
EXTRA_TESTS += scale-test
