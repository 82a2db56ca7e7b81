"""The alarms support staff see: ``python -m support_console alarms`` (DescribeAlarms, on AWS
with composites) and the rows the console's page shows, firing first with their runbook."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import Stubber

from devstack.run import LocalStack
from support_console.__main__ import run
from support_console.alarms import AlarmRow, from_describe

WHEN = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)


def test_describe_alarms_gives_metric_and_composite_alarms_firing_first() -> None:
    # Given an account whose DescribeAlarms answers as AWS does (two pages)
    cloudwatch = boto3.client(
        "cloudwatch", region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(cloudwatch)
    wanted = {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "AlarmNamePrefix": "s-"}
    stub.add_response(
        "describe_alarms",
        {
            "MetricAlarms": [
                {
                    "AlarmName": "s-ApiLatencyAlarm-1",
                    "StateValue": "OK",
                    "StateReason": "fine",
                    "AlarmDescription": "p99. Runbook: docs/operations.md#apilatency",
                    "StateUpdatedTimestamp": WHEN,
                }
            ],
            "NextToken": "more",
        },
        wanted,
    )
    stub.add_response(
        "describe_alarms",
        {
            "CompositeAlarms": [
                {
                    "AlarmName": "s-LambdaFunctionsAlarm-2",
                    "StateValue": "ALARM",
                    "StateReason": "a function fails",
                    "AlarmDescription": "Runbook: docs/operations.md#lambdaerrors",
                    "StateUpdatedTimestamp": WHEN,
                }
            ]
        },
        {**wanted, "NextToken": "more"},
    )
    with stub:
        rows = from_describe(cloudwatch, "s-")
    # Then the firing composite comes first, with its runbook section
    assert [(r.name, r.state, r.composite, r.runbook) for r in rows] == [
        ("s-LambdaFunctionsAlarm-2", "ALARM", True, "lambdaerrors"),
        ("s-ApiLatencyAlarm-1", "OK", False, "apilatency"),
    ]
    assert rows[0].updated == "2026-12-07T13:00:00+00:00"


def test_the_cli_lists_the_local_stacks_alarms(
    local_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert local_stack.alarms is not None
    local_stack.alarms.evaluate()
    assert run(["alarms", "--endpoint", local_stack.aws_url, "--json"]) == 0
    out = capsys.readouterr().out
    # The CLI's document; a Lambda of the stack running meanwhile may have printed a line
    # (an EMF metric) into the same captured stdout before it.
    document, _ = json.JSONDecoder().raw_decode(out[out.index('{\n "alarms"') :])
    rows = [AlarmRow(**{k: v for k, v in a.items() if k != "runbook"}) for a in document["alarms"]]
    names = {r.name for r in rows}
    assert "hotel-booking-SearchProjectorDeadLetterQueueAlarm" in names
    assert all(r.runbook for r in rows)  # every one names its runbook section
    # The states are the evaluator's (moto keeps them; it keeps no composite alarms)
    evaluator = {a.name: a.state for a in local_stack.alarms.states() if not a.composite}
    assert {r.name: r.state for r in rows} == evaluator
    assert run(["alarms", "--endpoint", local_stack.aws_url, "--state", "ALARM"]) == 0
    assert capsys.readouterr().out.strip().endswith("alarms in ALARM")
