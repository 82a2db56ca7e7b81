"""A circuit transition is one EMF metric, with the dimensions the template's alarm watches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.circuit_breaker import CircuitState, CircuitTransition

from hotel_booking.dal.breaker import TRANSITION_METRIC, emit_transition
from localaws.provision.template import load_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template() -> Any:
    return load_template(ROOT / "template.yaml", "eu-west-2")


def test_a_transition_is_one_emf_metric_that_the_alarm_watches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, template: Any
) -> None:
    globals_env = template.sam["Globals"]["Function"]["Environment"]["Variables"]
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", globals_env["POWERTOOLS_SERVICE_NAME"])
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", globals_env["POWERTOOLS_METRICS_NAMESPACE"])

    emit_transition(CircuitTransition("payment-gateway", CircuitState.CLOSED, CircuitState.OPEN))

    emf = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Metrics"] == [{"Name": TRANSITION_METRIC, "Unit": "Count"}]
    alarm = template.sam["Resources"]["PaymentCircuitOpenAlarm"]["Properties"]
    assert directive["Namespace"] == alarm["Namespace"]
    assert alarm["MetricName"] == TRANSITION_METRIC
    watched = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    assert set(directive["Dimensions"][0]) == set(watched)
    assert {name: emf[name] for name in watched} == watched
    assert emf[TRANSITION_METRIC] == [1.0]
