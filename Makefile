# Two commands: `make run` (set up everything and run the site with its workers) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist processes for `make test`: each has its own test database, Redis, worker and Chromium.
# 0 runs the suite in one process.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format typecheck layers install migrations-check fuzz bench clean

# Development installs both files; the Docker image installs requirements.txt only.
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

run: install
	$(BIN)/python -m tools.dev

# Every check and the suite; prints how long it all took. The checks run beside pytest, which leaves
# the CPUs idle while it waits on its browser and workers; their output follows the suite's.
test: install
	@start=$$(date +%s); checks=$$(mktemp); \
	$(MAKE) --no-print-directory lint layers typecheck migrations-check >$$checks 2>&1 & checker=$$!; \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS); \
	status=$$?; \
	wait $$checker; checked=$$?; \
	echo "--- lint, layers, typecheck, migrations-check (exit status $$checked)"; cat $$checks; rm -f $$checks; \
	[ $$status -ne 0 ] || status=$$checked; \
	echo "make test: $$(( $$(date +%s) - start )) s, exit status $$status"; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One-way dependencies between the apps (the contracts are in pyproject.toml).
layers: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Many more random Hypothesis examples than `make test` runs, kept in .hypothesis/ between runs.
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/grading -p no:django -o addopts="" \
		-W ignore::pytest.PytestConfigWarning $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m grading.bench
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.dashboards
	$(BIN)/python -m bench.waiting_students --compare-sync 3
	$(BIN)/python -m bench.recovery

clean:
	rm -rf var .pytest_cache
