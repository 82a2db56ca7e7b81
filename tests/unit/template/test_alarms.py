"""template.yaml's alarms: every dead-letter queue, state machine, function, table and API has
one, every alarm reaches the operations topic (itself or through a composite), and every
description names a runbook section that exists in docs/operations.md."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from localaws.provision.template import load_template

ROOT = Path(__file__).resolve().parents[3]
TOPIC = {"Ref": "OperationsAlertsTopic"}
ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE = "AWS::CloudWatch::CompositeAlarm"

Resources = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def resources() -> Resources:
    return load_template(ROOT / "template.yaml", "eu-west-2").resources


def of_type(resources: Resources, *types: str) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in resources.items() if v["Type"] in types}


def watched(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions as JSON of their CloudFormation values) of an alarm."""
    metrics = [alarm] if "MetricName" in alarm else []
    metrics += [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", []) if "MetricStat" in q]
    return [
        (
            m["Namespace"],
            m["MetricName"],
            {d["Name"]: json.dumps(d["Value"], sort_keys=True) for d in m.get("Dimensions", [])},
        )
        for m in metrics
    ]


def has_alarm(resources: Resources, namespace: str, metric: str, dim: str, value: Any) -> bool:
    want = json.dumps(value, sort_keys=True)
    return any(
        ns == namespace and name == metric and dims.get(dim) == want
        for alarm in of_type(resources, ALARM).values()
        for ns, name, dims in watched(alarm)
    )


def dead_letter_queues(resources: Resources) -> set[str]:
    """Queues something gives up into: a redrive target or a mapping's on-failure destination."""
    found = set()
    for props in of_type(resources, "AWS::SQS::Queue").values():
        target = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
        if target:
            found.add(target["Fn::GetAtt"][0])
    for props in of_type(resources, "AWS::Lambda::EventSourceMapping").values():
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            found.add(destination["Fn::GetAtt"][0])
    return found


def missing_alarms(resources: Resources) -> list[str]:
    """What lacks the alarm an operator needs, one line each."""
    missing = []
    for queue in sorted(dead_letter_queues(resources)):
        queue_name = {"Fn::GetAtt": [queue, "QueueName"]}
        if not has_alarm(
            resources, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue_name
        ):
            missing.append(f"dead-letter queue {queue}: not-empty")
    for machine in of_type(resources, "AWS::StepFunctions::StateMachine"):
        for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
            if not has_alarm(resources, "AWS/States", metric, "StateMachineArn", {"Ref": machine}):
                missing.append(f"state machine {machine}: {metric}")
    for function in of_type(resources, "AWS::Lambda::Function"):
        if not has_alarm(resources, "AWS/Lambda", "Throttles", "FunctionName", {"Ref": function}):
            missing.append(f"function {function}: Throttles")
    for table in of_type(resources, "AWS::DynamoDB::Table"):
        for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
            if not has_alarm(resources, "AWS/DynamoDB", metric, "TableName", {"Ref": table}):
                missing.append(f"table {table}: {metric}")
    for api, props in of_type(resources, "AWS::ApiGateway::RestApi").items():
        for metric in ("5XXError", "Latency"):
            if not has_alarm(resources, "AWS/ApiGateway", metric, "ApiName", props.get("Name")):
                missing.append(f"REST API {api}: {metric}")
    for api in of_type(resources, "AWS::ApiGatewayV2::Api"):
        if not has_alarm(resources, "AWS/ApiGateway", "5xx", "ApiId", {"Ref": api}):
            missing.append(f"HTTP API {api}: 5xx")
    return missing


def test_every_queue_machine_function_table_and_api_has_its_alarm(resources: Resources) -> None:
    assert missing_alarms(resources) == []


@pytest.mark.parametrize(
    "drop",
    [
        "SearchProjectorDeadLetterQueueAlarm",
        "CancellationSagaFailuresAlarm",
        "RecordPaymentFunctionThrottlesAlarm",
        "ApiLatencyAlarm",
    ],
)
def test_the_check_notices_a_missing_alarm(resources: Resources, drop: str) -> None:
    # Without the alarm, what it watched is reported (the check above can fail).
    fewer = {k: v for k, v in copy.deepcopy(resources).items() if k != drop}
    assert missing_alarms(fewer)


def test_a_function_added_without_an_alarm_is_reported(resources: Resources) -> None:
    more = copy.deepcopy(resources)
    more["NewFunction"] = {"Type": "AWS::Lambda::Function", "Properties": {}}
    assert missing_alarms(more) == ["function NewFunction: Throttles"]


def rule_names(rule: Any) -> set[str]:
    """Logical ids a composite's AlarmRule names (``${Id}`` in its Fn::Sub)."""
    text = rule["Fn::Sub"] if isinstance(rule, dict) else rule
    return set(re.findall(r"\$\{(\w+)\}", text))


def test_every_alarm_reaches_the_operations_topic(resources: Resources) -> None:
    composites = of_type(resources, COMPOSITE)
    paged_by_composite = {
        name
        for props in composites.values()
        if TOPIC in props.get("AlarmActions", [])
        for name in rule_names(props["AlarmRule"])
    }
    for name, props in of_type(resources, ALARM, COMPOSITE).items():
        actions = props.get("AlarmActions", [])
        assert TOPIC in actions or name in paged_by_composite, f"{name} pages nobody"
        if TOPIC in actions:  # people hear when it clears, too
            assert TOPIC in props.get("OKActions", []), name
    for name, props in composites.items():
        assert rule_names(props["AlarmRule"]) <= set(of_type(resources, ALARM, COMPOSITE)), name


def runbook_anchors() -> set[str]:
    """GitHub's anchors for docs/operations.md's headings."""
    text = (ROOT / "docs" / "operations.md").read_text()
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_alarm_names_its_runbook_section(resources: Resources) -> None:
    anchors = runbook_anchors()
    for name, props in of_type(resources, ALARM, COMPOSITE).items():
        found = re.findall(r"docs/operations\.md#([a-z0-9-]+)", props.get("AlarmDescription", ""))
        assert found, f"{name}: no runbook section in its description"
        assert set(found) <= anchors, f"{name}: {found} not headings of docs/operations.md"


def dashboard(resources: Resources) -> dict[str, Any]:
    """The operations dashboard's body, its substitutions replaced by their names."""
    (props,) = of_type(resources, "AWS::CloudWatch::Dashboard").values()
    body = props["DashboardBody"]["Fn::Sub"]
    return dict(json.loads(re.sub(r"\$\{([\w:.]+)\}", r"\1", body)))


def test_the_dashboard_shows_what_the_issue_asks_for(resources: Resources) -> None:
    widgets = [w["properties"] for w in dashboard(resources)["widgets"] if w["type"] == "metric"]
    titles = " | ".join(w["title"] for w in widgets)
    for wanted in (
        "Bookings by outcome",
        "start → awaiting approval, approval → confirmed",
        "Approvals: requested, decided, pending",
        "Dead-letter queue depths",
        "Search projection lag",
        "Errors by function",
    ):
        assert wanted in titles
    metrics = [m for w in widgets for m in w["metrics"]]
    # Every function's errors, every DLQ's depth
    errors = {m[3] for m in metrics if m[:2] == ["AWS/Lambda", "Errors"]}
    assert errors == set(of_type(resources, "AWS::Lambda::Function"))
    depths = {m[3] for m in metrics if m[:2] == ["AWS/SQS", "ApproximateNumberOfMessagesVisible"]}
    assert depths == {f"{q}.QueueName" for q in dead_letter_queues(resources)}
