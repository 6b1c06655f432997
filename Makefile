# Tandem — the two commands: `make run` (demo) and `make test` (the whole suite).
PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench lint messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

NODE_STAMP := node_modules/.installed-stamp

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# The demo runs as in production — DEBUG off: the branded error pages, compressed static
# files — but over plain HTTP on this machine, so HTTPS-only cookies, the redirect and HSTS
# are off for it. Each can still be set from the environment.
DEMO_ENV := DEBUG=$${DEBUG:-0} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} \
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0} \
	SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0}

run: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://127.0.0.1:8000 (web, worker, presence sweeper). Ctrl-C stops."
	$(DEMO_ENV) REDIS_URL=$${REDIS_URL:-$$($(PY) -m server.localredis)} PYTHON=$(PY) $(VENV)/bin/honcho start -f Procfile

test: install
	$(PY) -m server.check_services
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages -l fr --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
