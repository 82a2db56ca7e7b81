"""The business's records: hotels, bookings, payments, approvals, and the stay they share."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import ConfigDict, Field

from hotel_booking.models.base import Model

MAX_NIGHTS = 30
CURRENCY = "EUR"
CENT = Decimal("0.01")

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
RoomCount = Annotated[int, Field(ge=1, le=10_000)]


def to_cents(amount: Decimal) -> Decimal:
    """Money as stored and shown: rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def stay_length_problem(check_in: dt.date, check_out: dt.date) -> str | None:
    """The one rule on a stay's length: at least one night, at most MAX_NIGHTS."""
    nights = (check_out - check_in).days
    if nights < 1:
        return "checkOut must be after checkIn"
    if nights > MAX_NIGHTS:
        return f"a stay is at most {MAX_NIGHTS} nights"
    return None


class BookingStatus(StrEnum):
    PENDING = "PENDING"
    ROOM_RESERVED = "ROOM_RESERVED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"
    #: The guest cancelled a confirmed booking; the cancellation saga is refunding and releasing.
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"

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
    {
        BookingStatus.CONFIRMED,
        BookingStatus.REJECTED,
        BookingStatus.EXPIRED,
        BookingStatus.FAILED,
        BookingStatus.CANCELLED,
    }
)


class FailureReason(StrEnum):
    """Why a booking did not end CONFIRMED; the guest's message explains each."""

    ROOM_UNAVAILABLE = "ROOM_UNAVAILABLE"
    HOTEL_NOT_FOUND = "HOTEL_NOT_FOUND"
    RESERVATION_ERROR = "RESERVATION_ERROR"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_ERROR = "PAYMENT_ERROR"
    #: The gateway stayed unavailable (outage or open circuit) for the whole retry window.
    PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE"
    #: The guest cancelled (before or after the manager approved).
    GUEST_CANCELLED = "GUEST_CANCELLED"
    NOTIFICATION_ERROR = "NOTIFICATION_ERROR"
    CONFIRMATION_ERROR = "CONFIRMATION_ERROR"
    MANAGER_REJECTED = "MANAGER_REJECTED"
    APPROVAL_TIMEOUT = "APPROVAL_TIMEOUT"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"


class Decision(StrEnum):
    """A manager's answer, as the links and the dashboard spell it."""

    APPROVE = "approve"
    REJECT = "reject"


class Guest(Model):
    model_config = ConfigDict(extra="forbid")

    sub: Id
    name: Annotated[str, Field(min_length=1, max_length=100)]
    email: Email


def nights(check_in: dt.date, check_out: dt.date) -> list[dt.date]:
    """The nights of a stay: check-in up to, not including, check-out."""
    return [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]


class HotelFacts(Model):
    """A hotel's public fields: what the write model, the search projection and every hop
    between them share (the API view shows the price in cents and a picture URL instead)."""

    hotelId: Id
    name: Annotated[str, Field(min_length=1, max_length=120)]
    city: Annotated[str, Field(min_length=1, max_length=80)]
    stars: Annotated[int, Field(ge=1, le=5)]
    pricePerNight: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    currency: str = CURRENCY
    rooms: RoomCount
    imageKey: str | None = None

    def facts(self) -> dict[str, Any]:
        """Only these public fields (a hotel's manager and version stay behind), to build the
        next hop's model from: the event detail, the search document."""
        return self.model_dump(include=set(HotelFacts.model_fields))


class Hotel(HotelFacts):
    managerEmail: Email
    #: The manager's Cognito ``sub``: who manages the hotel. ``managerEmail`` is only where
    #: the approval emails go. None on hotels stored before issue 9 item 2 (nobody manages
    #: them until ``deploy/managers.py`` or an Admin assigns the manager again).
    managerSub: str | None = None
    createdAt: dt.datetime
    updatedAt: dt.datetime
    #: 1 when created, one more with every write of the item (optimistic locking; a record
    #: written before versions existed reads as 0). A reservation conditions its transaction
    #: on the version it read the room count at (``logic/inventory.py``); the events published
    #: from the table carry it, and the search projection keeps the newest.
    version: Annotated[int, Field(ge=0)] = 0
    #: Set while an Admin's lower room count is being checked against what is held: until it
    #: is lifted, no night may fill beyond it.
    loweringTo: RoomCount | None = None


class PoolUser(Model):
    """A user of the Cognito user pool, as the user admin sees them."""

    model_config = ConfigDict(frozen=True)

    userId: str  # Cognito's Username: in this pool (email as username) a UUID, the sub
    sub: str
    email: str | None = None
    emailVerified: bool = False
    name: str | None = None
    status: str
    enabled: bool
    groups: frozenset[str] = frozenset()


class Stay(Model):
    """Who stays where, when, in how many rooms: what a request, a booking record and a
    failed saga's state all carry."""

    bookingId: Id
    hotelId: Id
    guest: Guest
    checkIn: dt.date
    checkOut: dt.date
    rooms: int

    @property
    def nights(self) -> list[dt.date]:
        return nights(self.checkIn, self.checkOut)


class PaymentStatus(StrEnum):
    """A payment is refunded at most once."""

    RECORDED = "RECORDED"
    REFUNDED = "REFUNDED"


class Payment(Model):
    """A payment record and RecordPayment's result at ``$.payment``."""

    paymentId: str
    bookingId: Id
    amount: Money
    currency: str = CURRENCY
    status: PaymentStatus
    gatewayReference: str
    createdAt: dt.datetime
    refundedAt: dt.datetime | None = None


class ApprovalState(StrEnum):
    """PENDING until exactly one decision, the timeout or a failed saga closes it."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class Approval(Model):
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


class ApprovalOutcome(Model):
    """A manager's approval as SendTaskSuccess hands it back to the execution at
    ``$.approval`` (``models.saga``'s ConfirmInput reads it). Here, beside the approval record,
    so the approval pages and API send it without building the saga's models."""

    approvalId: str
    decision: Decision
    decidedBy: str
    #: When the manager decided: ConfirmBooking measures the approval -> confirmed latency.
    decidedAt: dt.datetime | None = None
    #: The manager's note for the guest ("shown to the guest" on the dashboard and the link page).
    note: str | None = None


class RoomChange(Model):
    """What the inventory rules (``logic/inventory.py``) decided for some nights of a hotel;
    the inventory table carries it out with one conditional update per night."""

    model_config = ConfigDict(frozen=True)

    hotelId: str
    nights: tuple[dt.date, ...]
    #: Rooms each night holds after the change minus before: a reservation takes (+), a
    #: release gives back (-).
    delta: int
    #: A take: no night may hold more than this many rooms afterwards ...
    limit: int | None = None
    #: ... read from the hotel at this version: the change holds only if the hotel item is
    #: still at it when the change is written (its room count did not move meanwhile).
    hotelVersion: int | None = None


class StepLogEntry(Model):
    state: str
    at: dt.datetime


class ReservationState(StrEnum):
    """Whether the booking's rooms are still taken from the inventory."""

    RESERVED = "RESERVED"
    RELEASED = "RELEASED"


class ListPosition(NamedTuple):
    """Where a newest-first list of bookings stopped: the last booking shown."""

    createdAt: dt.datetime
    bookingId: str


class Stretch(NamedTuple):
    """What one bounded read of every booking found, and where to read on."""

    bookings: list[Booking]
    #: Set when the read stopped on its budget (items or months), not on a full page or the end.
    resume: ListPosition | None


class Booking(Stay):
    """The booking record as stored and as shown to people."""

    hotelName: str | None = None
    amount: Money | None = None
    currency: str = CURRENCY
    status: BookingStatus
    reason: FailureReason | None = None
    reasonDetail: str | None = None
    executionArn: str | None = None
    reservation: ReservationState | None = None
    requestHash: str | None = None
    #: Set when the guest cancels a confirmed booking: what the policy refunds, and who asked.
    refundCents: int | None = None
    cancelRequestedBy: str | None = None
    cancelRequestedAt: dt.datetime | None = None
    #: What the hotel's manager wrote for the guest on approving (ConfirmBooking stores it).
    managerNote: str | None = None
    #: While the payment gateway is unavailable: until when the saga keeps trying.
    paymentRetryUntil: dt.datetime | None = None
    #: While awaiting approval: when the hotel's time to answer runs out.
    approvalExpiresAt: dt.datetime | None = None
    steps: list[StepLogEntry] = Field(default_factory=list)
    createdAt: dt.datetime
    updatedAt: dt.datetime
    #: Bumped by every write of the record (dal/bookings.py, dal/reservations.py).
    version: int = 0

    @property
    def position(self) -> ListPosition:
        """Its place in a newest-first list (ties on createdAt broken by bookingId)."""
        return ListPosition(self.createdAt, self.bookingId)
