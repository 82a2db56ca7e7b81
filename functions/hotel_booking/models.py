"""Pydantic models for every boundary of the saga: step input, step results, stored records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_NIGHTS = 30
CURRENCY = "EUR"

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class BookingStatus(StrEnum):
    PENDING = "PENDING"
    ROOM_RESERVED = "ROOM_RESERVED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    def reached(self, other: BookingStatus) -> bool:
        """True when this status is ``other`` or further along the happy path."""
        order = _HAPPY_PATH
        return self in order and other in order and order.index(self) >= order.index(other)


_HAPPY_PATH = (
    BookingStatus.PENDING,
    BookingStatus.ROOM_RESERVED,
    BookingStatus.PAYMENT_RECORDED,
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.CONFIRMED,
)

FINAL_STATUSES = frozenset(
    {BookingStatus.CONFIRMED, BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.FAILED}
)


class FailureReason(StrEnum):
    ROOM_UNAVAILABLE = "ROOM_UNAVAILABLE"
    HOTEL_NOT_FOUND = "HOTEL_NOT_FOUND"
    RESERVATION_ERROR = "RESERVATION_ERROR"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_ERROR = "PAYMENT_ERROR"
    NOTIFICATION_ERROR = "NOTIFICATION_ERROR"
    CONFIRMATION_ERROR = "CONFIRMATION_ERROR"
    MANAGER_REJECTED = "MANAGER_REJECTED"
    APPROVAL_TIMEOUT = "APPROVAL_TIMEOUT"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"


class PaymentStatus(StrEnum):
    RECORDED = "RECORDED"
    REFUNDED = "REFUNDED"


class ReservationState(StrEnum):
    RESERVED = "RESERVED"
    RELEASED = "RELEASED"


class ApprovalState(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Guest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: Id
    name: Annotated[str, Field(min_length=1, max_length=100)]
    email: Email


class Hotel(BaseModel):
    hotelId: Id
    name: Annotated[str, Field(min_length=1, max_length=120)]
    city: Annotated[str, Field(min_length=1, max_length=80)]
    stars: Annotated[int, Field(ge=1, le=5)]
    pricePerNight: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    currency: str = CURRENCY
    rooms: Annotated[int, Field(ge=1, le=10_000)]
    managerEmail: Email
    imageKey: str | None = None
    createdAt: dt.datetime
    updatedAt: dt.datetime


class BookingRequest(BaseModel):
    """The execution input: what a guest asked for. Later steps add their results beside it."""

    model_config = ConfigDict(extra="ignore")

    bookingId: Id
    hotelId: Id
    guest: Guest
    checkIn: dt.date
    checkOut: dt.date
    rooms: Annotated[int, Field(ge=1, le=10_000)]
    paymentToken: Annotated[str, Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _stay_length(self) -> BookingRequest:
        nights = (self.checkOut - self.checkIn).days
        if nights < 1:
            raise ValueError("checkOut must be after checkIn")
        if nights > MAX_NIGHTS:
            raise ValueError(f"a stay is at most {MAX_NIGHTS} nights")
        return self

    @property
    def nights(self) -> list[dt.date]:
        n = (self.checkOut - self.checkIn).days
        return [self.checkIn + dt.timedelta(days=i) for i in range(n)]


class Reservation(BaseModel):
    """ReserveRoom's result, kept at ``$.reservation``."""

    hotelName: str
    nights: int
    amount: Money
    currency: str = CURRENCY


class Payment(BaseModel):
    """A payment record and RecordPayment's result at ``$.payment``."""

    paymentId: str
    bookingId: Id
    amount: Money
    currency: str = CURRENCY
    status: PaymentStatus
    gatewayReference: str
    createdAt: dt.datetime
    refundedAt: dt.datetime | None = None


class Approval(BaseModel):
    """The approval record: the only place the task token lives."""

    approvalId: str
    bookingId: Id
    hotelId: Id
    taskToken: str
    state: ApprovalState
    expiresAt: dt.datetime
    notifiedAt: dt.datetime | None = None
    decidedAt: dt.datetime | None = None
    decidedBy: str | None = None
    decisionReason: str | None = None


class ApprovalOutcome(BaseModel):
    """What SendTaskSuccess hands back to the execution at ``$.approval``."""

    approvalId: str
    decision: Decision
    decidedBy: str


class StepLogEntry(BaseModel):
    state: str
    at: dt.datetime


class Booking(BaseModel):
    """The booking record as stored and as shown to people."""

    bookingId: Id
    hotelId: Id
    hotelName: str | None = None
    guest: Guest
    checkIn: dt.date
    checkOut: dt.date
    rooms: int
    amount: Money | None = None
    currency: str = CURRENCY
    status: BookingStatus
    reason: FailureReason | None = None
    reasonDetail: str | None = None
    executionArn: str | None = None
    steps: list[StepLogEntry] = Field(default_factory=list)
    createdAt: dt.datetime
    updatedAt: dt.datetime


class StepError(BaseModel):
    """What a Catch puts at ``$.error`` / ``$.compensationError``."""

    Error: str
    Cause: str | None = None


class FailureInput(BaseModel):
    """RecordFailure's input: whatever the saga had got to, plus the error that stopped it."""

    model_config = ConfigDict(extra="ignore")

    bookingId: Id
    hotelId: Id
    guest: Guest
    checkIn: dt.date
    checkOut: dt.date
    rooms: int
    reservation: Reservation | None = None
    payment: Payment | None = None
    approval: ApprovalOutcome | None = None
    error: StepError
    compensationError: StepError | None = None


class Outcome(BaseModel):
    """RecordFailure's result at ``$.outcome``; ``failState`` names the Fail state to end in."""

    status: BookingStatus
    reason: FailureReason
    failState: str
    detail: str


def as_state(model: BaseModel) -> dict[str, Any]:
    """Serialise a model to what a Lambda returns into the execution (JSON types only)."""
    return model.model_dump(mode="json", exclude_none=True)
