"""Fault injection in the local engine (localaws/engine/faults.py), shaped like AWS FIS's Lambda
actions: what each action does to an invocation, percentages and durations, and the CLI that
reaches a running stack over its AWS endpoint."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localaws.cloud import LocalCloud
from localaws.engine.faults import (
    ADD_DELAY,
    DEPENDENCY_ERROR,
    INVOCATION_ERROR,
    Fault,
    FaultError,
    Faults,
    parse_duration,
)
from localaws.provision.deploy import Stack
from localaws.stack.faults_cli import main as cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runtime" / "template.yaml"


# -- the rules, without a cloud -------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_iso_durations_as_fis_takes_them() -> None:
    assert parse_duration("PT3M") == dt.timedelta(minutes=3)
    assert parse_duration("PT1H30M") == dt.timedelta(hours=1, minutes=30)
    assert parse_duration("PT0.5S") == dt.timedelta(seconds=0.5)
    for bad in ("3M", "PT", "P", "PT13H", "PT0S", "", "PT3X"):
        with pytest.raises(FaultError):
            parse_duration(bad)


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "aws:lambda:invocation-oops"},
        {"action": INVOCATION_ERROR, "percentage": 0},
        {"action": INVOCATION_ERROR, "percentage": 101},
        {"action": INVOCATION_ERROR, "prevent_execution": "false"},
        {"action": ADD_DELAY},
        {"action": ADD_DELAY, "delay_ms": 900_001},
        {"action": DEPENDENCY_ERROR, "service": "ses"},
        {"action": INVOCATION_ERROR, "times": 0},
        {"action": INVOCATION_ERROR, "duration": "forever"},
    ],
)
def test_a_fault_that_cannot_be_injected_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(FaultError):
        Fault(function="f", **fields)


def test_a_fault_hits_its_percentage_of_invocations_and_ends_after_its_duration() -> None:
    clock, rolls = Clock(), iter([0.2, 0.7, 0.49])
    faults = Faults(clock=clock, chance=lambda: next(rolls))
    faults.add(Fault(function="f", action=INVOCATION_ERROR, percentage=50, until=clock() + 60))

    assert [faults.for_invocation("f").error is not None for _ in range(3)] == [True, False, True]
    assert faults.for_invocation("other").error is None
    clock.now += 61
    assert faults.for_invocation("f").error is None
    assert faults.active() == []


def test_times_ends_a_fault_after_that_many_hits() -> None:
    faults = Faults()
    faults.add(Fault(function="f", action=ADD_DELAY, delay_ms=5, times=2))
    assert [faults.for_invocation("f").delay_ms for _ in range(3)] == [5, 5, 0]


def test_a_dependency_fault_names_one_service_and_optionally_one_api() -> None:
    faults = Faults()
    faults.add(
        Fault(
            function="f",
            action=DEPENDENCY_ERROR,
            service="ses",
            operation="SendEmail",
            error="Throttling",
        )
    )
    assert faults.dependency_error("f", {"sesv2", "ses", "email"}, "SendEmail") is not None
    assert faults.dependency_error("f", {"sesv2", "ses", "email"}, "GetAccount") is None
    assert faults.dependency_error("f", {"sns"}, "SendEmail") is None
    assert faults.dependency_error("g", {"ses"}, "SendEmail") is None
    assert faults.for_invocation("f").error is None  # not an invocation fault


# -- on the runtime ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def probes(cloud: LocalCloud) -> Stack:
    return cloud.deploy(FIXTURE, stack_name="fault-probe")


@pytest.fixture
def runtime(cloud: LocalCloud) -> Iterator[Any]:
    yield cloud.runtime
    cloud.runtime.clear_faults()


def invoke(cloud: LocalCloud, name: str, event: dict[str, Any]) -> dict[str, Any]:
    resp = cloud.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event), LogType="Tail"
    )
    return {
        "error": resp.get("FunctionError"),
        "payload": json.loads(resp["Payload"].read()),
        "logs": base64.b64decode(resp.get("LogResult", "")).decode(),
    }


def test_invocation_error_preventing_execution_runs_nothing(
    cloud: LocalCloud, probes: Stack, runtime: Any
) -> None:
    name = probes.ref("EnglishFunction")
    runtime.inject(name, INVOCATION_ERROR, prevent_execution=True)
    result = invoke(cloud, name, {})
    assert result["error"]
    assert result["payload"]["errorType"] == "Lambda.ServiceException"
    assert "greeting is" not in result["logs"]  # the code never ran


def test_invocation_error_without_preventing_execution_runs_then_fails(
    cloud: LocalCloud, probes: Stack, runtime: Any
) -> None:
    name = probes.ref("EnglishFunction")
    runtime.inject(name, INVOCATION_ERROR, prevent_execution=False, error="Lambda.Unknown")
    result = invoke(cloud, name, {})
    assert result["error"]
    assert result["payload"]["errorType"] == "Lambda.Unknown"
    assert "greeting is hello" in result["logs"]  # its effects landed
    assert cloud.runtime.invocations[-1].error_type == "Lambda.Unknown"


def test_a_delay_past_the_timeout_times_out_before_the_code_runs(
    cloud: LocalCloud, probes: Stack, runtime: Any
) -> None:
    name = probes.ref("SlowFunction")  # Timeout: 1
    runtime.inject(name, ADD_DELAY, delay_ms=1_300, times=1)
    result = invoke(cloud, name, {})
    assert result["payload"]["errorType"] == "Sandbox.Timedout"
    assert "greeting is" not in result["logs"]
    assert invoke(cloud, name, {})["error"] is None  # times=1: the next one is on time


def test_a_delay_within_the_timeout_only_delays(
    cloud: LocalCloud, probes: Stack, runtime: Any
) -> None:
    name = probes.ref("FrenchFunction")
    runtime.inject(name, ADD_DELAY, delay_ms=50)
    result = invoke(cloud, name, {})
    assert result["error"] is None and result["payload"]["greeting"] == "bonjour"


# -- the CLI, over the endpoint ------------------------------------------------------------------
def test_the_cli_injects_lists_and_clears_over_the_endpoint(
    cloud: LocalCloud, probes: Stack, runtime: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    name = probes.ref("EnglishFunction")
    base = ["--endpoint", cloud.endpoint]
    assert (
        cli(
            [
                *base,
                "inject",
                "--function",
                name,
                "--action",
                "aws:lambda:invocation-error",
                "--prevent-execution",
                "false",
                "--percentage",
                "100",
                "--duration",
                "PT3M",
            ]
        )
        == 0
    )
    assert "injected fault-" in capsys.readouterr().out
    assert invoke(cloud, name, {})["payload"]["errorType"] == "Lambda.ServiceException"

    assert cli([*base, "list"]) == 0
    listed = capsys.readouterr().out
    assert "EnglishFunction" in listed and "preventExecution=false" in listed
    assert "100%" in listed

    assert cli([*base, "clear"]) == 0
    assert "cleared 1" in capsys.readouterr().out
    assert invoke(cloud, name, {})["error"] is None
    assert cli([*base, "list"]) == 0
    assert "no active faults" in capsys.readouterr().out


def test_the_cli_reports_what_is_wrong(
    cloud: LocalCloud, probes: Stack, runtime: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--endpoint", cloud.endpoint, "inject", "--action"]
    assert cli([*base, ADD_DELAY, "--function", probes.ref("EnglishFunction")]) == 1
    assert "delay" in capsys.readouterr().err
    assert cli([*base, INVOCATION_ERROR, "--function", "NoSuchFunction"]) == 1
    assert "no local function 'NoSuchFunction'" in capsys.readouterr().err
    assert runtime.faults.active() == []


def test_the_moto_server_internal_the_route_needs_is_named_by_the_guard(cloud: LocalCloud) -> None:
    from localaws.compat import guard

    assert guard.moto_wsgi_server(cloud._server).app is not None  # the running stack's
    with pytest.raises(guard.MotoInternalsMoved, match="ThreadedMotoServer"):
        guard.moto_wsgi_server(object())
    assert guard.botocore_client_class()._make_api_call._localaws_faults
