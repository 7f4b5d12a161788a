# Two entry points do all the set-up on a fresh machine:
#   make run   - the main job (a bundled forward/backward profile against the simulator)
#   make test  - every check: lint, format, types, import contracts, tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-slow test-ble check lint typecheck contracts pytest system-deps bench clean

# The main job: a bundled forward/backward workout (34 minutes, 16 turns) on the built-in
# treadmill simulator, in the TUI (docs/tui.md); q asks, then stops the belt, and the summary
# follows. The same as lines, 20x faster: retrorun run one-minute-alternation --sim
# --headless --speedup 20 (docs/session.md).
RUN_PROFILE := one-minute-alternation

# Exit code 3 means the runner stopped the session (q, Ctrl-C): a normal end, not an error
# of make. Every other non-zero code still fails.
run: $(STAMP)
	$(BIN)/retrorun run $(RUN_PROFILE) --sim || [ $$? -eq 3 ]

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

# The slow tier: randomized campaigns of over a thousand whole sessions (docs/performance.md).
test-slow: $(STAMP) system-deps
	$(BIN)/pytest -m slow

# The real Bluetooth path: a small virtual machine (built once from Debian and PyPI packages,
# cached in .cache/ble-vm) runs BlueZ, and retrorun's device layer against
# `retrorun sim --ble vhci` inside it (docs/simulator.md).
test-ble: $(STAMP)
	@scripts/ensure-system-deps ble-vm
	scripts/ble-vm/run

bench: $(STAMP)
	$(BIN)/python -m benchmarks

system-deps:
	@scripts/ensure-system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test,ble-sim]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
