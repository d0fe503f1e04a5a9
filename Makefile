# SMO: `make run` starts everything on this machine; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test lint bench clean

$(VENV)/.run-deps: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: the app, worker and beat in the foreground (Ctrl-C stops all three).
run: $(VENV)/.run-deps
	mkdir -p var
	@sh bin/ensure-ffmpeg
	@sh bin/ensure-chartjs
	$(PY) -m smo.envfile
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true PORT=$(PORT) $(PY) manage.py smo_setup
	DEBUG=true PORT=$(PORT) exec $(PY) -m smo.runall --port $(PORT)

## test: install what the tests need, then run the whole suite.
test: $(VENV)/.test-deps
	mkdir -p var
	@sh bin/ensure-chromium
	@sh bin/ensure-ffmpeg
	@sh bin/ensure-bluesky-pds
	@sh bin/ensure-chartjs
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: every benchmark (bench/run.py) in about 15 minutes; QUICK=1 runs each part
## small in about 3. Prints a table and writes bench/results/latest.json.
bench: $(VENV)/.test-deps
	mkdir -p var
	$(PY) -m bench.run $(if $(QUICK),--mode quick) $(BENCH_ARGS)

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache
