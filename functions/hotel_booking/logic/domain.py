"""Pure domain rules: prices, outcomes, message texts. No AWS, no I/O."""

from __future__ import annotations

import json
import uuid
from decimal import ROUND_HALF_UP, Decimal

from hotel_booking.models import (
    BookingRequest,
    BookingStatus,
    FailureInput,
    FailureReason,
    Hotel,
    Outcome,
)

_CENT = Decimal("0.01")
# A fixed namespace so an id derived from a bookingId is the same on every retry.
_NAMESPACE = uuid.UUID("6f1c8d2e-3b7a-4c55-9a0e-2d4b8f1e7c31")


def stay_amount(hotel: Hotel, request: BookingRequest) -> Decimal:
    """Price of the stay: price per night x nights x rooms, rounded to the cent."""
    total = hotel.pricePerNight * len(request.nights) * request.rooms
    return total.quantize(_CENT, rounding=ROUND_HALF_UP)


def derived_id(prefix: str, booking_id: str) -> str:
    """An id that a retry of the same booking's step computes again, never a fresh one."""
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, f'{prefix}:{booking_id}').hex[:20]}"


# Error name (from the Catch) -> (status, reason, Fail state) for errors that say it all.
_BY_ERROR: dict[str, tuple[BookingStatus, FailureReason, str]] = {
    "RoomUnavailable": (BookingStatus.FAILED, FailureReason.ROOM_UNAVAILABLE, "RoomUnavailable"),
    "HotelNotFound": (BookingStatus.FAILED, FailureReason.HOTEL_NOT_FOUND, "HotelNotFound"),
    "PaymentDeclined": (BookingStatus.FAILED, FailureReason.PAYMENT_DECLINED, "PaymentDeclined"),
    "BookingRejected": (BookingStatus.REJECTED, FailureReason.MANAGER_REJECTED, "BookingRejected"),
}


def error_message(cause: str | None) -> str:
    """The human part of a Cause: Lambda errors arrive as JSON with an errorMessage."""
    if not cause:
        return ""
    try:
        data = json.loads(cause)
    except ValueError:
        return cause
    if isinstance(data, dict):
        return str(data.get("errorMessage") or data.get("reason") or cause)
    return cause


def failure_outcome(failure: FailureInput) -> Outcome:
    """Decide how a booking ended from the error and how far the saga had got.

    The step that failed is read from the results present: no reservation means the
    reservation failed, no payment means the payment failed, and so on.
    """
    error = failure.error.Error
    cause = error_message(failure.error.Cause) or error
    if failure.compensationError is not None:
        comp = failure.compensationError
        detail = (
            f"compensation failed with {comp.Error} ({error_message(comp.Cause)}) after {error}"
        )
        return Outcome(
            status=BookingStatus.FAILED,
            reason=FailureReason.COMPENSATION_FAILED,
            failState="CompensationFailed",
            detail=detail,
        )
    if error in _BY_ERROR:
        status, reason, fail_state = _BY_ERROR[error]
        return Outcome(status=status, reason=reason, failState=fail_state, detail=cause)
    if failure.reservation is None:
        status, reason, fail_state = (
            BookingStatus.FAILED,
            FailureReason.RESERVATION_ERROR,
            "ReservationFailed",
        )
    elif failure.payment is None:
        status, reason, fail_state = (
            BookingStatus.FAILED,
            FailureReason.PAYMENT_ERROR,
            "PaymentFailed",
        )
    elif error == "States.Timeout":
        status, reason, fail_state = (
            BookingStatus.EXPIRED,
            FailureReason.APPROVAL_TIMEOUT,
            "ApprovalTimedOut",
        )
        cause = "the hotel manager did not answer in time"
    elif failure.approval is None:
        status, reason, fail_state = (
            BookingStatus.FAILED,
            FailureReason.NOTIFICATION_ERROR,
            "NotificationFailed",
        )
    else:
        status, reason, fail_state = (
            BookingStatus.FAILED,
            FailureReason.CONFIRMATION_ERROR,
            "ConfirmationFailed",
        )
    return Outcome(status=status, reason=reason, failState=fail_state, detail=f"{error}: {cause}")


_GUEST_SUBJECTS = {
    BookingStatus.CONFIRMED: "Your booking at {hotel} is confirmed",
    BookingStatus.REJECTED: "Your booking at {hotel} was declined",
    BookingStatus.EXPIRED: "Your booking at {hotel} expired",
    BookingStatus.FAILED: "Your booking at {hotel} could not be completed",
}

_REASON_TEXT = {
    FailureReason.ROOM_UNAVAILABLE: "there are not enough rooms left for your dates",
    FailureReason.HOTEL_NOT_FOUND: "the hotel is no longer listed",
    FailureReason.RESERVATION_ERROR: "we could not reserve your room",
    FailureReason.PAYMENT_DECLINED: "your payment was declined",
    FailureReason.PAYMENT_ERROR: "the payment could not be processed",
    FailureReason.NOTIFICATION_ERROR: "we could not reach the hotel",
    FailureReason.CONFIRMATION_ERROR: "we could not confirm your booking",
    FailureReason.MANAGER_REJECTED: "the hotel declined the request",
    FailureReason.APPROVAL_TIMEOUT: "the hotel did not answer in time",
    FailureReason.COMPENSATION_FAILED: "something went wrong; our staff have been alerted",
}


def guest_notice(
    request: BookingRequest,
    hotel_name: str,
    status: BookingStatus,
    reason: FailureReason | None = None,
) -> tuple[str, str]:
    """Subject and body of the message that tells the guest how their booking ended."""
    subject = _GUEST_SUBJECTS[status].format(hotel=hotel_name)
    lines = [
        f"Hello {request.guest.name},",
        "",
        f"Booking {request.bookingId} at {hotel_name}: "
        f"{request.checkIn.isoformat()} to {request.checkOut.isoformat()}, "
        f"{request.rooms} room(s).",
    ]
    if status is BookingStatus.CONFIRMED:
        lines.append("Your stay is confirmed. We look forward to welcoming you.")
    else:
        why = _REASON_TEXT.get(reason, "it could not be completed") if reason else "unknown"
        lines.append(f"Status: {status.value} — {why}.")
        lines.append("Any payment taken has been refunded.")
    return subject, "\n".join(lines)
