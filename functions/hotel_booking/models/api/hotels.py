"""The hotels API's requests and views (GET/POST/PUT /hotels, /admin/hotels, managers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from hotel_booking.models.api.fields import (
    City,
    Date,
    ManagerEmail,
    Name,
    Price,
    Rooms,
    Stars,
    StrictRooms,
    StrictStars,
    Text,
    whole_number,
)
from hotel_booking.models.base import Model
from hotel_booking.models.domain import HotelFacts, to_cents


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
