"""Two bookings through the deployed saga, for the console and CLI tests to look at: one the
manager approves (confirmed) and one whose card is declined (compensated: room released)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from devstack.run import LocalStack
from hotel_booking.models import BookingStatus, Decision
from tests.fixtures.saga_driver import SagaDriver

CONFIRMED_PATH = [
    "ReserveRoom",
    "RecordPayment",
    "NotifyManager",
    "ConfirmBooking",
    "BookingConfirmed",
]
COMPENSATED_PATH = [
    "ReserveRoom",
    "RecordPayment",
    "ReleaseRoom",
    "RecordFailure",
    "HowDidItEnd",
    "PaymentDeclined",
]


@dataclass(frozen=True)
class Bookings:
    confirmed: str
    compensated: str
    hotel_name: str


@pytest.fixture(scope="session")
def driver(local_stack: LocalStack) -> SagaDriver:
    assert local_stack.stack is not None
    return SagaDriver(local_stack.cloud, local_stack.stack)


@pytest.fixture(scope="session")
def bookings(driver: SagaDriver) -> Bookings:
    hotel = driver.hotel(rooms=3)

    confirmed = driver.request(hotel)
    driver.start(confirmed)
    driver.wait_status(confirmed["bookingId"], BookingStatus.AWAITING_APPROVAL)
    driver.decide(confirmed["bookingId"], Decision.APPROVE)
    assert driver.wait_done(confirmed["bookingId"])["status"] == "SUCCEEDED"

    compensated = driver.request(hotel, token="tok_chargeDeclined")
    driver.start(compensated)
    assert driver.wait_done(compensated["bookingId"])["status"] == "FAILED"

    return Bookings(confirmed["bookingId"], compensated["bookingId"], hotel.name)
