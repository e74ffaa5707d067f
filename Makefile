# The project's interface. Every target installs what it needs first and is safe to re-run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1
export PYTHONPATH := $(CURDIR)

PYTHON ?= python3
PIPENV_VERSION := 2024.4.1
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.synced
STAMP_NODE := node_modules/.synced
# checkov pins boto3 and packaging versions that clash with the app's; it gets a venv of its own.
CHECKOV_VENV := .venv-checkov
STAMP_CHECKOV := $(CHECKOV_VENV)/.synced
export CHECKOV_BIN := $(CURDIR)/$(CHECKOV_VENV)/bin/checkov

.PHONY: help install synth test lint check-config run up down fire bootstrap push plan-report hcl bench bench-local clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: $(STAMP_PY) $(STAMP_NODE) $(STAMP_CHECKOV)  ## Install Python (pipenv), Node (npm) and checkov from lock files

$(STAMP_PY): Pipfile.lock
	@$(PYTHON) -m pipenv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user "pipenv==$(PIPENV_VERSION)" \
		|| $(PYTHON) -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	$(PYTHON) -m pipenv sync --dev
	$(PY) -c "from fargate_batch.fast_provider_import import load_assemblies; load_assemblies()"
	@touch $@

$(STAMP_NODE): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP_CHECKOV): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

synth: install  ## Synthesize every stack to cdktf.out/ (FARGATE_BATCH_TARGET=aws for a real account)
	$(PY) main.py

run: install  ## Deploy to the local AWS emulator with real terraform and run every workflow (report in .local/)
	$(PY) -m fargate_batch.local_run $(RUN_ARGS)

up: install  ## Start a local AWS in the background (emulator, ECS agent, scheduler clock); writes .local/env
	$(PY) -m fargate_batch.local_aws up

down:  ## Stop the local AWS that make up started
	@if [ -x $(PY) ]; then $(PY) -m fargate_batch.local_aws down; else echo "local AWS is not up"; fi

fire: install  ## Fire one pipeline's schedule now on the local AWS: make fire PIPELINE=<name>
	$(PY) -m fargate_batch.local_aws fire --pipeline "$(PIPELINE)"

bootstrap: install  ## First deploy, step 1: apply only the image repository (and its key); README "First deploy"
	$(PY) -m fargate_batch.push_image bootstrap

push: install  ## Build batch_container for the task platform and push the configured tag (local: record it in the emulator)
	$(PY) -m fargate_batch.push_image push

check-config: install  ## Validate config/*.toml without synthesizing
	$(PY) -m fargate_batch.config config/*.toml

test: install  ## Run every test
	$(PY) -m pytest

lint: install  ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

plan-report: install  ## Plan of the change (emulator: PLAN_BASE=<git ref> deployed first, default merge base with main) → plan-report.md
	PLAN_BASE="$(PLAN_BASE)" $(PY) -m fargate_batch.plan_report

hcl: install  ## Export every stack as plain HCL to cdktf.out/hcl/ (the way out of CDKTF)
	$(PY) -m fargate_batch.hcl_export

bench: install  ## Synthesis speed and memory: stock provider import vs. this project's
	$(PY) benchmarks/synth_bench.py

bench-local: install  ## A cold make run and a warm one after a one-line edit, side by side; the step-to-step gap
	$(PY) benchmarks/local_run_bench.py

clean:  ## Remove generated files (keeps installed dependencies)
	rm -rf cdktf.out .local plan-report.md .pytest_cache
