# loopline — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
# the C twins of the detectors are built by pip install: a changed C file reinstalls too
CSRC   := $(sort $(wildcard privacy/*.c privacy/*.h privacy/detectors/*.c))
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(CSRC) | sha256sum | cut -c1-12)
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

.PHONY: setup
setup: $(STAMP) system-deps ## Install everything (venv, Python packages, kcat, prometheus); safe to run twice

$(STAMP): pyproject.toml $(CSRC) | build-deps
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first and pinned: a looser requirement would pull a multi-GB CUDA build
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

.PHONY: build-deps
build-deps: ## Debian packages to build the detectors' C twins: gcc and the Python headers, when missing
	@missing=""; \
	command -v cc >/dev/null || missing="$$missing gcc libc6-dev"; \
	python3 -c "import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
	  || missing="$$missing python3-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

.PHONY: system-deps
system-deps: ## Debian packages: kcat (outside Kafka client), prometheus (promtool, server)
	@missing=""; \
	command -v kcat >/dev/null || missing="$$missing kcat"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

.PHONY: demo
demo: setup ## The main job: embedded broker + all workers + simulator, then a summary
	$(VENV)/bin/loopline demo

CI_FUZZ_RUNS ?= 3000

.PHONY: test
test: setup lint ## Lint, unit/integration/e2e tests (starts the broker and Prometheus itself), bounded fuzzing
	$(PY) -m pytest -q --doctest-modules --ignore=loopline/__main__.py topics privacy lake pipelines jobs loopline tests
	$(MAKE) --no-print-directory fuzz-atheris FUZZ_RUNS=$(CI_FUZZ_RUNS)

.PHONY: test-unit
test-unit: setup ## Unit tests only (fast)
	$(PY) -m pytest -q tests/unit

.PHONY: lint
lint: setup ## ruff, mypy and the import-layering contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

$(BENCH_STAMP): $(STAMP)
	$(PIP) install --quiet -e '.[dev,bench]'
	@rm -f $(VENV)/.bench-* && touch $@

.PHONY: bench
bench: setup $(BENCH_STAMP) ## Benchmarks against their baselines in the same run -> bench/results.json
	$(PY) -m bench

# --- proof harness (docs/proof.md) ---------------------------------------------------------------
CHAOS_EVENTS ?= 100000
CHAOS_KILLS  ?= 10
CHAOS_STALLS ?= 3
CHAOS_RATE   ?= 1000

.PHONY: chaos
chaos: setup ## Kill -9 workers + stall the broker on CHAOS_EVENTS events, then count every record (ALL-RECORDS-DELIVERED)
	$(VENV)/bin/loopline chaos --events $(CHAOS_EVENTS) --kills $(CHAOS_KILLS) --stalls $(CHAOS_STALLS) --rate $(CHAOS_RATE)

FUZZ_RUNS     ?= 20000
FUZZ_EXAMPLES ?= 1000
FUZZ_TARGETS  := decode_event edge_guard policy catalogue slo_definitions masking masking_ascii
FUZZ_STAMP    := $(VENV)/.fuzz-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

$(FUZZ_STAMP): $(STAMP)
	$(PIP) install --quiet -e '.[dev,fuzz]'
	@rm -f $(VENV)/.fuzz-* && touch $@

.PHONY: fuzz
fuzz: setup $(FUZZ_STAMP) ## hypothesis (FUZZ_EXAMPLES per property, random) + atheris (FUZZ_RUNS inputs per target)
	LOOPLINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) LOOPLINE_FUZZ_RANDOM=1 $(PY) -m pytest -q -p no:cacheprovider tests/fuzz
	$(MAKE) --no-print-directory fuzz-atheris FUZZ_RUNS=$(FUZZ_RUNS)

.PHONY: fuzz-atheris
fuzz-atheris: setup $(FUZZ_STAMP) ## Only the coverage-guided fuzzer (atheris), FUZZ_RUNS inputs per target
	@mkdir -p build/fuzz; failed=""; for t in $(FUZZ_TARGETS); do \
	  $(PY) tests/fuzz/atheris_fuzz.py $$t -runs=$(FUZZ_RUNS) -artifact_prefix=build/fuzz/$$t- >build/fuzz/$$t.log 2>&1 \
	    || failed="$$failed $$t"; \
	  echo "atheris $$t: $$(grep -hE '^Done|^SUMMARY' build/fuzz/$$t.log | tail -1)"; \
	done; \
	if [ -n "$$failed" ]; then echo "atheris found crashes in:$$failed (inputs and logs in build/fuzz/)"; exit 1; fi

SOAK_DURATION_S ?= 1800
SOAK_RATE       ?= 200
SOAK_STAMP      := $(VENV)/.soak-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

$(SOAK_STAMP): $(STAMP)
	$(PIP) install --quiet -e '.[dev,soak]'
	@rm -f $(VENV)/.soak-* && touch $@

.PHONY: soak
soak: setup $(SOAK_STAMP) ## Fixed-rate run (SOAK_DURATION_S, default 30 min): RSS, lag, state size per worker -> build/soak/soak.{csv,png}
	$(VENV)/bin/loopline soak --duration-s $(SOAK_DURATION_S) --rate $(SOAK_RATE) --out build/soak

.PHONY: schemas
schemas: setup ## Write JSON Schemas and the AsyncAPI document to build/schemas
	$(VENV)/bin/loopline topics schemas --out build/schemas

.PHONY: clean
clean: ## Stop the embedded broker and remove the state directory and caches
	-$(VENV)/bin/loopline broker stop
	rm -rf .loopline build .pytest_cache .mypy_cache .ruff_cache
