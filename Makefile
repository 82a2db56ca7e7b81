# The two commands in README.md: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo executions test lint typecheck unit bench clean install chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[local,dev]"
	@touch $(STAMP)

## Run the whole system locally: AWS emulated on loopback, API, web pages, mailbox.
run: $(STAMP)
	$(BIN)/python -m localaws run

## One booking through the saga, printed step by step.
demo: $(STAMP)
	$(BIN)/python -m localaws demo

## The support console's CLI against the running local stack (the web console: /console/).
## make executions ARGS="show <bookingId>"; ARGS="list --aws --stack-name hotel-booking" reads AWS.
ARGS ?= list
executions: $(STAMP)
	$(BIN)/python -m support_console executions $(ARGS)

## The whole test suite: lint, types, unit, saga (local Step Functions), API, stack, browser, cfn-lint.
test: $(STAMP) chromium lint typecheck
	$(BIN)/python -m pytest

## Debian's Chromium for the browser tests (tests/browser); Playwright's downloads are never used.
chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

## Benchmarks: the saga on the local engine, the local stack over HTTP, local event delivery (figures in docs/performance.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/saga_bench.py
	$(BIN)/python benchmarks/stack_bench.py
	$(BIN)/python benchmarks/events_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
