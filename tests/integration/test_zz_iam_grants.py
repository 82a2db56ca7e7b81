"""Every AWS call a function made during this test session is allowed by its role.

IAM is not enforced locally; ``tests/fixtures/iam_calls.py`` records each call a function makes
(the session fixture in ``tests/conftest.py`` installs it) as the (action, resource) pairs IAM
checks. This module drives every saga step itself, so it means something when run alone, and
checks the calls its process has seen so far. The whole run is checked once every test of every
process has run (``tests/conftest.py``: each pytest-xdist worker leaves its verdict when its
stack stops, and the controller reports a denied call as the failed test
``test_zz_iam_grants.py::every_call_in_the_whole_run``).
"""

from __future__ import annotations

import pytest

from devstack.run import LocalStack
from hotel_booking.models import BookingStatus, Decision
from tests.conftest import TEMPLATE
from tests.fixtures.iam_calls import CallRecorder, allowed, denied_calls, functions_and_policies
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
    assert denied_calls(local_stack, aws_calls.needs) == []


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


def _poller_needs(source: str) -> list[tuple[str, str]]:
    """What Lambda's poller does with the function's role for one event source (the calls
    localaws's pollers make in-process, with no role at all)."""
    service = source.split(":", 3)[2]
    if service == "dynamodb":
        return [
            ("dynamodb:DescribeStream", source),
            ("dynamodb:GetShardIterator", source),
            ("dynamodb:GetRecords", source),
            ("dynamodb:ListStreams", "*"),  # no resource-level permissions
        ]
    if service == "sqs":
        return [
            ("sqs:ReceiveMessage", source),
            ("sqs:DeleteMessage", source),
            ("sqs:GetQueueAttributes", source),
        ]
    raise AssertionError(f"no poller rule for {source}")


def test_every_event_source_mapping_s_function_may_read_its_source(
    local_stack: LocalStack,
) -> None:
    """On AWS a mapping whose function's role cannot read the stream or queue (or write its
    on-failure destination) never delivers; locally nothing would notice."""
    # The project's stacks only: a worker may also hold the emulator's own fixture stacks,
    # whose SAM-made roles grant polling through AWS managed policies, not inline ones.
    functions = functions_and_policies(local_stack, TEMPLATE)
    mappings = local_stack.cloud.client("lambda").list_event_source_mappings()
    assert mappings["EventSourceMappings"]
    missing, checked = [], 0
    for mapping in mappings["EventSourceMappings"]:
        name = mapping["FunctionArn"].split(":")[6]  # a qualified ARN ends in :live
        if name not in functions:
            continue
        checked += 1
        logical, policies = functions[name]
        needs = _poller_needs(mapping["EventSourceArn"])
        destination = mapping.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            sends = "sqs:SendMessage" if ":sqs:" in destination else "sns:Publish"
            needs.append((sends, destination))
        missing += [(logical, a, r) for a, r in needs if not allowed(policies, a, r)]
    assert checked, "no mapping of this project's template was deployed"
    assert missing == []
