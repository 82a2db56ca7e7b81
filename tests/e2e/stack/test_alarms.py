"""Alarms fire locally as on AWS (issue 24): a fault sets off the template's alarm, its email
lands in the ops mailbox, the console shows it, and clearing the fault brings the OK email.
The evaluator's clock is moved on by a period instead of waiting minutes; the stage's
throttling answers API Gateway's 429."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from devstack.run import OPS_EMAIL, LocalStack
from localaws.stack.alarms import ALARM, OK, AlarmEvaluator
from tests.fixtures.mail import confirm_subscription, wait_for_mail


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def alarms(local_stack: LocalStack) -> Iterator[tuple[AlarmEvaluator, Clock]]:
    """The stack's evaluator on a clock the test moves; ops@example.com confirmed."""
    assert local_stack.alarms is not None and local_stack.stack is not None
    topic = local_stack.stack.ref("OperationsAlertsTopic")
    subscriptions = local_stack.cloud.client("sns").list_subscriptions_by_topic(TopicArn=topic)
    if any(s["SubscriptionArn"] == "PendingConfirmation" for s in subscriptions["Subscriptions"]):
        confirm_subscription(local_stack, OPS_EMAIL, topic)
    evaluator = local_stack.alarms
    real = evaluator.clock
    clock = Clock(real())
    evaluator.clock = clock
    try:
        yield evaluator, clock
    finally:
        evaluator.clock = real


def alarm_mail(local_stack: LocalStack, name: str, state: str) -> dict[str, object]:
    subject = f'{state}: "{name}" in EU (London)'
    mail = wait_for_mail(local_stack, OPS_EMAIL, f'"NewStateValue": "{state}"', subject)
    return dict(json.loads(str(mail["body"])))


def test_a_poison_message_in_a_dlq_pages_ops_and_clears_when_the_queue_is_emptied(
    local_stack: LocalStack, alarms: tuple[AlarmEvaluator, Clock]
) -> None:
    evaluator, clock = alarms
    assert local_stack.stack is not None
    sqs = local_stack.cloud.client("sqs")
    dlq = local_stack.stack.ref("SearchProjectorDeadLetterQueue")
    alarm = evaluator.alarm("SearchProjectorDeadLetterQueueAlarm")
    evaluator.evaluate()
    assert alarm.state == OK  # an empty DLQ

    # When an event the projector gave up on lands in its DLQ
    sqs.send_message(QueueUrl=dlq, MessageBody='{"detail-type": "poison"}')
    clock.now += 60
    evaluator.evaluate()

    # Then the alarm fires, ops get CloudWatch's email naming the runbook, the console shows it
    assert alarm.state == ALARM
    body = alarm_mail(local_stack, alarm.name, ALARM)
    assert body["AlarmName"] == alarm.name and body["OldStateValue"] == OK
    assert "docs/operations.md#deadletterqueuenotempty" in str(body["AlarmDescription"])
    page = requests.get(f"{local_stack.web_url}/console/api/alarms", timeout=10).json()
    row = next(a for a in page["alarms"] if a["name"] == alarm.name)
    assert row["state"] == ALARM and row["runbook"] == "deadletterqueuenotempty"
    html = requests.get(f"{local_stack.web_url}/console/alarms", timeout=10).text
    assert f'data-state="ALARM" data-name="{alarm.name}"' in html

    # When the message is dealt with (here: taken off the queue) and a period passes
    (message,) = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    clock.now += 60
    evaluator.evaluate()

    # Then it is OK again, and ops hear that too
    assert alarm.state == OK
    assert alarm_mail(local_stack, alarm.name, OK)["OldStateValue"] == ALARM


def test_a_failed_cancellation_execution_pages_ops(
    local_stack: LocalStack, alarms: tuple[AlarmEvaluator, Clock]
) -> None:
    # Given the cancellation state machine's alarm is quiet
    evaluator, clock = alarms
    assert local_stack.stack is not None
    alarm = evaluator.alarm("CancellationSagaFailuresAlarm")
    clock.now += 120
    evaluator.evaluate()
    assert alarm.state == OK
    # When an execution of it fails, as the interpreter's history listener reports it (a real
    # CancellationFailed takes its retries' minutes; test_alarm_rehearsal runs a real fault)
    machine = local_stack.stack.ref("CancellationStateMachine")
    arn = machine.replace(":stateMachine:", ":execution:") + ":cancel-test"
    evaluator.history_event(arn, {"type": "ExecutionFailed"})
    evaluator.evaluate()
    # Then ops are paged
    assert alarm.state == ALARM
    assert alarm_mail(local_stack, alarm.name, ALARM)["AlarmName"] == alarm.name
    clock.now += 60
    evaluator.evaluate()
    assert alarm.state == OK


def test_unauthenticated_routes_are_throttled_with_api_gateways_429(
    local_stack: LocalStack,
) -> None:
    # Given the approval links' throttle (template: 10 a second, burst 20) and a frozen clock
    gateway = local_stack.gateway
    assert gateway is not None and gateway.throttle is not None
    throttle = gateway.throttle
    real = throttle.clock
    frozen = real()
    throttle.clock = lambda: frozen
    try:
        _, (rate, burst) = throttle.limit_for("/approvals/{approvalId}", "GET")
        assert (rate, burst) == (10, 20)
        throttle._buckets.pop(("/approvals/{approvalId}", "GET"), None)  # a full bucket
        # When 21 requests arrive at once
        answers = [
            requests.get(f"{local_stack.api_url}/approvals/apr_throttled", timeout=10)
            for _ in range(21)
        ]
    finally:
        throttle.clock = real
    # Then the burst is served and the next one gets API Gateway's own 429, before any function
    assert [a.status_code != 429 for a in answers] == [True] * 20 + [False]
    assert answers[-1].json() == {"message": "Too Many Requests"}
    assert answers[-1].headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert answers[-1].headers["Access-Control-Allow-Origin"] == local_stack.web_url
    # A signed-in route has the stage's default bucket, untouched by the approval links'.
    assert requests.get(f"{local_stack.api_url}/bookings", timeout=10).status_code == 401


def test_an_injected_function_fault_pages_once_through_the_composite(
    local_stack: LocalStack, alarms: tuple[AlarmEvaluator, Clock]
) -> None:
    # Given the functions' alarms are quiet (a quiet period for the function's own errors)
    evaluator, clock = alarms
    function = evaluator.alarm("HotelsApiFunctionErrorsAlarm")
    composite = evaluator.alarm("LambdaFunctionsAlarm")
    clock.now += 600
    evaluator.evaluate()
    assert function.state == OK and composite.state == OK
    runtime = local_stack.cloud.runtime

    # When the function fails (a chaos tool's injected error) in two minutes of five
    for _ in range(2):
        runtime.inject_fault("HotelsApiFunction", "RuntimeError", "injected by the test")
        answer = requests.get(f"{local_stack.api_url}/hotels", timeout=30)
        assert answer.status_code == 502  # API Gateway's answer to a failed function
        evaluator.evaluate()
        clock.now += 60

    # Then its alarm fires and the composite pages ops once for all functions
    assert function.state == ALARM and composite.state == ALARM
    paged = alarm_mail(local_stack, composite.name, ALARM)
    assert "docs/operations.md#lambdaerrors" in str(paged["AlarmDescription"])
    assert not [
        m
        for m in local_stack.mailbox.messages(OPS_EMAIL)
        if m["subject"].startswith(f'ALARM: "{function.name}"')
    ]
    # And five quiet minutes later both are OK
    clock.now += 300
    evaluator.evaluate()
    assert function.state == OK and composite.state == OK
