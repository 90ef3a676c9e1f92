# atgrant: the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run demo-code test lint format e2e bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Embedded: SQLite in var/, Celery tasks eager, e-mail to the console. Nothing else needed.
# Links in e-mails point at the address served (SITE_URL, unless set): every command of the
# recipe gets the same one, the demo's loading (its e-mails) and beat's tasks as the server.
# The periodic tasks (closing due rounds, reminders) run as in production, from Celery's beat in
# the background while the server runs (stopped with it); embedded, beat runs them itself.
RUN_SITE_URL = SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"
run: $(STAMP)
	$(RUN_SITE_URL) $(BIN)/python manage.py migrate --no-input
	$(RUN_SITE_URL) $(BIN)/python manage.py load_round_2024 --demo
	$(RUN_SITE_URL) $(BIN)/celery -A atgrant beat --loglevel=WARNING & beat=$$!; \
	trap 'kill $$beat 2>/dev/null' EXIT INT TERM; \
	$(RUN_SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The current second-factor code of the demo officer and auditor (demo secret only).
demo-code: $(STAMP)
	@$(BIN)/python manage.py demo_totp

test: $(STAMP)
	$(BIN)/python -m pytest

# The browser journeys alone (Playwright + the system Chromium; also part of `make test`).
# Screenshots and axe reports go to artifacts/.
e2e: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -m e2e tests/e2e

# Benchmarks (issues 7 and 16; README, "Benchmarks"): the engine, the whole run, each page's
# server time under gunicorn and the open-loop deadline rush (gunicorn, a Celery worker), then
# one table of the targets. About 7 minutes; needs the local PostgreSQL (127.0.0.1:5432, user
# postgres) and Redis (127.0.0.1:6379, databases 14 and 15 are emptied). Not part of CI.
# `python -m bench.all --compare DIR` measures another checkout's code first (about 12 minutes).
bench: $(STAMP)
	$(BIN)/python -m bench.all

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

# Recompile the translation catalogues (needs GNU gettext); the compiled .mo files are committed.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var \
		--ignore=artifacts --ignore=node_modules --ignore='tests/*'
	$(BIN)/python manage.py compilemessages -l en -l sv --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache

# --- Production without Docker: gunicorn, a Celery worker and beat on PostgreSQL + Redis -------
# Each reads .env when present (its values win over the shell's). DATABASE_URL, REDIS_URL,
# SECRET_KEY and ALLOWED_HOSTS must be set. See README, "Production".
.PHONY: prod-check prod-web prod-worker prod-beat prod-up prod-down compose-check
ENVFILE ?= .env
RUN_DIR := var/run
LOG_DIR := var/log
WITH_ENV = set -a; if [ -f "$(ENVFILE)" ]; then . "$(abspath $(ENVFILE))"; fi; set +a; \
	: "$${DATABASE_URL:?must be set}" "$${REDIS_URL:?must be set}" \
	  "$${SECRET_KEY:?must be set}" "$${ALLOWED_HOSTS:?must be set}";
# No gunicorn access log: atgrant.request logs each request as a JSON line with its id.
GUNICORN = $(BIN)/gunicorn atgrant.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} \
	--timeout 60
WORKER = $(BIN)/celery -A atgrant worker --loglevel INFO --concurrency $${CELERY_CONCURRENCY:-2}
BEAT = $(BIN)/celery -A atgrant beat --loglevel INFO \
	--scheduler django_celery_beat.schedulers:DatabaseScheduler
PREPARE = $(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0

# The deploy checklist with the production environment: must report no issues.
prod-check: $(STAMP)
	@$(WITH_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# One process in the foreground each (for systemd units, or three terminals).
prod-web: $(STAMP)
	@$(WITH_ENV) $(PREPARE) && exec $(GUNICORN)

prod-worker: $(STAMP)
	@$(WITH_ENV) exec $(WORKER)

prod-beat: $(STAMP)
	@$(WITH_ENV) exec $(BEAT)

# All three in the background (logs in var/log/, pids in var/run/), then wait for /healthz.
prod-up: $(STAMP)
	@mkdir -p $(RUN_DIR) $(LOG_DIR)
	@$(WITH_ENV) \
	for p in web worker beat; do \
	  if [ -f $(RUN_DIR)/$$p.pid ] && kill -0 "$$(cat $(RUN_DIR)/$$p.pid)" 2>/dev/null; then \
	    echo "$$p is already running (pid $$(cat $(RUN_DIR)/$$p.pid)); make prod-down first" >&2; exit 1; \
	  fi; \
	done; \
	$(PREPARE) || exit 1; \
	nohup $(GUNICORN) >> $(LOG_DIR)/web.log 2>&1 & echo $$! > $(RUN_DIR)/web.pid; \
	nohup $(WORKER) >> $(LOG_DIR)/worker.log 2>&1 & echo $$! > $(RUN_DIR)/worker.pid; \
	nohup $(BEAT) >> $(LOG_DIR)/beat.log 2>&1 & echo $$! > $(RUN_DIR)/beat.pid; \
	echo "started web (pid $$(cat $(RUN_DIR)/web.pid)), worker ($$(cat $(RUN_DIR)/worker.pid)), beat ($$(cat $(RUN_DIR)/beat.pid)); logs in $(LOG_DIR)/"; \
	for i in $$(seq 1 60); do \
	  if PORT=$(PORT) $(BIN)/python -m atgrant.probe web; then echo "healthy: http://$(HOST):$(PORT)/healthz"; exit 0; fi; \
	  sleep 2; \
	done; \
	echo "not healthy after 120 s; see $(LOG_DIR)/ and http://$(HOST):$(PORT)/healthz" >&2; exit 1

prod-down:
	@for p in beat worker web; do \
	  if [ -f $(RUN_DIR)/$$p.pid ]; then \
	    pid=$$(cat $(RUN_DIR)/$$p.pid); \
	    if kill -TERM "$$pid" 2>/dev/null; then \
	      for i in $$(seq 1 30); do kill -0 "$$pid" 2>/dev/null || break; sleep 1; done; \
	      echo "stopped $$p ($$pid)"; \
	    fi; \
	    rm -f $(RUN_DIR)/$$p.pid; \
	  fi; \
	done

# docker-compose.yml against the Compose Specification's JSON schema (no Docker engine needed).
compose-check: $(STAMP)
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
