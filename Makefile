# `make reproduce` and `make test` work on a fresh machine: each makes .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reproduce smoke test test-slurm gpu-check check-config bench lint report results notebook clean

# The tested versions (constraints.txt, torch 2.13.0 among them) over pyproject.toml's ranges.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,reports]"
	touch $(STAMP)

# Each checks its config first (a YAML error with its file and line), then runs.
reproduce: $(STAMP)
	$(BIN)/python -m regimes.pipeline.config config.yaml
	$(BIN)/snakemake --cores all

smoke: $(STAMP)
	$(BIN)/python -m regimes.pipeline.config config/smoke.yaml
	$(BIN)/snakemake --cores all --configfile config/smoke.yaml

# The linter and formatter (ruff, pyproject.toml), then the test suite without the SLURM test (which
# installs Debian's slurm packages when run as root), on
# two workers: the workflow tests (one smoke run, shared) on one, the module tests beside them.
test: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/python -m pytest -q -m "not slurm" -n 2 --dist loadgroup

# The SLURM test alone: a one-node cluster on localhost, the smoke config through it (CI runs it too).
test-slurm: $(STAMP)
	$(BIN)/python -m pytest -q -m slurm

# On a machine with a CUDA GPU: the CUDA tests, then the paper tier in miniature through profiles/gpu
# and a paper-scale step timed on the GPU against the CPU (tools/gpu_check.py).
gpu-check: $(STAMP)
	$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'make gpu-check needs a CUDA device; torch ' + torch.__version__ + ' sees none here')"
	$(BIN)/python -m pytest -q -rA tests/test_gpu.py
	$(BIN)/python tools/gpu_check.py

# Check config files before a run: make check-config CONFIG="config.yaml my.yaml"
check-config: $(STAMP)
	$(BIN)/python -m regimes.pipeline.config $(or $(CONFIG),config.yaml config/smoke.yaml)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Snakemake's own HTML report of the default run (report.html): claims, figures and tables.
report: $(STAMP)
	$(BIN)/snakemake --report report.html

# docs/results.md and docs/figures/ from the default run (run make reproduce first) and make bench's table.
results: $(STAMP)
	$(BIN)/python tools/write_results.py .

# The examples' notebook run in order, its outputs saved (the tests check a fresh run prints the same).
# To open it in Jupyter: $(BIN)/pip install -e ".[notebook]"
notebook: $(STAMP)
	$(BIN)/python tools/run_notebook.py examples/api_tour.ipynb

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results figures logs runs benchmarks/jobs .snakemake
