# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/siamlabel
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14

.PHONY: run test install frontend clean bench-reliability

$(STAMP): requirements.txt requirements-test.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

install: $(STAMP)

frontend:
	$(MAKE) -C frontend build

run: install frontend
	$(PY) manage.py serve

test: install frontend
	$(MAKE) -C frontend test
	$(PY) scripts/check_services.py $(TEST_DATABASE_URL) $(TEST_BROKER_URL)
	DEBUG=0 SECRET_KEY=test-only-secret DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(PY) -m pytest $(PYTEST_ARGS)

# Issue 8's figures (docs/reliability.md): the load run, the long fault runs, the long schema fuzz.
# Results land in var/bench/ as JSON; each prints its table.
bench-reliability: install frontend
	mkdir -p var/bench
	$(PY) bench/reliability/load.py --out var/bench/load.json
	$(PY) bench/reliability/faults.py --out var/bench/faults.json
	SIAMLABEL_FUZZ_EXAMPLES=$${SIAMLABEL_FUZZ_EXAMPLES:-100} DEBUG=0 SECRET_KEY=test-only-secret \
		DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(PY) -m pytest tests/security/test_schema_fuzz.py -q -p no:cacheprovider

clean:
	rm -rf $(VENV) var frontend/node_modules annotator/static/annotator/dist
