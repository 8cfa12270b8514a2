# Two commands: `make run` and `make test` (see README). Everything else is a helper.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
DEMO_DIR ?= data/demo
DEMO_SPANS ?= 20000
DEMO_SEED ?= 42
SPANS ?=
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR ?= $(CURDIR)
export LLM_COST_DUCKDB ?= $(CURDIR)/llm_cost.duckdb

# A glob or a directory of OTLP JSON files; the demo set when SPANS is not given.
ifeq ($(strip $(SPANS)),)
SPANS_GLOB := $(DEMO_DIR)/spans/*.json*
else
SPANS_GLOB := $(if $(wildcard $(SPANS)/.),$(SPANS)/*.json*,$(SPANS))
endif
# The provider report pages (README "Reconciliation"): the demo's with the demo set, REPORTS=<glob or folder> else.
REPORTS ?=
ifeq ($(strip $(REPORTS)),)
REPORTS_GLOB := $(DEMO_DIR)/provider_reports/*.json
else
REPORTS_GLOB := $(if $(wildcard $(REPORTS)/.),$(REPORTS)/*.json,$(REPORTS))
endif
# the marts' read-only copy for dashboards and BI tools (README "Dashboards and BI tools")
PUBLISH_PATH ?= $(patsubst %.duckdb,%.published.duckdb,$(LLM_COST_DUCKDB))
DBT_VARS := {otel_spans_path: "$(SPANS_GLOB)", provider_reports_path: "$(REPORTS_GLOB)", unpriced_severity: warn, publish_path: "$(PUBLISH_PATH)"}

.PHONY: run test venv bqemulator demo build summary clean

# uv (pinned, in a venv of its own) makes every venv below from the same pinned lock files as pip would, in seconds
# rather than a minute each (it installs side by side and does not byte-compile: Python compiles what it imports).
# --seed puts pip in each venv too, for the commands the docs show.
UV_VENV ?= .venv-uv
UV := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.9
$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
# a venv at $(1) on the Python $(2), with the packages of requirements file $(3) pinned by lock file $(4)
# $(5): extra install flags. The dbt venv is installed with --compile-bytecode: uv skips the .pyc files pip writes,
# and where PYTHONDONTWRITEBYTECODE is set nothing writes them later, so every dbt process compiled dbt and pandas from
# source again (importing them: 3.4 s against 1.6 s; a 1M incremental run 10.9 s -> 8.5 s, bench/RESULTS.md).
define make_venv
	$(UV) venv --quiet --seed --allow-existing --python "$(2)" $(1)
	$(UV) pip install --quiet $(5) --python $(1)/bin/python -r $(3) -c $(4)
endef

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements.lock | $(UV)
	@echo "==> creating $(VENV) with pinned dependencies"
	$(call make_venv,$(VENV),$(PYTHON),requirements.txt,requirements.lock,--compile-bytecode)
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

profiles.yml:
	cp profiles.example.yml profiles.yml

demo: venv
	@if [ -z "$(strip $(SPANS))" ] && { [ ! -f "$(DEMO_DIR)/truth/manifest.json" ] || [ ! -f "$(DEMO_DIR)/truth/provider_reports.json" ]; }; then \
		echo "==> generating the demo span set ($(DEMO_SPANS) spans) into $(DEMO_DIR)"; \
		$(PY) -m llm_cost generate --spans $(DEMO_SPANS) --seed $(DEMO_SEED) --out $(DEMO_DIR); \
	fi

build: venv profiles.yml demo
	@echo "==> building on DuckDB: $(LLM_COST_DUCKDB)"
	$(DBT) seed --quiet
	$(DBT) build --vars '$(DBT_VARS)'

summary: venv
	$(PY) -m llm_cost summary --duckdb "$(LLM_COST_DUCKDB)"

run: build summary

# Great Expectations suites on the built file (after `make run`); Data Docs in $(DATA_DOCS), non-zero exit on any failure.
DATA_DOCS ?= target/data_docs
.PHONY: validate
validate: venv
	$(PY) -m llm_cost validate --duckdb "$(LLM_COST_DUCKDB)" --docs "$(DATA_DOCS)"

# The dbt docs site of the built marts (after `make run`): one self-contained page, target/static_index.html, that a
# browser opens as a file (each mart's grain and columns, which metric answers which question: models/overview.md).
.PHONY: docs
docs: venv profiles.yml
	$(DBT) docs generate --static --vars '$(DBT_VARS)'
	@echo "==> open target/static_index.html"

# The BigQuery emulator (tests/bqemulator) in a venv of its own: it pins another duckdb than dbt-duckdb's.
BQEMU_VENV ?= .venv-bqemulator
export LLM_COST_BQEMULATOR := $(CURDIR)/$(BQEMU_VENV)/bin/bqemulator
bqemulator: $(BQEMU_VENV)/.installed
$(BQEMU_VENV)/.installed: tests/bqemulator/requirements.txt tests/bqemulator/requirements.lock | $(UV)
	@echo "==> creating $(BQEMU_VENV) with the BigQuery emulator"
	$(call make_venv,$(BQEMU_VENV),$(PYTHON),tests/bqemulator/requirements.txt,tests/bqemulator/requirements.lock)
	$(BQEMU_VENV)/bin/python tests/bqemulator/install_spatial.py
	touch $@

# The FOCUS validator (tests/focus) in a venv of its own: it needs Python 3.12+ and pins duckdb<2 and numpy<2.
# FOCUS_PYTHON: the first python3.12 or 3.13 that runs (on the PATH, else pyenv's versions).
FOCUS_VENV ?= .venv-focus
FOCUS_PYTHON ?= $(shell for p in python3.12 python3.13 $(HOME)/.pyenv/versions/3.12*/bin/python3 $(HOME)/.pyenv/versions/3.13*/bin/python3; do if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v "$$p"; break; fi; done)
export LLM_COST_FOCUS_VALIDATOR := $(CURDIR)/$(FOCUS_VENV)/bin/focus-validator
.PHONY: focus-validator
focus-validator: $(FOCUS_VENV)/.installed
$(FOCUS_VENV)/.installed: tests/focus/requirements.txt tests/focus/requirements.lock | $(UV)
	@if [ -z "$(FOCUS_PYTHON)" ]; then echo "focus-validator needs Python 3.12 or newer: set FOCUS_PYTHON=/path/to/python3.12" >&2; exit 2; fi
	@echo "==> creating $(FOCUS_VENV) with the FOCUS validator on $(FOCUS_PYTHON)"
	$(call make_venv,$(FOCUS_VENV),$(FOCUS_PYTHON),tests/focus/requirements.txt,tests/focus/requirements.lock)
	touch $@

# Apache Superset (tests/superset) for the BI test (tests/pytest/test_superset.py) in a venv of its own: it pins
# SQLAlchemy 1.4 and its own numpy and pandas. Its metadata database is prepared here once (migrations, roles and
# the test's admin user, one process of about 45 s, next to the venv's bin/), so the test copies it and only starts
# the server.
SUPERSET_VENV ?= .venv-superset
export LLM_COST_SUPERSET := $(CURDIR)/$(SUPERSET_VENV)/bin/superset
.PHONY: superset
superset: $(SUPERSET_VENV)/.installed
$(SUPERSET_VENV)/.installed: tests/superset/requirements.txt tests/superset/requirements.lock \
		tests/superset/superset_config.py tests/superset/make_metadata.py | $(UV)
	@echo "==> creating $(SUPERSET_VENV) with Apache Superset and its metadata database"
	$(call make_venv,$(SUPERSET_VENV),$(PYTHON),tests/superset/requirements.txt,tests/superset/requirements.lock)
	$(SUPERSET_VENV)/bin/python tests/superset/make_metadata.py $(SUPERSET_VENV)/superset-metadata.db \
		>$(SUPERSET_VENV)/make_metadata.log 2>&1 || { tail -n 30 $(SUPERSET_VENV)/make_metadata.log; exit 1; }
	touch $@

# The four venvs and the lints are independent of each other (the lints need the project venv only): made side by side,
# each one's output kept together (a fresh clone here: the venvs take about 15 s with uv, then the lints beside
# Superset's metadata database).
test: profiles.yml
	@$(MAKE) --no-print-directory -j4 --output-sync=target venv bqemulator focus-validator superset browser lint
	$(PY) -m pytest tests/pytest -q -rs --durations=8 -n 2 --dist loadfile

# Debian's chromium for the dashboard's browser test (tests/pytest/test_dashboard.py): playwright drives it and never
# downloads a browser of its own. Installed with apt once (about 30 s), as root or through sudo.
CHROMIUM ?= /usr/bin/chromium
export LLM_COST_CHROMIUM := $(CHROMIUM)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
.PHONY: browser dashboard
browser:
	@test -x "$(CHROMIUM)" || { echo "==> installing Debian's chromium with apt (once, about 30 s)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$(SUDO) apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q --no-install-recommends chromium >/dev/null; }; }

# The cost explorer (README "Dashboards and BI tools") on the published copy; builds the demo first when there is none
dashboard: venv
	@test -f "$(PUBLISH_PATH)" || $(MAKE) --no-print-directory run
	$(PY) -m streamlit run llm_cost/dashboard/app.py --server.headless true --browser.gatherUsageStats false \
		-- --duckdb "$(PUBLISH_PATH)"

# ruff and mypy (config and paths in pyproject.toml); the mypy cache is gitignored (a cold run takes about 40 s).
# sqlfluff lints the dbt models (.sqlfluff, .sqlfluffignore): its dbt templater compiles them with profiles.yml on an
# in-memory DuckDB database, so it neither needs nor locks a built file.
MYPY_CACHE ?= .mypy_cache
.PHONY: lint lint-python lint-sql
lint: lint-python lint-sql
lint-python: venv
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy --cache-dir $(MYPY_CACHE)
lint-sql: venv profiles.yml
	LLM_COST_DUCKDB=:memory: $(VENV)/bin/sqlfluff lint models

clean:
	rm -rf target logs llm_cost.duckdb llm_cost.duckdb.landing llm_cost.published.duckdb $(DEMO_DIR)

# On-demand benchmark (bench/README.md), never part of run or test: make bench SIZES="1000000 10000000"
SIZES ?= 1000000
BENCH_WORK ?= bench/work
BENCH_ARGS ?=
.PHONY: bench
bench: venv profiles.yml
	$(UV) pip install --quiet --python $(PY) -r bench/requirements.txt -c requirements.lock
	$(PY) bench/run_bench.py $(foreach n,$(SIZES),--spans $(n)) --work $(BENCH_WORK) $(BENCH_ARGS)
