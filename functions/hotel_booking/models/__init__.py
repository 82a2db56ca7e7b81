"""Pydantic models: ``domain`` (the records), ``saga`` (state machine data), ``api`` (HTTP).

The domain names are re-exported here, as they are what most code and tests speak of.
"""

from hotel_booking.models.domain import (
    CURRENCY,
    FINAL_STATUSES,
    MAX_NIGHTS,
    Approval,
    ApprovalState,
    Booking,
    BookingStatus,
    Decision,
    Email,
    FailureReason,
    Guest,
    Hotel,
    Id,
    Money,
    Payment,
    PaymentStatus,
    ReservationState,
    Stay,
    StepLogEntry,
)

__all__ = [
    "CURRENCY",
    "FINAL_STATUSES",
    "MAX_NIGHTS",
    "Approval",
    "ApprovalState",
    "Booking",
    "BookingStatus",
    "Decision",
    "Email",
    "FailureReason",
    "Guest",
    "Hotel",
    "Id",
    "Money",
    "Payment",
    "PaymentStatus",
    "ReservationState",
    "Stay",
    "StepLogEntry",
]
