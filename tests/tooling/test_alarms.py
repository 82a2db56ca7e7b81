"""The local alarm evaluator does what CloudWatch does with an alarm: EMF lines become metrics,
periods and statistics, M out of N datapoints, missing data, metric math and composite rules
decide the state, and a state change sends CloudWatch's notification to the alarm's actions.
A fake clock moves time on; nothing sleeps."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localaws.gateways.throttling import StageThrottle
from localaws.stack.alarms import (
    ALARM,
    INSUFFICIENT,
    OK,
    Alarm,
    AlarmEvaluator,
    Metrics,
    emf_points,
    evaluate_expression,
    evaluate_rule,
    statistic,
)

TOPIC = "arn:aws:sns:eu-west-2:123456789012:ops"
POWERTOOLS_LINE = (
    '{"_aws":{"Timestamp":1796648248247,"CloudWatchMetrics":[{"Namespace":"HotelBooking",'
    '"Dimensions":[["class","service"]],"Metrics":[{"Name":"SagaFailures","Unit":"Count"}]}]},'
    '"class":"operational","service":"hotel-booking","SagaFailures":[1.0]}'
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(
    props: dict[str, Any], name: str = "TestAlarm", others: list[Alarm] | None = None
) -> tuple[AlarmEvaluator, Metrics, Clock, list[tuple[str, str, str]]]:
    clock = Clock()
    metrics = Metrics(clock)
    sent: list[tuple[str, str, str]] = []
    alarm = Alarm.from_resource(name, name, f"arn:aws:cloudwatch:eu-west-2:1:alarm:{name}", props)
    evaluator = AlarmEvaluator(
        [alarm, *(others or [])], metrics, lambda *message: sent.append(message)
    )
    return evaluator, metrics, clock, sent


def single(**overrides: Any) -> dict[str, Any]:
    return {
        "AlarmDescription": "test. Runbook: docs/operations.md#x",
        "Namespace": "HotelBooking",
        "MetricName": "SagaFailures",
        "Dimensions": [
            {"Name": "service", "Value": "hotel-booking"},
            {"Name": "class", "Value": "operational"},
        ],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [TOPIC],
        "OKActions": [TOPIC],
        **overrides,
    }


def test_emf_lines_become_metrics_by_exact_dimension_set() -> None:
    (point,) = emf_points(f"START\n{POWERTOOLS_LINE}\nEND\n")
    assert point == (
        "HotelBooking",
        "SagaFailures",
        {"class": "operational", "service": "hotel-booking"},
        [1.0],
    )
    # A line that is not EMF, or names a dimension it lacks, makes no metric.
    assert emf_points('{"level":"INFO"}\n') == []
    assert emf_points(POWERTOOLS_LINE.replace('"class":"operational",', "")) == []


def test_statistics_and_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert statistic(values, "Sum") == 5050
    assert statistic(values, "Average") == 50.5
    assert statistic(values, "Maximum") == 100
    assert statistic(values, "SampleCount") == 100
    assert statistic(values, "p99") == 99
    assert statistic([], "Sum") is None


def test_metric_math_fills_missing_data_and_branches() -> None:
    expression = (
        "FILL(operational, 0) + IF(FILL(failed, 0) > FILL(operational, 0) + FILL(business, 0), "
        "FILL(failed, 0) - FILL(operational, 0) - FILL(business, 0), 0)"
    )
    # Two business failures, nothing else: no incident.
    assert evaluate_expression(expression, {"operational": None, "business": 2, "failed": 2}) == 0
    # An execution failed without RecordFailure counting it (OutcomeNotRecorded): one.
    assert evaluate_expression(expression, {"operational": None, "business": 2, "failed": 3}) == 1
    assert evaluate_expression("a + b", {"a": 1, "b": None}) is None
    with pytest.raises(ValueError):
        evaluate_expression("SEARCH('x', 'Sum', 60)", {})


def test_composite_rules() -> None:
    states = {"a": ALARM, "b": OK, "c": INSUFFICIENT}
    assert evaluate_rule("ALARM(a) AND NOT ALARM(b)", states.__getitem__)
    assert not evaluate_rule("ALARM(b) OR (ALARM(a) AND OK(c))", states.__getitem__)
    assert evaluate_rule('INSUFFICIENT_DATA("c") OR FALSE', states.__getitem__)
    with pytest.raises(ValueError):
        evaluate_rule("ALARM(a) XOR ALARM(b)", states.__getitem__)


def test_a_breach_notifies_alarm_then_ok_as_cloudwatch_words_it() -> None:
    evaluator, metrics, clock, sent = make(single())
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == OK  # no data, notBreaching
    assert [json.loads(m)["NewStateValue"] for _, _, m in sent] == [OK]

    metrics.put_emf(POWERTOOLS_LINE)
    clock.now += 1
    evaluator.evaluate()
    topic, subject, message = sent[-1]
    assert topic == TOPIC
    assert subject == 'ALARM: "TestAlarm" in EU (London)'
    body = json.loads(message)
    assert body["NewStateValue"] == ALARM and body["OldStateValue"] == OK
    assert body["AlarmDescription"] == "test. Runbook: docs/operations.md#x"
    assert body["Trigger"]["Period"] == 60 and body["Trigger"]["Threshold"] == 1.0
    assert "1 out of the last 1 datapoints [1]" in body["NewStateReason"]

    clock.now += 30  # still inside the period: no change, no mail
    evaluator.evaluate()
    assert len(sent) == 2
    clock.now += 60  # the period has passed without a failure
    evaluator.evaluate()
    assert json.loads(sent[-1][2])["NewStateValue"] == OK and len(sent) == 3


def test_datapoints_to_alarm_needs_m_breaching_periods_out_of_n() -> None:
    evaluator, metrics, clock, _ = make(single(EvaluationPeriods=3, DatapointsToAlarm=2))
    key = ("HotelBooking", "SagaFailures", {"service": "hotel-booking", "class": "operational"})
    metrics.put(*key, [1])
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == OK  # 1 of 3
    clock.now += 60
    metrics.put(*key, [1])
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == ALARM  # 2 of 3


@pytest.mark.parametrize(
    ("treat", "expected"),
    [("missing", INSUFFICIENT), ("breaching", ALARM), ("notBreaching", OK), ("ignore", ALARM)],
)
def test_missing_data_is_treated_as_the_alarm_says(treat: str, expected: str) -> None:
    evaluator, metrics, clock, _ = make(single(TreatMissingData=treat))
    metrics.put(
        "HotelBooking", "SagaFailures", {"service": "hotel-booking", "class": "operational"}, [5]
    )
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == ALARM
    clock.now += 120  # no data since
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == expected


def test_period_scale_shortens_periods_for_tests() -> None:
    evaluator, metrics, clock, _ = make(single())
    evaluator.period_scale = 0.01  # a 60 s period lasts 0.6 s
    metrics.put(
        "HotelBooking", "SagaFailures", {"service": "hotel-booking", "class": "operational"}, [1]
    )
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == ALARM
    clock.now += 0.7
    evaluator.evaluate()
    assert evaluator.alarm("TestAlarm").state == OK


def suppressed_composite(
    wait: int = 0, extension: int = 600
) -> tuple[AlarmEvaluator, Metrics, Clock, list[tuple[str, str, str]]]:
    circuit = Alarm.from_resource(
        "Circuit",
        "Circuit",
        "arn:circuit",
        single(MetricName="CircuitOpen", AlarmActions=[], OKActions=[]),
    )
    incident = Alarm.from_resource(
        "Incident",
        "Incident",
        "arn:incident",
        {
            "AlarmDescription": "x",
            "AlarmRule": "ALARM(TestAlarm)",
            "ActionsSuppressor": "Circuit",
            "ActionsSuppressorWaitPeriod": wait,
            "ActionsSuppressorExtensionPeriod": extension,
            "AlarmActions": [TOPIC],
            "OKActions": [TOPIC],
        },
    )
    props = single(AlarmActions=[], OKActions=[], Period=300)
    return make(props, others=[circuit, incident])


DIMS = {"service": "hotel-booking", "class": "operational"}


def test_a_composite_is_quiet_while_its_suppressor_fires_and_for_its_extension() -> None:
    evaluator, metrics, clock, sent = suppressed_composite()
    evaluator.evaluate()
    assert [s for _, s, _ in sent] == ['OK: "Incident" in EU (London)']
    # An outage: the circuit alarm and the failures it causes
    metrics.put("HotelBooking", "CircuitOpen", DIMS, [1])
    metrics.put("HotelBooking", "SagaFailures", DIMS, [1])
    evaluator.evaluate()
    incident = evaluator.alarm("Incident")
    assert incident.state == ALARM and incident.suppressed == "Alarm"
    # The circuit closes; the failures' 5-minute period has not passed: still suppressed
    clock.now += 61
    evaluator.evaluate()
    assert evaluator.alarm("Circuit").state == OK
    assert incident.state == ALARM
    clock.now += 240  # the failures' period is over: OK, and nobody heard of any of it
    evaluator.evaluate()
    assert incident.state == OK and len(sent) == 1
    # A failure 10 minutes after the circuit closed is an incident of its own
    clock.now += 600
    metrics.put("HotelBooking", "SagaFailures", DIMS, [1])
    evaluator.evaluate()
    assert sent[-1][1] == 'ALARM: "Incident" in EU (London)'


def test_a_composite_waits_for_its_suppressor_before_acting() -> None:
    evaluator, metrics, clock, sent = suppressed_composite(wait=120)
    evaluator.evaluate()
    metrics.put("HotelBooking", "SagaFailures", DIMS, [1])
    evaluator.evaluate()
    incident = evaluator.alarm("Incident")
    assert incident.state == ALARM and incident.pending is not None and len(sent) == 1
    clock.now += 60  # the circuit opens within the wait period: suppressed
    metrics.put("HotelBooking", "CircuitOpen", DIMS, [1])
    evaluator.evaluate()
    assert incident.suppressed == "WaitPeriod" and len(sent) == 1

    evaluator, metrics, clock, sent = suppressed_composite(wait=120)
    evaluator.evaluate()
    metrics.put("HotelBooking", "SagaFailures", DIMS, [1])
    evaluator.evaluate()
    clock.now += 121  # no circuit alarm within the wait: it pages
    evaluator.evaluate()
    assert sent[-1][1] == 'ALARM: "Incident" in EU (London)'


def test_the_stage_throttle_is_a_token_bucket_per_method() -> None:
    clock = Clock(0.0)
    throttle = StageThrottle(
        {("/*", "*"): (500.0, 1000.0), ("/approvals/{approvalId}", "GET"): (10.0, 20.0)}, clock
    )
    allowed = [throttle.allow("/approvals/{approvalId}", "GET") for _ in range(25)]
    assert allowed == [True] * 20 + [False] * 5
    # Other methods have their own buckets from the stage's default.
    assert throttle.allow("/approvals/{approvalId}", "POST")
    clock.now += 0.5  # 10 a second: five more tokens
    assert [throttle.allow("/approvals/{approvalId}", "GET") for _ in range(6)] == [True] * 5 + [
        False
    ]
