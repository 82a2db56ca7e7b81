"""What the REST API accepts and answers: request bodies, query strings and views.

A view declares each field it shows and takes only those from a record (by hand, or by name
with ``from_attributes``), so nothing stored (a request hash, a task token) reaches a response by
accident.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator

from hotel_booking.models.base import Model
from hotel_booking.models.domain import (
    ApprovalState,
    BookingStatus,
    Decision,
    Email,
    HotelFacts,
    Id,
    to_cents,
)

#: Control characters (NUL, tabs, line breaks, DEL, C1) and Unicode line/paragraph separators:
#: no name, token or reason needs them, and SNS refuses them in subjects.
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The contract's patterns (api/openapi.yaml), ASCII digits only: Python's Decimal and int also
#: read "1e5", " 5", "5_0", "+5" and other scripts' digits, which no client is told it may send.
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_WHOLE = re.compile(r"[0-9]{1,9}")


def plain_text(value: str) -> str:
    if any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in value):
        raise ValueError("must not contain control characters (line breaks, tabs, NUL)")
    return value


def iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: pydantic alone would also take a timestamp at midnight."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


def amount(value: Any) -> Any:
    """An amount as text (a query string, a form) must be digits with at most two decimals;
    a JSON number stays a number (never true or false)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(value, str) and not _AMOUNT.fullmatch(value):
        raise ValueError("must be an amount such as 120 or 120.50")
    return value


def whole_number(value: Any) -> Any:
    """A whole number in a query string: digits only."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value):
        raise ValueError("must be a whole number (digits only)")
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Name = Annotated[Text, Field(min_length=1, max_length=120)]
City = Annotated[Text, Field(min_length=1, max_length=80)]
Stars = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=5)]
Price = Annotated[
    Decimal,
    BeforeValidator(amount),
    Field(gt=0, max_digits=10, decimal_places=2, allow_inf_nan=False),
]
Rooms = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=10_000)]
Date = Annotated[dt.date, BeforeValidator(iso_date)]
#: A JSON body's integers are JSON integers, as the contract says: not "1", not true.
StrictStars = Annotated[int, Field(ge=1, le=5, strict=True)]
StrictRooms = Annotated[int, Field(ge=1, le=10_000, strict=True)]
ManagerEmail = Annotated[Email, AfterValidator(plain_text)]


# -- hotels --------------------------------------------------------------------------------
class HotelFields(Model):
    """POST /hotels: every field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    city: City
    stars: StrictStars
    pricePerNight: Price
    rooms: StrictRooms
    managerEmail: ManagerEmail


class HotelChanges(Model):
    """PUT /hotels/{hotelId}: any of the fields; the others stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    city: City | None = None
    stars: StrictStars | None = None
    pricePerNight: Price | None = None
    rooms: StrictRooms | None = None
    managerEmail: ManagerEmail | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class StayQuery(Model):
    """A stay in a query string: GET /hotels/{hotelId} (the rooms free for it) and GET /hotels
    (the hotels with rooms free for it). Unknown parameters are ignored, as for any GET; the
    dates' rules are ``logic.inventory.stay_problems``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    checkIn: Date | None = None
    checkOut: Date | None = None
    rooms: Rooms = 1


class HotelQuery(StayQuery):
    """GET /hotels query string.

    ``city`` is a prefix and ``name`` words to find in the name, both case- and
    accent-insensitive (``hotel_booking.search``)."""

    city: City | None = None
    minStars: Stars | None = None
    maxPrice: Price | None = None
    # Search on the read model (issue 10).
    name: Name | None = None
    sort: Literal["price", "stars", "name"] | None = None
    limit: Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=100)] = 20
    nextToken: Annotated[Text, Field(min_length=1, max_length=1000)] | None = None


#: A manager's email subscription to their hotel's approval requests (SNS).
SubscriptionState = Literal["Confirmed", "PendingConfirmation", "NotSubscribed"]


class Availability(Model):
    """The rooms free for one stay at one hotel (GET /hotels/{hotelId} with dates): a hint
    read a moment before booking; ReserveRoom's transaction decides."""

    checkIn: dt.date
    checkOut: dt.date
    nights: int
    rooms: int  # asked for
    roomsLeft: int  # free on every night of the stay
    available: bool  # roomsLeft >= rooms


class HotelView(Model):
    hotelId: str
    name: str
    city: str
    stars: int
    pricePerNight: str
    currency: str
    rooms: int
    imageUrl: str | None
    managerEmail: str | None = None
    managerSub: str | None = None
    managerSubscription: SubscriptionState | None = None
    availability: Availability | None = None

    @classmethod
    def of(cls, facts: HotelFacts, image_url: str | None, **manager: Any) -> HotelView:
        """A hotel's public facts as the API shows them (the price in cents, a picture URL);
        ``manager``: the fields only some callers may see."""
        return cls(
            hotelId=facts.hotelId,
            name=facts.name,
            city=facts.city,
            stars=facts.stars,
            pricePerNight=str(to_cents(facts.pricePerNight)),
            currency=facts.currency,
            rooms=facts.rooms,
            imageUrl=image_url,
            **manager,
        )

    def body(self) -> dict[str, Any]:
        """JSON body; ``managerEmail``, ``managerSub`` and ``managerSubscription`` are left out,
        not null, for those who may not see them (and ``availability`` when no stay was asked)."""
        data = self.model_dump(mode="json")
        for private in ("managerEmail", "managerSub", "managerSubscription", "availability"):
            if data[private] is None:
                del data[private]
        return data


class HotelManagerView(Model):
    """GET /hotels/{hotelId}/manager (Admins and that manager)."""

    hotelId: str
    managerEmail: str
    managerSub: str | None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class ManagerSubscriptionView(Model):
    """Whether a hotel's manager confirmed the email subscription to its approval requests."""

    hotelId: str
    managerEmail: str
    state: SubscriptionState


class AdminHotelQuery(Model):
    """GET /admin/hotels query string: a page of hotels from the write model."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    nextToken: Annotated[Text, Field(min_length=1, max_length=1000)] | None = None


class HotelList(Model):
    items: list[HotelView]
    nextToken: str | None = None

    def body(self) -> dict[str, Any]:
        """``nextToken`` only when there is a next page."""
        body: dict[str, Any] = {"items": [hotel.body() for hotel in self.items]}
        if self.nextToken:
            body["nextToken"] = self.nextToken
        return body


# -- users ---------------------------------------------------------------------------------
class UserQuery(Model):
    """GET /users query string: a page of at most 60 (Cognito's own page limit)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    group: Literal["Admin", "HotelManager"] | None = None
    limit: Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=60)] = 60
    nextToken: Annotated[str, Field(min_length=1, max_length=4096)] | None = None


class UserView(Model):
    """A user of the pool as the Users page shows them (built from ``PoolUser`` by name)."""

    userId: str
    sub: str
    email: str | None
    name: str | None
    status: str
    enabled: bool
    groups: Annotated[list[str], AfterValidator(sorted)]

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class UserList(Model):
    items: list[UserView]
    nextToken: str | None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# -- bookings ------------------------------------------------------------------------------
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
