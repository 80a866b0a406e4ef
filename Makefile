# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/siamlabel
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14

.PHONY: run test install frontend clean

$(STAMP): requirements.txt requirements-test.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(STAMP)

install: $(STAMP)

frontend:
	$(MAKE) -C frontend build

run: install frontend
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve

test: install frontend
	$(MAKE) -C frontend test
	$(PY) scripts/check_services.py $(TEST_DATABASE_URL) $(TEST_BROKER_URL)
	DEBUG=0 SECRET_KEY=test-only-secret DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var frontend/node_modules annotator/static/annotator/dist
