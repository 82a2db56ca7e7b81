"""The console shows the cancellation state machine beside the booking saga: its own list,
one execution's page with the picture of the cancellation machine, and its JSON."""

from __future__ import annotations

import json
import re
import time

import pytest

from devstack.run import LocalStack
from hotel_booking.logic.ids import CANCELLATION_PREFIX, cancellation_id_for
from hotel_booking.models import BookingStatus, Decision
from hotel_booking.models.saga import CancellationRequest
from support_console import resources
from tests.fixtures.saga_driver import SagaDriver
from tests.support_console.test_console import get, state_classes

CANCELLED_PATH = [
    "RefundDue",
    "RefundPayment",
    "ReleaseRoom",
    "FinishCancellation",
    "BookingCancelled",
]


@pytest.fixture(scope="module")
def cancelled(driver: SagaDriver, local_stack: LocalStack) -> str:
    """A confirmed booking, then cancelled through its cancellation saga."""
    hotel = driver.hotel(rooms=2)
    request = driver.request(hotel)
    booking_id = request["bookingId"]
    driver.start(request)
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    driver.decide(booking_id, Decision.APPROVE)
    driver.wait_done(booking_id)
    assert driver.store.bookings.request_cancellation(
        booking_id, hotel.hotelId, 24000, "Ann", driver.booking(booking_id).updatedAt
    )
    assert local_stack.stack is not None
    machine = local_stack.stack.ref("CancellationStateMachine")
    arn = driver.sfn.start_execution(
        stateMachineArn=machine,
        name=cancellation_id_for(booking_id),
        input=CancellationRequest(
            bookingId=booking_id, refundCents=24000, requestedBy="Ann"
        ).model_dump_json(),
    )["executionArn"]
    for _ in range(2000):
        if driver.sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
            break
        time.sleep(0.01)
    assert driver.booking(booking_id).status is BookingStatus.CANCELLED
    return str(booking_id)


def test_the_console_and_the_product_name_cancellations_alike() -> None:
    assert resources.CANCELLATION_PREFIX == CANCELLATION_PREFIX


def test_both_lists_are_tabs_and_each_lists_its_own_executions(
    local_stack: LocalStack, cancelled: str
) -> None:
    bookings_page = get(local_stack, "/console/").text
    assert 'href="/console/cancellations/"' in bookings_page
    assert f'href="/console/executions/{cancelled}"' in bookings_page

    page = get(local_stack, "/console/cancellations/").text
    assert "Cancellation executions" in page
    rows = re.findall(r'<tr data-status="([A-Z_]+)">.*?href="/console/cancellations/([^"]+)"', page)
    assert ("SUCCEEDED", cancelled) in rows
    booking_ids = {b for _, b in rows}
    assert all(not b.startswith(CANCELLATION_PREFIX) for b in booking_ids)


def test_a_cancellation_page_draws_the_cancellation_machine(
    local_stack: LocalStack, cancelled: str
) -> None:
    page = get(local_stack, f"/console/cancellations/{cancelled}").text
    classes = state_classes(page)
    assert {n for n, css in classes.items() if "visited" in css} == set(CANCELLED_PATH)
    assert "AlertOperations" in classes and "ReserveRoom" not in classes
    assert "end" in classes["BookingCancelled"]
    assert "CANCELLED" in page  # the booking record
    assert 'href="/console/cancellations/"' in page

    data = get(local_stack, f"/console/api/cancellations/{cancelled}").json()
    assert [v["name"] for v in data["path"]] == CANCELLED_PATH
    assert data["bookingId"] == cancelled
    assert data["booking"]["status"] == "CANCELLED"
    listed = get(local_stack, "/console/api/cancellations").json()
    assert cancelled in [e["bookingId"] for e in listed["executions"]]


def test_a_booking_with_no_cancellation_is_a_404_there(
    local_stack: LocalStack, cancelled: str, driver: SagaDriver
) -> None:
    get(local_stack, "/console/cancellations/bk-never-cancelled", status=404)
    get(local_stack, f"/console/executions/{cancelled}")  # its booking saga is still there


def test_the_cli_lists_and_shows_cancellations(
    capsys: pytest.CaptureFixture[str], local_stack: LocalStack, cancelled: str
) -> None:
    from support_console.cli import main

    assert main(["list", "--cancellations", "--endpoint", local_stack.aws_url]) == 0
    listed = capsys.readouterr().out
    assert any(line.startswith(f"{cancelled} ") for line in listed.splitlines())
    show = ["show", cancelled, "--cancellations", "--json", "--endpoint", local_stack.aws_url]
    assert main(show) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["name"] for v in data["path"]] == CANCELLED_PATH
