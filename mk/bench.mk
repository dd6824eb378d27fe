# `make bench`: latency vs Rasa's floor, throughput at 1/4/16 visitors, index build vs raw encode,
# knowledge at scale (10k/100k/1M synthetic vectors), RSS. Writes models/bench/results.json + bench.png;
# see docs/bench.md. Localhost only, every phase bounded in time and count; about 8-10 minutes.
.PHONY: bench bench-quick
bench: install $(INDEX) $(MODEL)
	$(KBPY) -m tests.bench.run

# A smoke run (small levels, no 1M set), about 3 minutes; numbers are not for the docs.
bench-quick: install $(INDEX) $(MODEL)
	$(KBPY) -m tests.bench.run --quick --out models/bench-quick
