# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python

.PHONY: run test install install-test lint security format migrate stop ci bench

run: install
	$(PY) scripts/run.py

# Provisioning the database roles is an explicit step; pytest then runs as them.
test: install-test
	$(PY) -m kra_platform.database
	$(PY) -m pytest $(PYTEST_ARGS)

install: .venv/.synced node_modules/.installed
	@scripts/system_deps.sh run

install-test: install
	@scripts/system_deps.sh test

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || test -x $(UV) || python3 -m pip install --quiet --user uv
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: install security
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m kra_platform.database
	$(PY) manage.py makemigrations --check --dry-run

# bandit: medium findings are shown for information, a high one fails. A finding that is
# not a problem gets a "# nosec BXXX" comment on its line saying why.
BANDIT := $(PY) -m bandit -q -r kra_platform orgs roles kras kpis reviews -x '*/migrations/*,*/tests/*'
security: install
	$(BANDIT) -ll --exit-zero
	$(BANDIT) -lll

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrate: install
	$(PY) -m kra_platform.database
	KRA_DB_AS_OWNER=1 $(PY) manage.py migrate

stop:
	$(PY) -c "from kra_platform import embedded; embedded.stop()"

# The budgets of docs/PERFORMANCE.md: builds (or reuses) the scale tenant of 10,000 people,
# times the full rollup against the bare GROUP BY floor and the pages against gunicorn.
# The same database as `make run` (embedded unless DATABASE_ADMIN_URL / DATABASE_URL are
# set); BENCH_ARGS passes options (e.g. BENCH_ARGS="--requests 100").
bench: install
	$(PY) -m kra_platform.database
	KRA_DB_AS_OWNER=1 $(PY) manage.py migrate --no-input
	KRA_DB_AS_MAINTENANCE=1 $(PY) manage.py bench $(BENCH_ARGS)

ci: lint test
