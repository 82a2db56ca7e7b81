# The two commands in README.md: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint typecheck unit bench clean install chromium

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

## Benchmarks, each figure beside its goal (docs/performance.md): the saga on the local engine, the
## local stack over HTTP, the stack under load (100 guests at once), DynamoDB with 10,000 items.
bench: $(STAMP)
	$(BIN)/python benchmarks/saga_bench.py
	$(BIN)/python benchmarks/stack_bench.py
	$(BIN)/python benchmarks/load_bench.py
	$(BIN)/python benchmarks/dynamodb_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
