# `make run` and `make test` are the two commands of the README. Everything else wraps `omo`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run demo collect build serve status test clean bench bench-quick bench-hf bench-identity

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## collect every source (offline: the packaged price list), build, publish, open the dashboard
run: install
	-$(BIN)/omo collect all
	$(BIN)/omo build
	$(BIN)/omo serve

## no network or tokens? every page populated with generated sample data, in data-demo/ (never data/)
demo: install
	$(BIN)/omo demo

collect: install
	$(BIN)/omo collect all

build: install
	$(BIN)/omo build

serve: install
	$(BIN)/omo serve

status: install
	$(BIN)/omo status

test: install
	$(BIN)/python -m pytest -q

## every benchmark at full scale (slow: 2 M models); figures appended to BENCHMARKS.md
bench: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.report

## the same at CI size (a smoke test: the figures are not judged)
bench-quick: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.report --quick

## Hub collector throughput against huggingface_hub peers, on pages replayed from 127.0.0.1
bench-hf: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.hf_throughput

## model-identity match rates on the real samples in ../shared/data (served from 127.0.0.1)
bench-identity: install
	$(BIN)/python -m bench.identity_rates

clean:
	rm -rf $(VENV) data data-demo .pytest_cache
