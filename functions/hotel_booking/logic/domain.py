"""Pure domain rules: a stay's price and how a failed saga ended. No AWS, no I/O."""

from __future__ import annotations

import json
from decimal import Decimal

from hotel_booking.models import BookingStatus, FailureReason, Hotel, Stay
from hotel_booking.models.domain import to_cents
from hotel_booking.models.saga import FailureInput, Outcome


def stay_amount(hotel: Hotel, stay: Stay) -> Decimal:
    """Price of the stay: price per night x nights x rooms, rounded to the cent."""
    return to_cents(hotel.pricePerNight * len(stay.nights) * stay.rooms)


# Error name (from the Catch) -> (status, reason, Fail state) for errors that say it all.
_BY_ERROR: dict[str, tuple[BookingStatus, FailureReason, str]] = {
    "RoomUnavailable": (BookingStatus.FAILED, FailureReason.ROOM_UNAVAILABLE, "RoomUnavailable"),
    "HotelNotFound": (BookingStatus.FAILED, FailureReason.HOTEL_NOT_FOUND, "HotelNotFound"),
    "PaymentDeclined": (BookingStatus.FAILED, FailureReason.PAYMENT_DECLINED, "PaymentDeclined"),
    "BookingRejected": (BookingStatus.REJECTED, FailureReason.MANAGER_REJECTED, "BookingRejected"),
    "PaymentGatewayUnavailable": (
        BookingStatus.FAILED,
        FailureReason.PAYMENT_UNAVAILABLE,
        "PaymentUnavailable",
    ),
    "BookingCancelled": (
        BookingStatus.CANCELLED,
        FailureReason.GUEST_CANCELLED,
        "BookingCancelled",
    ),
}


#: The Fail state each recorded reason ends in (the state machine's ``HowDidItEndRecorded``
#: holds the same table, for a RecordFailure whose answer was lost after it wrote the outcome;
#: ``tests/unit/test_contracts.py`` keeps them equal). COMPENSATION_FAILED and GUEST_CANCELLED
#: are absent: their alert or manager notice cannot be seen in the record, so they alert.
FAIL_STATE_BY_REASON: dict[FailureReason, str] = {
    FailureReason.ROOM_UNAVAILABLE: "RoomUnavailable",
    FailureReason.HOTEL_NOT_FOUND: "HotelNotFound",
    FailureReason.RESERVATION_ERROR: "ReservationFailed",
    FailureReason.PAYMENT_DECLINED: "PaymentDeclined",
    FailureReason.PAYMENT_ERROR: "PaymentFailed",
    FailureReason.PAYMENT_UNAVAILABLE: "PaymentUnavailable",
    FailureReason.NOTIFICATION_ERROR: "NotificationFailed",
    FailureReason.CONFIRMATION_ERROR: "ConfirmationFailed",
    FailureReason.MANAGER_REJECTED: "BookingRejected",
    FailureReason.APPROVAL_TIMEOUT: "ApprovalTimedOut",
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


#: Ways a booking ends that are the system working as designed: a guest or a manager decided,
#: the room sold out, the card was declined, the manager did not answer. Never an incident.
BUSINESS_REASONS = frozenset(
    {
        FailureReason.ROOM_UNAVAILABLE,
        FailureReason.HOTEL_NOT_FOUND,
        FailureReason.PAYMENT_DECLINED,
        FailureReason.GUEST_CANCELLED,
        FailureReason.MANAGER_REJECTED,
        FailureReason.APPROVAL_TIMEOUT,
    }
)


def failure_class(reason: FailureReason) -> str:
    """``business`` or ``operational``: whether a failed saga is an outcome or an incident.

    The saga ends in a Fail state either way, so Step Functions' ``ExecutionsFailed`` cannot
    tell them apart; the operational-failures alarm watches this class (docs/operations.md)."""
    return "business" if reason in BUSINESS_REASONS else "operational"
