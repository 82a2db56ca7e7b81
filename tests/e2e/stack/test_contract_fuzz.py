"""The REST contract (api/openapi.yaml) fuzzed against the local stack with schemathesis: no
request, valid or not, anonymous or an Admin's, gets an answer of 500 or more (issue 21's goal).

Bounded and repeatable: a few examples per operation and mode, derandomized (hypothesis's
fixed seed), no example database, sent over real HTTP through the local API Gateway.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from devstack.run import LocalStack

CONTRACT = Path(__file__).parents[3] / "api" / "openapi.yaml"
EXAMPLES = 3  # per operation, per generation mode, per caller


def test_no_request_the_contract_describes_or_bends_gets_a_5xx(local_stack: LocalStack) -> None:
    schema = schemathesis.openapi.from_path(CONTRACT)
    admin = {"Authorization": local_stack.login("admin@example.com")}
    session = requests.Session()
    failures: list[str] = []
    sent = 0

    def check(case: Any, headers: dict[str, str]) -> None:
        nonlocal sent
        response = case.call(base_url=local_stack.api_url, session=session, headers=headers)
        sent += 1
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query or ''} -> "
                f"{response.status_code} {response.text[:200]}"
            )

    def fuzzer(strategy: Any, headers: dict[str, str]) -> Any:
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: Any) -> None:
            check(case, headers)

        return fuzz

    started = time.perf_counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for headers in ({}, admin):
                fuzzer(operation.as_strategy(generation_mode=mode), headers)()
    print(f"{sent} requests, {len(operations)} operations, {time.perf_counter() - started:.1f} s")
    assert len(operations) >= 15 and sent >= len(operations) * 2
    assert failures == [], "\n".join(failures)
