# Quick start: `make run` (demo on SQLite, background work without Redis) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STANDIN_PORT ?= 8001
CHROMIUM ?= /usr/bin/chromium
# `make bench` soaks briefly; the full run: `make bench SOAK_MINUTES=10` or `python bench/soak.py`.
SOAK_MINUTES ?= 1

.PHONY: run test install install-dev chromium lint format messages bench clean

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

## A developer's .env, so manage.py works by hand too; production copies .env.example instead.
.env:
	@printf '# Development settings written by make (see .env.example for production).\nDEBUG=true\n' > $@

install: $(VENV)/.runtime .env
install-dev: $(VENV)/.dev .env

## Set up everything, load the demo and serve http://127.0.0.1:$(PORT) with a worker and beat, and a
## stand-in for the platform APIs on port $(STANDIN_PORT) that the real Twilio, Meta and X clients call.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@mkdir -p var
	@export PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) STANDIN_URL=http://127.0.0.1:$(STANDIN_PORT); \
	$(PY) manage.py run_standin --port $(STANDIN_PORT) & standin=$$!; \
	$(PY) -m celery -A webcare worker --beat --pool=solo --loglevel=warning \
		--schedule=var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker $$standin 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite: SQLite by default; DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
test: install-dev chromium
	$(PY) -m pytest

## Browser tests drive Debian's Chromium; install it when we can, else say what to install.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM)."; \
			echo "Install it with: sudo apt-get install chromium (or set CHROMIUM=/path/to/chromium)"; \
			exit 1; \
		fi; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Compile translations (.po -> .mo) without needing GNU gettext.
messages: install-dev
	$(PY) -m webcare.lib.compile_messages

## Every benchmark, one after the other, then one table of figures and targets (bench/all.py). They need
## PostgreSQL on 127.0.0.1:5432 (role webcare/webcare); as root we install and start it when it is missing.
bench: install-dev
	@if ! $(PY) -c "import psycopg2; psycopg2.connect('postgres://webcare:webcare@127.0.0.1:5432/postgres').close()" 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			bash .ci/services >/dev/null; \
		else \
			echo "The benchmarks need PostgreSQL on 127.0.0.1:5432 with a superuser role webcare (password webcare)."; \
			echo "Install and start it, e.g.: sudo apt-get install postgresql redis-server && sudo bash .ci/services"; \
			exit 1; \
		fi; \
	fi
	SOAK_MINUTES=$(SOAK_MINUTES) $(PY) bench/all.py

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
