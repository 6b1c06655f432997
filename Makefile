# Tandem — the two commands: `make run` (demo) and `make test` (the whole suite).
PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Every Python package, pinned with its hashes: runtime, tests, lint and the build backend.
LOCK := requirements/lock.txt

.PHONY: install lock run test bench lint messages clean

# Exactly the locked files (pip refuses any whose hash differs), then Tandem itself.
# `pip check` catches a dependency added to pyproject.toml but not yet locked.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $(STAMP)

# Refresh the lock after changing the dependencies in pyproject.toml (pins kept where they
# still fit); `make lock LOCK_ARGS=--upgrade` moves every pin to the newest allowed release.
lock:
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip-tools>=7.4"
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
		--extra test --extra lint --strip-extras --no-emit-index-url --no-emit-find-links \
		$(LOCK_ARGS) --output-file $(LOCK) pyproject.toml

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

# mypy reads its configuration, and the modules not yet checked, from pyproject.toml.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

messages: install
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages -l fr --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
