"""The local Lambda runtime behaves as Lambda does where the saga depends on it."""

from __future__ import annotations

import base64
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localaws.cloud import LocalCloud
from localaws.engine.lambdas import REQUEST_PAYLOAD_LIMIT
from localaws.provision.deploy import Stack
from tests.fixtures.invocations import InvocationsSince

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runtime" / "template.yaml"


@pytest.fixture(scope="module")
def probes(cloud: LocalCloud) -> Stack:
    return cloud.deploy(FIXTURE, stack_name="probe")


def invoke(cloud: LocalCloud, name: str, event: dict[str, Any]) -> dict[str, Any]:
    resp = cloud.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event), LogType="Tail"
    )
    return {
        "error": resp.get("FunctionError"),
        "payload": json.loads(resp["Payload"].read()),
        "logs": base64.b64decode(resp.get("LogResult", "")).decode(),
    }


def test_each_function_sees_its_own_environment_even_concurrently(
    cloud: LocalCloud, probes: Stack
) -> None:
    names = [probes.ref("EnglishFunction"), probes.ref("FrenchFunction")] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: (n, invoke(cloud, n, {})), names))
    for name, result in results:
        expected = "hello" if name.endswith("EnglishFunction") else "bonjour"
        assert result["payload"]["greeting"] == expected
        assert result["payload"]["greetingAtImport"] == expected
        assert result["payload"]["functionName"] == name
        assert result["payload"]["contextName"] == name
        assert result["payload"]["accessKey"] == "testing"  # dummy credentials, never real ones
        assert result["payload"]["region"] == cloud.region
    assert "GREETING" not in os.environ  # nothing leaked into the host process


def test_invocations_reuse_a_worker_thread_each_in_a_fresh_context(
    cloud: LocalCloud, probes: Stack
) -> None:
    """A thread per invocation cost ~2.5% of the stack's CPU; workers are reused, and each
    invocation starts with the empty contextvars context a new thread would have."""
    name = probes.ref("EnglishFunction")
    first, second = (invoke(cloud, name, {})["payload"] for _ in range(2))
    assert first["thread"] == second["thread"]
    assert first["contextVarSetBefore"] is False
    assert second["contextVarSetBefore"] is False


def test_what_a_function_prints_is_its_log(cloud: LocalCloud, probes: Stack) -> None:
    result = invoke(cloud, probes.ref("FrenchFunction"), {})
    assert "greeting is bonjour" in result["logs"]


def test_a_function_past_its_timeout_is_reported_timed_out(
    cloud: LocalCloud, probes: Stack
) -> None:
    result = invoke(cloud, probes.ref("SlowFunction"), {"sleep": 2})
    assert result["error"]
    assert result["payload"]["errorType"] == "Sandbox.Timedout"
    assert "timed out after 1.00 seconds" in result["payload"]["errorMessage"]


def test_injected_faults_fail_the_next_invocations_only(cloud: LocalCloud, probes: Stack) -> None:
    name = probes.ref("EnglishFunction")
    cloud.runtime.inject_fault(name, "TransientError", "flaky", times=2)
    outcomes = [invoke(cloud, name, {})["payload"].get("errorType") for _ in range(3)]
    assert outcomes == ["TransientError", "TransientError", None]


def test_concurrent_invocations_get_containers_of_their_own(
    cloud: LocalCloud, probes: Stack
) -> None:
    name = probes.ref("FrenchFunction")
    # Registering again drops the idle containers earlier tests left (up to the cap of 4 after
    # the 8-at-once test above), so exactly one is warm when the four arrive.
    cloud.runtime.register(cloud.runtime.spec(name))
    invoke(cloud, name, {})  # at least one warm container exists
    since = InvocationsSince(cloud.runtime)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: invoke(cloud, name, {"sleep": 0.3}), range(4)))
    batch = [i for i in since() if i.function == "FrenchFunction"]
    assert len(batch) == 4
    assert sum(i.cold_start for i in batch) >= 2  # one invocation per container at a time
    later = invoke(cloud, name, {})
    assert later["payload"]["greeting"] == "bonjour"
    assert not cloud.runtime.invocations[-1].cold_start  # containers are reused when idle


def test_overlapping_invocations_keep_their_own_metrics_and_correlation_ids(
    cloud: LocalCloud, probes: Stack, tmp_path: Path
) -> None:
    # Given two invocations of one function, interleaved step by step: B adds its metric and
    # finishes (flushing its metrics) while A has added its own and is still running
    name = probes.ref("PowertoolsFunction")
    a_added, b_done = str(tmp_path / "a-added"), str(tmp_path / "b-done")
    events = [
        {"id": "booking-A", "metric": "MetricA", "signal": a_added, "then_after": b_done},
        {"id": "booking-B", "metric": "MetricB", "after": a_added, "signal": b_done},
    ]
    # When both run at once
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(lambda e: invoke(cloud, name, e), events)
    # Then each logged only its own correlation id and published only its own metric
    for result, booking, metric in ((a, "booking-A", "MetricA"), (b, "booking-B", "MetricB")):
        assert result["error"] is None, result["payload"]
        assert result["payload"]["correlationId"] == booking
        lines = [json.loads(line) for line in result["logs"].splitlines() if line.startswith("{")]
        logged = [line for line in lines if "message" in line]
        assert [line["message"] for line in logged] == ["metric added", "finishing"]
        assert {line["correlation_id"] for line in logged} == {booking}
        published = [
            m["Name"]
            for line in lines
            for block in line.get("_aws", {}).get("CloudWatchMetrics", [])
            for m in block["Metrics"]
        ]
        assert published == [metric]


def test_the_timeout_counts_from_the_end_of_the_cold_start(
    cloud: LocalCloud, probes: Stack
) -> None:
    # The import takes 1.5 s, the function's Timeout is 1 s: Lambda runs it, and so do we.
    result = invoke(cloud, probes.ref("SlowInitFunction"), {})
    assert result["error"] is None, result["payload"]
    assert cloud.runtime.invocations[-1].cold_start


def test_invocations_beyond_the_concurrency_limit_queue_instead_of_timing_out(
    cloud: LocalCloud, probes: Stack
) -> None:
    # Given a function with ReservedConcurrentExecutions 1 and a 1 s Timeout
    name = probes.ref("OneAtATimeFunction")
    since = InvocationsSince(cloud.runtime)
    # When four invocations of 0.3 s each arrive at once (1.2 s of work in all)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: invoke(cloud, name, {"sleep": 0.3}), range(4)))
    # Then they run one after another in one container, and none times out
    assert [r["error"] for r in results] == [None] * 4, results
    batch = [i for i in since() if i.function == "OneAtATimeFunction"]
    assert len(batch) == 4
    assert sum(i.cold_start for i in batch) == 1


def test_a_request_payload_over_six_megabytes_is_refused_before_any_code_runs(
    cloud: LocalCloud, probes: Stack
) -> None:
    # Lambda's quota for a synchronous invocation, answered by the Invoke API itself (413).
    name = probes.ref("EnglishFunction")
    padding = REQUEST_PAYLOAD_LIMIT - len(json.dumps({"pad": ""}))
    exactly = json.dumps({"pad": "x" * padding})
    assert len(exactly) == REQUEST_PAYLOAD_LIMIT
    fits = cloud.client("lambda").invoke(FunctionName=name, Payload=exactly)
    assert "FunctionError" not in fits
    assert json.loads(fits["Payload"].read())["greeting"] == "hello"
    with pytest.raises(ClientError) as refused:
        cloud.client("lambda").invoke(FunctionName=name, Payload=exactly[:-2] + 'x"}')
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    ran = [len(json.dumps(i.event)) for i in cloud.runtime.invocations if "pad" in i.event]
    assert ran and max(ran) == REQUEST_PAYLOAD_LIMIT  # the refused one never ran
