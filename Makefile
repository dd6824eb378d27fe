# ZUSM hospital assistant. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PY310 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.10*/bin/python) $(shell command -v python3.10))
PY311 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python) $(shell command -v python3.11))
RASA_VENV := .venv/rasa
KB_VENV := .venv/kb
RASA := $(RASA_VENV)/bin/rasa
KBPY := $(KB_VENV)/bin/python
MODEL := models/rasa/hospital.tar.gz
INDEX := models/index/manifest.json
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

# What the trained model depends on: channels in bot/rasa_ext are loaded at run time, not trained.
RASA_INPUTS := config.yml bot/domain.yml bot/rasa_ext/tokenizer.py bot/rasa_ext/text_guard.py bot/rasa_ext/safety_intent.py bot/kb/safety.py $(shell find bot/data -name '*.yml' 2>/dev/null)
INDEX_INPUTS := $(wildcard knowledge/*.md knowledge/*.yml) bot/kb/ingest.py bot/kb/index.py bot/kb/store.py bot/kb/encoder.py bot/kb/ann.py bot/kb/entities.py bot/kb/text.py bot/kb/safety_neighbours.py $(wildcard bot/data/nlu/*.yml)

# Capability-specific targets (widget/browser, benchmarks, ...) live in mk/*.mk.
-include mk/*.mk

.PHONY: help install run shell index train test test-unit test-rasa test-e2e eval tune calibrate bench clean
help:
	@echo "make run     install what is missing, build index + train if inputs changed, start everything"
	@echo "make test    install what is missing, run every test"
	@echo "make index | train | shell | eval | tune | bench | feedback | purge-conversations | test-unit | test-rasa | test-e2e | clean"

# ---- installs (each venv is rebuilt only when its requirements change) ----
$(RASA_VENV)/.installed: requirements/rasa.txt requirements/rasa.lock
	test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q --upgrade pip
	$(RASA_VENV)/bin/pip install -q -r requirements/rasa.txt -c requirements/rasa.lock
	touch $@

$(KB_VENV)/.installed: requirements/kb.txt requirements/dev.txt requirements/kb.lock
	test -x $(KBPY) || $(PY311) -m venv $(KB_VENV)
	$(KB_VENV)/bin/pip install -q --upgrade pip
	$(KB_VENV)/bin/pip install -q -r requirements/kb.txt -r requirements/dev.txt -c requirements/kb.lock
	touch $@

install: $(RASA_VENV)/.installed $(KB_VENV)/.installed

# ---- builds (only when inputs changed) ----
$(INDEX): $(KB_VENV)/.installed $(INDEX_INPUTS)
	$(KBPY) -m bot.kb index

$(MODEL): $(RASA_VENV)/.installed $(RASA_INPUTS)
	$(RASA) train --domain bot/domain.yml --data bot/data --config config.yml --out models/rasa --fixed-model-name hospital --quiet

index: $(INDEX)
train: $(MODEL)

# ---- run ----
run: install $(INDEX) $(MODEL)
	scripts/serve.sh

shell: install $(INDEX) $(MODEL)
	scripts/serve.sh --shell

# ---- tests ----
test-unit: $(KB_VENV)/.installed
	$(KBPY) -m pytest -q tests/unit tests/test_web.py

test-rasa: $(MODEL)
	PYTHONPATH=. $(RASA_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/rasa_ext
	$(RASA) data validate --domain bot/domain.yml --data bot/data --config config.yml 
	$(RASA) test core --e2e --stories bot/tests/test_stories.yml --model $(MODEL) --out models/rasa_test --fail-on-prediction-errors
	$(RASA) test nlu --nlu bot/tests/test_nlu.yml --model $(MODEL) --out models/rasa_test_nlu

test-e2e: install $(INDEX) $(MODEL)
	$(KBPY) -m pytest -q tests/e2e

# mk/*.mk files append their own test targets to EXTRA_TESTS.
test: install $(INDEX) $(MODEL)
	$(MAKE) --no-print-directory test-unit test-rasa test-e2e $(EXTRA_TESTS)

# ---- evaluation ----
# Tuning sets: ours, then twenty-seven written blind (from the pages only). Held-out sets are never tuned on.
TUNING_SETS := tests/eval/tuning.yml tests/eval/tuning_blind.yml tests/eval/tuning_blind2.yml tests/eval/tuning_blind3.yml \
               tests/eval/tuning_blind4.yml tests/eval/tuning_blind5.yml tests/eval/tuning_blind6.yml tests/eval/tuning_blind7.yml \
               tests/eval/tuning_blind8.yml tests/eval/tuning_blind9.yml tests/eval/tuning_blind10.yml tests/eval/tuning_blind11.yml \
               tests/eval/tuning_blind12.yml tests/eval/tuning_blind13.yml tests/eval/tuning_blind14.yml tests/eval/tuning_blind15.yml \
               tests/eval/tuning_blind16.yml tests/eval/tuning_blind17.yml tests/eval/tuning_blind18.yml \
               tests/eval/tuning_blind19.yml tests/eval/tuning_blind20.yml tests/eval/tuning_blind21.yml \
               tests/eval/tuning_blind22.yml tests/eval/tuning_blind23.yml tests/eval/tuning_blind24.yml tests/eval/tuning_blind25.yml \
               tests/eval/tuning_blind26.yml tests/eval/tuning_blind27.yml tests/eval/tuning_blind28.yml tests/eval/tuning_blind29.yml \
               tests/eval/tuning_blind30.yml tests/eval/tuning_blind31.yml tests/eval/tuning_blind32.yml tests/eval/tuning_blind33.yml \
               tests/eval/tuning_blind34.yml tests/eval/tuning_blind35.yml tests/eval/tuning_blind36.yml tests/eval/tuning_blind37.yml \
               tests/eval/tuning_blind38.yml
HELDOUT_SETS := tests/eval/heldout.yml tests/eval/heldout_blind.yml tests/eval/heldout_blind2.yml tests/eval/heldout_blind3.yml \
                tests/eval/heldout_blind4.yml tests/eval/heldout_blind5.yml tests/eval/heldout_blind6.yml tests/eval/heldout_blind7.yml \
                tests/eval/heldout_blind8.yml tests/eval/heldout_blind9.yml tests/eval/heldout_blind10.yml \
                tests/eval/heldout_blind11.yml tests/eval/heldout_blind12.yml tests/eval/heldout_blind13.yml tests/eval/heldout_blind14.yml
eval: install $(INDEX) $(MODEL)
	$(KBPY) -m tests.eval.run $(foreach s,$(TUNING_SETS) $(HELDOUT_SETS),--set $(s))

tune: install $(INDEX)
	$(KBPY) -m tests.eval.tune $(foreach s,$(TUNING_SETS),--set $(s))

# The answer-or-decline decision, learned from the tuning sets (bot/kb/calibration.json, committed).
calibrate: install $(INDEX)
	$(KBPY) -m tests.eval.calibrate $(foreach s,$(TUNING_SETS),--set $(s))

clean:
	rm -rf models/index models/rasa models/rasa_test models/eval

# Delete conversations idle for longer than the retention period (default 30 days; DAYS=N to change).
purge-conversations: $(KB_VENV)/.installed
	$(KBPY) -m bot.ops.retention $(if $(DAYS),--days $(DAYS),)
