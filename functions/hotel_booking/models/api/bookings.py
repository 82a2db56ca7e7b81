"""The bookings API's requests and views (/bookings, decisions, cancellations)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from hotel_booking.models.api.fields import Date, StrictRooms, Text, whole_number
from hotel_booking.models.base import Model
from hotel_booking.models.domain import ApprovalState, BookingStatus, Decision, Id


class NewBooking(Model):
    """POST /bookings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hotelId: Id
    checkIn: Date
    checkOut: Date
    rooms: StrictRooms
    guestName: Annotated[Text, Field(min_length=1, max_length=100)]
    paymentToken: Annotated[Text, Field(min_length=1, max_length=100)]


class BookingQuery(Model):
    """GET /bookings query string."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    hotelId: Id | None = None
    status: BookingStatus | None = None
    limit: Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=100)] = 20
    nextToken: Text | None = None


class DecisionRequest(Model):
    """POST /bookings/{bookingId}/decision."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Decision
    reason: Annotated[Text, Field(max_length=500)] | None = None


class BookingAccepted(Model):
    bookingId: str
    status: BookingStatus
    links: dict[str, str]


class GuestView(Model):
    name: str
    email: str


class StepView(Model):
    state: str
    at: dt.datetime


class CancellationTerms(Model):
    """What the guest would get by cancelling now (shown before they confirm)."""

    refundCents: int
    currency: str
    #: Full refund until this instant (00:00 UTC ``fullRefundDays`` before check-in).
    deadline: dt.datetime
    fullRefundDays: int
    #: False while the payment is not taken yet: cancelling then charges nothing at all.
    charged: bool = True


class CancellationAccepted(Model):
    bookingId: str
    status: BookingStatus
    refundCents: int
    currency: str
    links: dict[str, str]


class WaitingView(Model):
    """What a booking in progress is waiting for: ``payment`` (the gateway is unavailable and
    the saga retries) or ``approval`` (the hotel's answer), until when at the latest."""

    kind: Literal["payment", "approval"]
    until: dt.datetime


class BookingView(Model):
    bookingId: str
    hotelId: str
    hotelName: str | None
    checkIn: dt.date
    checkOut: dt.date
    rooms: int
    amount: str | None
    currency: str
    status: BookingStatus
    reason: str | None
    reasonDetail: str | None
    guest: GuestView
    steps: list[StepView]
    createdAt: dt.datetime
    updatedAt: dt.datetime
    executionArn: str | None
    consoleUrl: str | None
    #: Present while the caller could cancel: the refund and until when it is full.
    cancellation: CancellationTerms | None = None
    #: Once a confirmed booking is cancelled: what the policy refunded, in cents.
    refundCents: int | None = None
    #: The hotel manager's note for the guest, given on approval.
    managerNote: str | None = None
    #: What the booking waits for, and until when (for the guest's page); None when nothing.
    waiting: WaitingView | None = None
    #: Set once the guest asked to cancel (a confirmed booking is then CANCELLING; one still
    #: under way keeps its status until the saga's next step ends it).
    cancelRequestedAt: dt.datetime | None = None


class BookingPage(Model):
    items: list[BookingView]
    nextToken: str | None


class DecisionView(Model):
    bookingId: str
    decision: Decision
    state: ApprovalState
