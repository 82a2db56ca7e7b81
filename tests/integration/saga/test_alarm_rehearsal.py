"""The rehearsal issue 24 asks for, on a real fault: the payment outage switch (as an operator
sets it) → PaymentCircuitOpenAlarm from RecordPayment's own EMF lines → its notification on
the operations topic → the switch off → OK. The bookings the outage failed do not page a
second time: the saga's incident alarm is suppressed by the circuit alarm."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from localaws.cloud import LocalCloud
from localaws.stack.alarms import ALARM, OK, AlarmEvaluator
from tests.fixtures.circuit import reset_circuit
from tests.fixtures.saga_driver import SagaDriver


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def set_outage(saga: SagaDriver, value: str) -> None:
    saga.cloud.client("ssm").put_parameter(
        Name=saga.stack.outputs["PaymentOutageParameterName"], Value=value, Overwrite=True
    )


@pytest.fixture
def evaluator(cloud: LocalCloud, outage_saga: SagaDriver) -> Iterator[AlarmEvaluator]:
    """An evaluator of the outage stack's alarms, on a clock the test moves."""
    evaluator = AlarmEvaluator.for_stack(cloud, outage_saga.stack)
    evaluator.clock = Clock(time.time())
    table = outage_saga.stack.ref("CircuitBreakerTable")
    reset_circuit(cloud.client("dynamodb"), table)
    try:
        yield evaluator
    finally:
        evaluator.stop()
        set_outage(outage_saga, "off")
        reset_circuit(cloud.client("dynamodb"), table)


def notifications(saga: SagaDriver, alarm: str) -> list[dict[str, Any]]:
    topic = saga.stack.ref("OperationsAlertsTopic")
    sent = [json.loads(m["Message"]) for m in saga.cloud.sns_messages(topic)]
    return [m for m in sent if isinstance(m, dict) and m.get("AlarmName") == alarm]


def test_a_payment_outage_pages_once_and_clears(
    outage_saga: SagaDriver, evaluator: AlarmEvaluator
) -> None:
    saga = outage_saga
    clock = evaluator.clock
    assert isinstance(clock, Clock)
    circuit = evaluator.alarm("PaymentCircuitOpenAlarm")
    incident = evaluator.alarm("BookingSagaIncidentAlarm")
    evaluator.evaluate()
    assert circuit.state == OK and incident.state == OK

    # Inject: the sandbox gateway's outage switch on, then a guest books
    set_outage(saga, "on")
    req = saga.request(saga.hotel(rooms=1))
    saga.start(req)
    assert saga.wait_done(req["bookingId"], timeout=30)["error"] == "PaymentUnavailable"
    evaluator.evaluate()

    # Alarm: the circuit opened (RecordPayment's CircuitTransitions EMF line), ops are told
    assert circuit.state == ALARM
    (paged,) = [n for n in notifications(saga, circuit.name) if n["NewStateValue"] == ALARM]
    assert "docs/operations.md#paymentcircuitopen" in paged["AlarmDescription"]
    # The booking it failed is an operational failure, but the outage has paged already
    assert evaluator.alarm("BookingSagaOperationalFailuresAlarm").state == ALARM
    assert incident.state == ALARM and incident.suppressed == "Alarm"
    assert [n["NewStateValue"] for n in notifications(saga, incident.name)] == [OK]

    # Clear: the switch off; a minute without the circuit opening again
    set_outage(saga, "off")
    clock.now += 60
    evaluator.evaluate()
    assert circuit.state == OK
    assert notifications(saga, circuit.name)[-1]["NewStateValue"] == OK
    # ... and once the failures' period is over the incident alarm is OK, never having paged
    clock.now += 300
    evaluator.evaluate()
    assert incident.state == OK
    assert [n["NewStateValue"] for n in notifications(saga, incident.name)] == [OK]
