"""What operations see: JSON logs correlated by bookingId, EMF metrics per outcome."""

from __future__ import annotations

import json
from typing import Any

from hotel_booking.models import BookingStatus, Decision
from localaws.engine.lambdas import Invocation
from tests.fixtures.invocations import InvocationsSince
from tests.fixtures.saga_driver import SagaDriver


def json_lines(invocations: list[Invocation]) -> list[dict[str, Any]]:
    lines = []
    for inv in invocations:
        for line in inv.logs.splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
    return lines


def metrics_of(lines: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
    """(metric name, dimensions) for every EMF document in the logs."""
    found = []
    for doc in lines:
        for block in doc.get("_aws", {}).get("CloudWatchMetrics", []):
            dims = {d: doc[d] for group in block["Dimensions"] for d in group}
            found += [(m["Name"], dims) for m in block["Metrics"]]
    return found


def run(saga: SagaDriver, token: str, decision: Decision | None) -> tuple[str, list[Invocation]]:
    hotel = saga.hotel()
    req = saga.request(hotel, token=token)
    # Powertools keeps metrics in module state shared by the process's functions: let other
    # tests' sagas finish so this one's metrics are flushed in its own invocations' logs.
    saga.cloud.runtime.wait_idle()
    since = InvocationsSince(saga.cloud.runtime)
    saga.start(req)
    if decision is not None:
        saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
        saga.decide(req["bookingId"], decision)
    saga.wait_done(req["bookingId"])
    mine = [inv for inv in since() if req["bookingId"] in json.dumps(inv.event, default=str)]
    return req["bookingId"], mine


def test_every_step_logs_json_with_the_booking_id_as_correlation_id(saga: SagaDriver) -> None:
    booking_id, invocations = run(saga, "tok_visa", Decision.APPROVE)
    lines = [line for line in json_lines(invocations) if "level" in line]
    assert {line["function_name"] for line in lines} >= {
        saga.stack.ref("ReserveRoomFunction"),
        saga.stack.ref("ConfirmBookingFunction"),
    }
    assert all(line["correlation_id"] == booking_id for line in lines)
    assert all(line["service"] == "hotel-booking" for line in lines)


def test_metrics_per_outcome(saga: SagaDriver) -> None:
    _, confirmed = run(saga, "tok_visa", Decision.APPROVE)
    _, declined = run(saga, "tok_chargeDeclined", None)
    _, rejected = run(saga, "tok_visa", Decision.REJECT)

    confirmed_metrics = metrics_of(json_lines(confirmed))
    assert ("BookingsStarted", {"service": "hotel-booking"}) in confirmed_metrics
    assert ("BookingsConfirmed", {"service": "hotel-booking"}) in confirmed_metrics
    # The dashboard's approvals and saga latency (start -> approval request -> confirmed)
    for name in ("ApprovalsRequested", "TimeToApprovalRequest", "TimeFromApprovalToConfirmed"):
        assert (name, {"service": "hotel-booking"}) in confirmed_metrics

    declined_metrics = metrics_of(json_lines(declined))
    assert (
        "BookingsFailed",
        {"service": "hotel-booking", "reason": "PAYMENT_DECLINED"},
    ) in declined_metrics
    assert ("CompensationsRun", {"service": "hotel-booking", "step": "ReleaseRoom"}) in (
        declined_metrics
    )
    # A declined card is a business outcome: the operational-failures alarm does not count it.
    assert ("SagaFailures", {"service": "hotel-booking", "class": "business"}) in declined_metrics
    assert ("SagaFailures", {"service": "hotel-booking", "class": "operational"}) not in (
        declined_metrics
    )

    _, gateway_error = run(saga, "tok_processingError", None)
    assert ("SagaFailures", {"service": "hotel-booking", "class": "operational"}) in metrics_of(
        json_lines(gateway_error)
    )

    rejected_metrics = metrics_of(json_lines(rejected))
    assert (
        "BookingsRejected",
        {"service": "hotel-booking", "reason": "MANAGER_REJECTED"},
    ) in rejected_metrics
    compensations = [m for m in rejected_metrics if m[0] == "CompensationsRun"]
    assert {d["step"] for _, d in compensations} == {"RefundPayment", "ReleaseRoom"}


def test_history_listeners_hear_every_event_an_execution_records(saga: SagaDriver) -> None:
    # Given a listener on the local engine's history hook (the follower and tests use it)
    heard: list[tuple[str, int, str]] = []

    def listener(arn: str, event: dict[str, Any]) -> None:
        heard.append((arn, event["id"], event["type"]))

    saga.cloud.add_history_listener(listener)
    try:
        # When a saga runs to its end (a declined payment needs no manager)
        req = saga.request(saga.hotel(), token="tok_chargeDeclined")
        saga.start(req)
        saga.wait_done(req["bookingId"])
    finally:
        saga.cloud.remove_history_listener(listener)
    # Then it heard the same events, in the same order, as GetExecutionHistory returns
    arn = saga.execution_arn(req["bookingId"])
    mine = [(event_id, kind) for a, event_id, kind in heard if a == arn]
    assert mine == [(e["id"], e["type"]) for e in saga.history(req["bookingId"])]
    assert mine[-1][1] == "ExecutionSucceeded" or mine[-1][1] == "ExecutionFailed"
