"""Every AWS call a function made during this test session is allowed by its role.

IAM is not enforced locally; ``tests/iam_calls.py`` records each call a function makes (the
session fixture in ``tests/conftest.py`` installs it) as the (action, resource) pairs IAM
checks. This module drives every saga step itself, so it means something when run alone; in a
full run it also checks everything the API, browser and stack tests made the API functions do.
Named ``zz`` so that it runs after the other stack tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from hotel_booking.models import BookingStatus, Decision
from localaws.stack import LocalStack
from tests.fixtures.iam_calls import CallRecorder, allowed
from tests.fixtures.saga_driver import SagaDriver

SAGA_FUNCTIONS = {
    "ReserveRoomFunction",
    "RecordPaymentFunction",
    "NotifyManagerFunction",
    "ConfirmBookingFunction",
    "RefundPaymentFunction",
    "ReleaseRoomFunction",
    "RecordFailureFunction",
}


def functions_and_policies(local_stack: LocalStack) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Function name -> (logical id, its role's inline policies as deployed)."""
    out = {}
    for stack in local_stack.cloud.stacks.values():
        roles = {role.attributes["Arn"]: role for role in stack.of_type("AWS::IAM::Role")}
        for fn in stack.of_type("AWS::Lambda::Function"):
            role = roles[fn.properties["Role"]]
            out[fn.ref] = (fn.logical_id, list(role.properties.get("Policies", [])))
    return out


@pytest.fixture(scope="module")
def driven(local_stack: LocalStack) -> None:
    """One booking confirmed, one rejected after payment, one declined at payment."""
    assert local_stack.stack is not None
    driver = SagaDriver(local_stack.cloud, local_stack.stack)
    hotel = driver.hotel(rooms=3)
    confirmed = driver.request(hotel)
    rejected = driver.request(hotel)
    declined = driver.request(hotel, token="tok_chargeDeclined")
    for request in (confirmed, rejected, declined):
        driver.start(request)
    driver.wait_status(confirmed["bookingId"], BookingStatus.AWAITING_APPROVAL)
    driver.wait_status(rejected["bookingId"], BookingStatus.AWAITING_APPROVAL)
    driver.decide(confirmed["bookingId"], Decision.APPROVE)
    driver.decide(rejected["bookingId"], Decision.REJECT, "full")
    for request in (confirmed, rejected, declined):
        driver.wait_done(request["bookingId"])


def test_every_call_a_function_made_is_allowed_by_its_role(
    local_stack: LocalStack, aws_calls: CallRecorder, driven: None
) -> None:
    functions = functions_and_policies(local_stack)
    denied = sorted(
        (functions[need.function][0], need.action, need.resource)
        for need in aws_calls.needs
        if need.function in functions
        and not allowed(functions[need.function][1], need.action, need.resource)
    )
    assert denied == []


def test_every_saga_step_was_exercised(
    local_stack: LocalStack, aws_calls: CallRecorder, driven: None
) -> None:
    functions = functions_and_policies(local_stack)
    seen = {functions[n.function][0] for n in aws_calls.needs if n.function in functions}
    assert seen >= SAGA_FUNCTIONS


def test_a_call_outside_the_role_is_reported(local_stack: LocalStack) -> None:
    # The check itself: ConfirmBooking may update bookings, not delete hotels.
    functions = functions_and_policies(local_stack)
    policies = next(p for logical, p in functions.values() if logical == "ConfirmBookingFunction")
    assert local_stack.stack is not None
    bookings = local_stack.stack.att("BookingsTable", "Arn")
    hotels = local_stack.stack.att("HotelsTable", "Arn")
    assert allowed(policies, "dynamodb:UpdateItem", bookings)
    assert not allowed(policies, "dynamodb:DeleteItem", hotels)
    assert not allowed(policies, "sns:Unsubscribe", "*")
