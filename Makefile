# Isohold: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The venv is (re)synced whenever the lock file changes.
SYNCED := $(VENV)/.synced
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint chromium vendor lock clean bench

$(SYNCED): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@touch $@

# Locally, background tasks (alert emails) run at once and print to the console;
# production runs `manage.py db_worker` beside the web server instead.
run: $(SYNCED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	TASKS_BACKEND=immediate $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; Playwright cannot download its own here.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

lint: $(SYNCED)
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

test: $(SYNCED) chromium lint
	$(BIN)/pytest

# Not part of `make test`: PostgreSQL (DATABASE_URL, default the local isohold_bench), the
# generated clinic chain (5,000 patients, 1,000,000 sessions; made once, ~10 minutes),
# gunicorn on loopback, and the table in bench/RESULTS.md.
bench: $(SYNCED)
	$(BIN)/python bench/run.py

# Maintainers only: refresh pinned front-end files or the Python lock.
vendor:
	./scripts/vendor-assets.sh

lock:
	uv pip compile pyproject.toml --group test --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
