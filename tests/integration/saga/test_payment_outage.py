"""A booking while the payment gateway is down: the saga waits and retries within its window,
the circuit breaker keeps those retries from reaching the gateway, and the guest is told
PAYMENT_UNAVAILABLE. The outage switch is the SSM parameter, set as an operator would."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hotel_booking.logic.payments import GATEWAY_CALL
from hotel_booking.models import BookingStatus, PaymentStatus
from tests.fixtures.api_client import ApiClient
from tests.fixtures.circuit import reset_circuit, stored_state
from tests.fixtures.events import guest
from tests.fixtures.saga_driver import SagaDriver


def set_outage(saga: SagaDriver, value: str) -> None:
    saga.cloud.client("ssm").put_parameter(
        Name=saga.stack.outputs["PaymentOutageParameterName"], Value=value, Overwrite=True
    )


@pytest.fixture
def outage(outage_saga: SagaDriver) -> Iterator[SagaDriver]:
    table = outage_saga.stack.ref("CircuitBreakerTable")
    dynamodb = outage_saga.cloud.client("dynamodb")
    reset_circuit(dynamodb, table)
    set_outage(outage_saga, "on")
    yield outage_saga
    set_outage(outage_saga, "off")
    reset_circuit(dynamodb, table)


def gateway_calls(saga: SagaDriver, booking_id: str) -> int:
    """Calls that reached the gateway, from RecordPayment's logs for this booking."""
    return sum(
        inv.logs.count(GATEWAY_CALL)
        for inv in saga.cloud.runtime.invocations
        if inv.function == "RecordPaymentFunction" and booking_id in json.dumps(inv.event)
    )


def test_the_outage_switch_is_created_off(outage_saga: SagaDriver) -> None:
    name = outage_saga.stack.outputs["PaymentOutageParameterName"]
    assert name == "/saga-outage/sandbox/payment-outage"
    value = outage_saga.cloud.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    assert value == "off"


def test_a_booking_during_an_outage_ends_payment_unavailable(outage: SagaDriver) -> None:
    saga = outage
    hotel = saga.hotel(rooms=2)
    req = saga.request(hotel, rooms=1)

    saga.start(req)
    done = saga.wait_done(req["bookingId"], timeout=30)

    # The guest's booking failed with the reason they are shown; nothing charged, rooms back
    assert done["status"] == "FAILED"
    assert done["error"] == "PaymentUnavailable"
    booking = saga.booking(req["bookingId"])
    assert booking.status is BookingStatus.FAILED
    assert booking.reason == "PAYMENT_UNAVAILABLE"
    assert saga.payment(req["bookingId"]) is None
    assert saga.inventory(hotel, req) == [2, 2]
    (to_guest,) = saga.guest_emails(req["bookingId"])
    assert "payment provider is unavailable" in to_guest["Body"]
    assert "nothing was charged" in to_guest["Body"]

    # It waited between attempts (3 waits in a 3 s window of 1 s waits), never retried at once
    visited = saga.visited(req["bookingId"])
    assert visited.count("WaitForPaymentGateway") == 3
    assert visited.count("RecordPayment") == 4
    assert visited[-4:] == ["ReleaseRoom", "RecordFailure", "HowDidItEnd", "PaymentUnavailable"]
    assert "RefundPayment" not in visited
    assert saga.attempts(req["bookingId"], "RecordPaymentFunction") == 4

    # Only the attempts before the circuit opened reached the gateway (threshold 2)
    assert gateway_calls(saga, req["bookingId"]) == 2
    assert stored_state(saga.cloud.client("dynamodb"), saga.stack.ref("CircuitBreakerTable")) == (
        "OPEN"
    )


def test_an_open_circuit_fails_the_next_booking_fast(outage: SagaDriver) -> None:
    saga = outage
    hotel = saga.hotel(rooms=2)
    first, second = saga.request(hotel), saga.request(hotel)
    saga.start(first)
    saga.wait_done(first["bookingId"], timeout=30)

    # When the gateway is back but the circuit is still open (cool-down 600 s)...
    set_outage(saga, "off")
    saga.start(second)
    saga.wait_done(second["bookingId"], timeout=30)

    # ...the second booking never reached the gateway: the breaker answered for it
    assert saga.booking(second["bookingId"]).reason == "PAYMENT_UNAVAILABLE"
    assert gateway_calls(saga, second["bookingId"]) == 0


def test_when_the_gateway_is_up_the_same_stack_books(outage_saga: SagaDriver) -> None:
    saga = outage_saga
    reset_circuit(saga.cloud.client("dynamodb"), saga.stack.ref("CircuitBreakerTable"))
    hotel = saga.hotel()
    req = saga.request(hotel)
    saga.start(req)
    saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    payment = saga.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.RECORDED
    assert gateway_calls(saga, req["bookingId"]) == 1
    assert "WaitForPaymentGateway" not in saga.visited(req["bookingId"])


def test_a_guest_waiting_out_an_outage_is_told_until_when_and_can_cancel(
    outage: SagaDriver,
) -> None:
    saga = outage
    api = ApiClient(saga.cloud, saga.stack)
    who = guest("outage-canceller")
    hotel = api.create_hotel(rooms=2)
    booking_id = str(api.book(hotel, who)["bookingId"])

    # While the saga waits for the gateway, the guest's booking says so, and until when.
    view: dict[str, Any] = {}
    for _ in range(300):
        view = dict(api.bookings("GET", f"/bookings/{booking_id}", claims=who).body)
        if view.get("waiting"):
            break
        time.sleep(0.01)
    assert view["status"] == "ROOM_RESERVED"
    assert view["waiting"]["kind"] == "payment"
    until = dt.datetime.fromisoformat(view["waiting"]["until"])
    assert 0 < (until - dt.datetime.fromisoformat(view["createdAt"])).total_seconds() <= 10
    assert view["cancellation"]["charged"] is False

    resp = api.bookings("POST", f"/bookings/{booking_id}/cancel", claims=who)
    assert resp.status == 202, resp.body
    again = api.bookings("POST", f"/bookings/{booking_id}/cancel", claims=who)
    assert again.status == 202  # asking twice is answered, not refused

    done = saga.wait_done(booking_id, timeout=30)
    assert done["error"] == "BookingCancelled"
    booking = saga.booking(booking_id)
    assert (booking.status, booking.reason) == (BookingStatus.CANCELLED, "GUEST_CANCELLED")
    assert saga.payment(booking_id) is None  # nothing charged
    stored = saga.store.hotels.get(hotel["hotelId"])
    assert stored is not None
    stay = {"checkIn": booking.checkIn.isoformat(), "checkOut": booking.checkOut.isoformat()}
    assert saga.inventory(stored, stay) == [2, 2]
    visited = saga.visited(booking_id)
    assert "NotifyManager" not in visited  # the hotel was never asked, nor told
    assert saga.manager_messages(stored, booking_id) == []
    assert visited[-2:] == ["HowDidItEnd", "BookingCancelled"]
    (to_guest,) = saga.guest_emails(booking_id)
    assert "is cancelled: you cancelled it" in to_guest["Body"]
