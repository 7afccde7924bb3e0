# `make reproduce` and `make test` work on a fresh machine: each makes .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reproduce smoke test bench lint report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,reports]"
	touch $(STAMP)

reproduce: $(STAMP)
	$(BIN)/snakemake --cores all

smoke: $(STAMP)
	$(BIN)/snakemake --cores all --configfile config/smoke.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results figures logs benchmarks/jobs .snakemake
