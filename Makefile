# The two commands in README.md: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# uv installs the pins (12 s from a cold cache, where pip took 40 s); pip only brings uv itself.
# --compile-bytecode as pip does: the sandbox sets PYTHONDONTWRITEBYTECODE, so without .pyc
# files every test process would compile boto3, moto and the rest again on import.
UV := uv==0.13.8
UV_STAMP := $(VENV)/.uv
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode
# checkov pins boto3/botocore/packaging below this project's pins: its own venv, inside ours.
CHECKOV := checkov==3.3.30
CHECKOV_VENV := $(VENV)/checkov

.PHONY: run reset demo executions test lint typecheck unit bench clean install chromium checkov checkov-scan deploy destroy admin migrate-managers migrate-bookings rebuild-projection

install: $(STAMP)

## The venv gets no pip of its own (ensurepip took 3 s): this Python's pip puts uv into it,
## or, where this Python has no pip, the venv's own from ensurepip does.
$(UV_STAMP): Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check '$(UV)' \
		|| ($(BIN)/python -m ensurepip && $(BIN)/python -m pip install --quiet '$(UV)')
	@touch $@

$(STAMP): pyproject.toml $(UV_STAMP)
	$(UV_INSTALL) --python $(BIN)/python -e ".[local,dev,service]"
	@touch $@

## Run the whole system locally: AWS emulated on loopback, API, web pages, mailbox.
## Its data is kept in .localaws/state/ across restarts; RESET=1 starts clean.
## The log is one line per API request, Lambda invocation and state transition; VERBOSE=1 adds
## every web request, each invocation's output and the rest of the history events.
run: $(STAMP)
	$(BIN)/python -m devstack run $(if $(RESET),--reset,) $(if $(VERBOSE),--verbose,)

## Forget the data `make run` kept: the next start is a fresh stack with the demo data.
reset: $(STAMP)
	$(BIN)/python -m devstack reset

## One booking through the saga, printed step by step.
demo: $(STAMP)
	$(BIN)/python -m devstack demo

## The support console's CLI against the running local stack (the web console: /console/).
## make executions ARGS="show <bookingId>"; ARGS="list --aws --stack-name hotel-booking" reads AWS.
ARGS ?= list
executions: $(STAMP)
	$(BIN)/python -m support_console executions $(ARGS)

## The whole test suite: lint, types, unit, saga (local Step Functions), API, stack, browser, cfn-lint,
## IAM audit (parliament + every call checked against its role), checkov.
## Worker processes, each with its own local stack (tests/conftest.py); a file's tests stay
## together on one worker. Three on two cores: one worker's waits (Step Functions waits and
## retries, the browser) overlap the others' CPU (docs/performance.md: 162-176 s against
## 184 s with two). PYTEST_WORKERS=0 runs everything in this one process.
## The installs run side by side (apt, this venv, checkov's); mypy runs beside pytest, niced,
## in the third of two cores pytest leaves idle while its workers wait; its verdict prints after.
PYTEST_WORKERS ?= 3
## checkov also starts at once, niced, beside lint and pytest: its scan (12-50 s of one core)
## is done before tests/unit/template/test_checkov.py reads it, instead of holding up a worker.
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target install chromium checkov
	@$(MAKE) --no-print-directory checkov-scan &
	@$(MAKE) --no-print-directory lint
	@echo "$(BIN)/mypy (beside pytest)"; nice -n 15 $(BIN)/mypy > $(VENV)/mypy.out 2>&1 & mypy=$$!; \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile; tests=$$?; \
	wait $$mypy; types=$$?; cat $(VENV)/mypy.out; test $$tests -eq 0 -a $$types -eq 0

## Debian's Chromium for the browser tests (tests/e2e/browser); Playwright's downloads are never used.
chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

## checkov for tests/unit/template/test_checkov.py, isolated from the project's pins.
checkov: $(CHECKOV_VENV)/.installed

## Without .pyc files: checkov runs once per test run, and compiling all of it here beside
## the other install cost more than compiling what one run imports.
$(CHECKOV_VENV)/.installed: $(UV_STAMP)
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv --without-pip $(CHECKOV_VENV)
	$(BIN)/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python '$(CHECKOV)'
	@touch $@

## checkov over a copy of template.yaml, its JSON report beside the copy: test_checkov.py uses
## the report while the copy is the template it reads, and makes this target otherwise (the one
## place the scan is spelled). `running` holds the scanning shell's pid while it runs.
CHECKOV_SCAN := $(VENV)/checkov-scan
checkov-scan: $(CHECKOV_VENV)/.installed
	@rm -rf $(CHECKOV_SCAN) && mkdir -p $(CHECKOV_SCAN) && cp template.yaml $(CHECKOV_SCAN)/ && \
		echo $$$$ > $(CHECKOV_SCAN)/running && \
		nice -n 10 $(CHECKOV_VENV)/bin/checkov -f $(CHECKOV_SCAN)/template.yaml \
		--framework cloudformation --output json --quiet --compact --skip-download \
		> $(CHECKOV_SCAN)/report.part 2>$(CHECKOV_SCAN)/stderr.txt; \
		mv $(CHECKOV_SCAN)/report.part $(CHECKOV_SCAN)/report.json; rm -f $(CHECKOV_SCAN)/running

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

## Rebuild the search projection from the write tables (docs/operations.md): the running
## `make run` stack, or on AWS with STACK=<stack name> (and your AWS credentials).
AWS_PORT ?= 4566
rebuild-projection: $(STAMP)
	PYTHONPATH=functions $(BIN)/python -m hotel_booking.search.rebuild \
		$(if $(STACK),--stack-name "$(STACK)",--endpoint http://127.0.0.1:$(AWS_PORT))

## Benchmarks, each figure beside its goal where it has one (docs/performance.md): the saga on the
## local engine, the local stack over HTTP, the stack under load (100 guests at once), DynamoDB with
## 10,000 items, local event delivery, search projection lag, the search service through its HTTP
## API with 8 clients; each function's deployed size and cold-start import against `import boto3`.
bench: $(STAMP)
	$(BIN)/python benchmarks/saga_bench.py
	$(BIN)/python benchmarks/stack_bench.py
	$(BIN)/python benchmarks/load_bench.py
	$(BIN)/python benchmarks/dynamodb_bench.py
	$(BIN)/python benchmarks/events_bench.py
	$(BIN)/python benchmarks/search_lag_bench.py
	$(BIN)/python benchmarks/search_bench.py
	$(BIN)/python benchmarks/search_cost_bench.py
	$(BIN)/python benchmarks/calls_per_booking.py
	$(BIN)/python benchmarks/artifacts_bench.py

## Deploy to AWS (docs/deploy.md): build, push the search image, deploy the stack, publish the
## pages with their config.json. Needs Docker (the search service's image); `sam build` needs
## python3.13 on PATH, or SAM_BUILD_FLAGS=--use-container.
SAM_BUILD_FLAGS ?=
deploy: $(STAMP)
	$(BIN)/python -m deploy check
	sam build $(SAM_BUILD_FLAGS)
	$(BIN)/python -m deploy image
	sam deploy --parameter-overrides "$$(cat .aws-sam/parameter-overrides.txt)"
	$(BIN)/python -m deploy site

## Delete the stack from AWS (docs/deploy.md, "Removing it"): `make destroy` deletes the stack and
## lists what it leaves (kept tables, buckets, user pool, secret, logs; the image repository;
## hotels' topics); `make destroy CONFIRM=<stack name>` deletes those too, for good.
destroy: $(STAMP)
	$(BIN)/python -m deploy destroy $(if $(CONFIRM),--confirm "$(CONFIRM)",)

## The first administrator on AWS: make admin EMAIL=you@example.com [NAME="Your Name"]
admin: $(STAMP)
	@test -n "$(EMAIL)" || (echo "usage: make admin EMAIL=you@example.com" >&2; exit 2)
	$(BIN)/python -m deploy admin --email "$(EMAIL)" --name "$(NAME)"

## Once, after deploying issue 9 item 2 over older data: name hotels' managers by sub.
## A dry run; APPLY=1 writes (docs/managers.md).
migrate-managers: $(STAMP)
	$(BIN)/python -m deploy migrate-managers $(if $(APPLY),--apply,)

## Once, after deploying issue 23 over older bookings: put them in the byMonth index (an
## Admin's list of every booking). A dry run; APPLY=1 writes (docs/deploy.md).
migrate-bookings: $(STAMP)
	$(BIN)/python -m deploy migrate-bookings $(if $(APPLY),--apply,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
