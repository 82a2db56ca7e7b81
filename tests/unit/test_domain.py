"""Domain rules without AWS: prices, outcomes, messages, the sandbox gateway, input models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from hotel_booking.errors import PaymentDeclined, TransientError
from hotel_booking.logic.domain import (
    FAIL_STATE_BY_REASON,
    failure_class,
    failure_outcome,
    stay_amount,
)
from hotel_booking.logic.ids import approval_id_for, payment_id_for
from hotel_booking.logic.messages import (
    SUBJECT_MAX,
    GuestLetter,
    guest_cancellation_notice,
    guest_notice,
    safe_subject,
)
from hotel_booking.logic.payments import SandboxGateway, gateway_for
from hotel_booking.models import Booking, BookingStatus, FailureReason, Hotel, Stay
from hotel_booking.models.saga import BookingRequest, FailureInput

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def hotel(price: str = "99.99", rooms: int = 5) -> Hotel:
    return Hotel(
        hotelId="h1",
        name="Sea View",
        city="Porto",
        stars=3,
        pricePerNight=Decimal(price),
        rooms=rooms,
        managerEmail="m@example.com",
        createdAt=NOW,
        updatedAt=NOW,
    )


def request(nights: int = 3, rooms: int = 2, **extra: object) -> BookingRequest:
    check_in = dt.date(2027, 5, 1)
    return BookingRequest.model_validate(
        {
            "bookingId": "b1",
            "hotelId": "h1",
            "guest": {"sub": "u1", "name": "Ann", "email": "ann@example.com"},
            "checkIn": check_in.isoformat(),
            "checkOut": (check_in + dt.timedelta(days=nights)).isoformat(),
            "rooms": rooms,
            "paymentToken": "tok_visa",
            **extra,
        }
    )


def test_stay_amount_is_price_times_nights_times_rooms_to_the_cent() -> None:
    assert stay_amount(hotel("99.99"), request(nights=3, rooms=2)) == Decimal("599.94")


def test_request_lists_each_night_checkout_exclusive() -> None:
    assert request(nights=2).nights == [dt.date(2027, 5, 1), dt.date(2027, 5, 2)]


@pytest.mark.parametrize(
    ("nights", "message"), [(0, "after checkIn"), (-1, "after checkIn"), (31, "at most 30")]
)
def test_stay_length_is_validated(nights: int, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        request(nights=nights)


def test_rooms_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="rooms"):
        request(rooms=0)


def test_derived_ids_are_stable_per_booking_and_distinct_per_purpose() -> None:
    assert payment_id_for("b1") == payment_id_for("b1")
    assert payment_id_for("b1") != payment_id_for("b2")
    assert payment_id_for("b1") != approval_id_for("b1")


def failure(error: str, cause: str | None = None, **state: object) -> FailureInput:
    base = request().model_dump(mode="json")
    return FailureInput.model_validate({**base, "error": {"Error": error, "Cause": cause}, **state})


RESERVATION = {
    "hotelName": "Sea View",
    "nights": 3,
    "amount": "10.00",
    "approvalTimeoutSeconds": 60,
}
PAYMENT = {
    "paymentId": "p",
    "bookingId": "b1",
    "amount": "10.00",
    "status": "RECORDED",
    "gatewayReference": "ch",
    "createdAt": NOW.isoformat(),
}


@pytest.mark.parametrize(
    ("error", "state", "status", "reason", "fail_state"),
    [
        ("RoomUnavailable", {}, "FAILED", "ROOM_UNAVAILABLE", "RoomUnavailable"),
        ("HotelNotFound", {}, "FAILED", "HOTEL_NOT_FOUND", "HotelNotFound"),
        ("TransientError", {}, "FAILED", "RESERVATION_ERROR", "ReservationFailed"),
        (
            "PaymentDeclined",
            {"reservation": RESERVATION},
            "FAILED",
            "PAYMENT_DECLINED",
            "PaymentDeclined",
        ),
        (
            "TransientError",
            {"reservation": RESERVATION},
            "FAILED",
            "PAYMENT_ERROR",
            "PaymentFailed",
        ),
        (
            "BookingRejected",
            {"reservation": RESERVATION, "payment": PAYMENT},
            "REJECTED",
            "MANAGER_REJECTED",
            "BookingRejected",
        ),
        (
            "States.Timeout",
            {"reservation": RESERVATION, "payment": PAYMENT},
            "EXPIRED",
            "APPROVAL_TIMEOUT",
            "ApprovalTimedOut",
        ),
        (
            "NotificationError",
            {"reservation": RESERVATION, "payment": PAYMENT},
            "FAILED",
            "NOTIFICATION_ERROR",
            "NotificationFailed",
        ),
        (
            "TransientError",
            {
                "reservation": RESERVATION,
                "payment": PAYMENT,
                "approval": {"approvalId": "a", "decision": "approve", "decidedBy": "m"},
            },
            "FAILED",
            "CONFIRMATION_ERROR",
            "ConfirmationFailed",
        ),
    ],
)
def test_failure_outcome_by_error_and_progress(
    error: str, state: dict[str, object], status: str, reason: str, fail_state: str
) -> None:
    outcome = failure_outcome(failure(error, '{"errorMessage": "boom"}', **state))
    assert (outcome.status.value, outcome.reason.value, outcome.failState) == (
        status,
        reason,
        fail_state,
    )
    # The state machine ends a recorded outcome the same way (HowDidItEndRecorded)
    assert FAIL_STATE_BY_REASON.get(outcome.reason, fail_state) == fail_state


def test_compensation_failure_wins_over_the_original_error() -> None:
    outcome = failure_outcome(
        failure(
            "PaymentDeclined",
            "declined",
            reservation=RESERVATION,
            compensationError={"Error": "TransientError", "Cause": '{"errorMessage": "db down"}'},
        )
    )
    assert outcome.reason is FailureReason.COMPENSATION_FAILED
    assert outcome.failState == "CompensationFailed"
    assert "db down" in outcome.detail and "PaymentDeclined" in outcome.detail


def test_rejection_cause_is_the_managers_reason() -> None:
    outcome = failure_outcome(
        failure(
            "BookingRejected",
            '{"reason": "closed for works", "by": "m"}',
            reservation=RESERVATION,
            payment=PAYMENT,
        )
    )
    assert outcome.detail == "closed for works"


def test_guest_notice_says_what_happened_in_plain_words() -> None:
    subject, body = guest_notice(request(), "Sea View", BookingStatus.CONFIRMED)
    assert subject == "Your booking at Sea View is confirmed"
    assert "Hello Ann" in body and "Sat, 1 May 2027 to Tue, 4 May 2027 (3 nights)" in body
    subject, body = guest_notice(
        request(), "Sea View", BookingStatus.FAILED, FailureReason.PAYMENT_DECLINED
    )
    assert "could not be completed" in subject
    assert "payment was declined" in body
    assert "You have not been charged." in body


def test_a_guest_confirmation_has_the_total_the_policy_and_a_link() -> None:
    letter = GuestLetter(site_url="https://hotels.example/", full_refund_days=7)
    _, body = guest_notice(
        request(),
        "Sea View",
        BookingStatus.CONFIRMED,
        amount=Decimal("1234.5"),
        currency="EUR",
        note="Late arrival is fine",
        letter=letter,
    )
    assert "Total:    €1,234.50" in body
    assert "free (a full refund) until Sat, 24 Apr 2027, 00:00 UTC" in body
    assert "Your booking: https://hotels.example/bookings.html?booking=b1" in body
    assert "The hotel says: “Late arrival is fine”" in body
    assert "(s)" not in body


def test_a_rejection_tells_the_guest_the_hotels_reason_once_punctuated() -> None:
    _, body = guest_notice(
        request(),
        "Sea View",
        BookingStatus.REJECTED,
        FailureReason.MANAGER_REJECTED,
        note="Closed for works.",
    )
    assert "“Closed for works.”" in body and ".." not in body
    assert "refunded in full" in body


def test_one_night_one_room_read_singular() -> None:
    one = request(nights=1, rooms=1)
    at = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    stay = one.model_dump(include=set(Stay.model_fields))
    booking = Booking(
        **stay, status=BookingStatus.CANCELLED, amount=Decimal("80"), createdAt=at, updatedAt=at
    )
    _, body = guest_cancellation_notice(booking, 8000)
    assert "(1 night)" in body and "We refund €80.00 to your card." in body


def test_sandbox_gateway_honours_the_test_tokens() -> None:
    gateway = SandboxGateway()
    ref = gateway.charge("tok_visa", Decimal("10.00"), "EUR", "b1")
    assert ref == gateway.charge("tok_visa", Decimal("10.00"), "EUR", "b1")  # idempotent
    with pytest.raises(PaymentDeclined):
        gateway.charge("tok_chargeDeclined", Decimal("10.00"), "EUR", "b1")
    with pytest.raises(TransientError):
        gateway.charge("tok_processingError", Decimal("10.00"), "EUR", "b1")
    with pytest.raises(PaymentDeclined, match="not one the gateway knows"):
        gateway.charge("tok_nonsense", Decimal("10.00"), "EUR", "b1")


@pytest.mark.parametrize(
    "token", ["tok_live_4242secret", "tok_chargeDeclined", "tok_processingError"]
)
def test_a_payment_token_is_never_in_an_error_message(token: str) -> None:
    # Issue 21: the message became the booking's reason, shown to the hotel's manager, and
    # went into the execution history, the log and the operations alert.
    with pytest.raises(Exception) as failed:
        SandboxGateway().charge(token, Decimal("10.00"), "EUR", "b1")
    assert token not in str(failed.value)


def test_unknown_gateway_name_is_refused() -> None:
    with pytest.raises(ValueError, match="stripe"):
        gateway_for("stripe")


# -- email subjects (issue 9 item 6) ------------------------------------------------------
def test_subjects_carry_no_line_breaks_or_control_characters_and_stay_under_100() -> None:
    assert safe_subject("Approval needed: Ann\nSmith at Grand\r\nHotel") == (
        "Approval needed: Ann Smith at Grand Hotel"
    )
    assert safe_subject("a\x00b\tc\u2028d\u200be\x7f") == "a b c d e"
    long = safe_subject("Your booking at " + "Hotel " * 40)
    assert len(long) == SUBJECT_MAX < 100 and long.endswith("...")
    assert safe_subject("\r\n\t") == "Hotel booking"
    assert safe_subject("Café Zürich") == "Café Zürich"


def test_each_failure_reason_is_a_business_outcome_or_an_incident() -> None:
    # Only what people decided or the inventory said is business; a broken dependency is not.
    classes = {reason: failure_class(reason) for reason in FailureReason}
    assert {r for r, c in classes.items() if c == "operational"} == {
        FailureReason.RESERVATION_ERROR,
        FailureReason.PAYMENT_ERROR,
        FailureReason.PAYMENT_UNAVAILABLE,
        FailureReason.NOTIFICATION_ERROR,
        FailureReason.CONFIRMATION_ERROR,
        FailureReason.COMPENSATION_FAILED,
    }
