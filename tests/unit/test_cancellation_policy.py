"""The cancellation policy and who may cancel what, on a fake clock (no AWS)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotel_booking.logic.cancellations import CancellationPolicy, refusal
from hotel_booking.models import Booking, BookingStatus, Guest

CHECK_IN = dt.date(2027, 6, 10)
POLICY = CancellationPolicy(full_refund_days=2)


def booking(status: BookingStatus, amount: str = "240.00") -> Booking:
    at = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    return Booking(
        bookingId="bk_1",
        hotelId="h1",
        guest=Guest(sub="g", name="Ann", email="ann@example.com"),
        checkIn=CHECK_IN,
        checkOut=CHECK_IN + dt.timedelta(days=2),
        rooms=1,
        amount=Decimal(amount),
        status=status,
        createdAt=at,
        updatedAt=at,
    )


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 6, day, hour, minute, tzinfo=dt.UTC)


def test_full_refund_until_midnight_utc_the_given_days_before_check_in() -> None:
    confirmed = booking(BookingStatus.CONFIRMED)
    assert POLICY.deadline(confirmed) == at(8)
    assert POLICY.refund_cents(confirmed, at(7, 23, 59)) == 24000
    assert POLICY.refund_cents(confirmed, at(8)) == 0
    terms = POLICY.terms(confirmed, at(1))
    assert terms is not None
    assert (terms.refundCents, terms.deadline, terms.fullRefundDays) == (24000, at(8), 2)
    late = POLICY.terms(confirmed, at(9))  # still cancellable, without refund
    assert late is not None and late.refundCents == 0


def test_awaiting_approval_is_always_refunded_in_full() -> None:
    waiting = booking(BookingStatus.AWAITING_APPROVAL)
    assert POLICY.refund_cents(waiting, at(9, 12)) == 24000


def test_zero_days_means_full_refund_until_the_check_in_day() -> None:
    policy = CancellationPolicy(full_refund_days=0)
    assert policy.refund_cents(booking(BookingStatus.CONFIRMED), at(9, 23, 59)) == 24000


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (BookingStatus.FAILED, "is failed: there is nothing to cancel"),
        (BookingStatus.REJECTED, "is rejected: there is nothing to cancel"),
        (BookingStatus.EXPIRED, "is expired: there is nothing to cancel"),
        (BookingStatus.CANCELLED, "is already cancelled"),
        (BookingStatus.PENDING, "still being processed"),
    ],
)
def test_what_cannot_be_cancelled_says_why(status: BookingStatus, words: str) -> None:
    problem = refusal(booking(status), at(1))
    assert problem is not None and words in problem
    assert POLICY.terms(booking(status), at(1)) is None


@pytest.mark.parametrize(
    ("status", "charged"),
    [(BookingStatus.ROOM_RESERVED, False), (BookingStatus.PAYMENT_RECORDED, True)],
)
def test_a_booking_under_way_can_be_cancelled_in_full(status: BookingStatus, charged: bool) -> None:
    early = booking(status)
    assert refusal(early, at(1)) is None
    terms = POLICY.terms(early, at(1))
    assert terms is not None and terms.refundCents == 24000 and terms.charged is charged
    asked = early.model_copy(update={"cancelRequestedAt": at(1)})
    assert refusal(asked, at(1)) is None and POLICY.terms(asked, at(1)) is None


def test_a_stay_that_has_begun_cannot_be_cancelled() -> None:
    confirmed = booking(BookingStatus.CONFIRMED)
    assert refusal(confirmed, at(9, 23, 59)) is None
    problem = refusal(confirmed, at(10))
    assert problem is not None and "has begun or is over" in problem
    assert refusal(confirmed, at(20)) == problem
    assert POLICY.terms(confirmed, at(10)) is None


def test_a_booking_being_cancelled_is_answered_not_refused() -> None:
    cancelling = booking(BookingStatus.CANCELLING)
    assert refusal(cancelling, at(1)) is None
    assert POLICY.terms(cancelling, at(1)) is None
