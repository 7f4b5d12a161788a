# Two entry points do all the set-up on a fresh machine:
#   make run   - the main job (a bundled forward/backward profile against the simulator)
#   make test  - every check: lint, format, types, import contracts, tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check lint typecheck contracts pytest system-deps bench clean

# Until the workout runner exists, the main job decodes a real Treadmill Data record (a Life
# Fitness treadmill at 13.03 km/h, from TrackMyIndoorWorkout's tests); see docs/ftms-decode.md.
RUN_SAMPLE := 9e0517059202fb00000000ff7f7c00ff7f1b00ffffff698a00

run: $(STAMP)
	$(BIN)/retrorun ftms decode treadmill-data $(RUN_SAMPLE)

test: $(STAMP) system-deps check

check: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

system-deps:
	@scripts/ensure-system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
