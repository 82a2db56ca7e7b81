"""The domain events on the bus: one model per ``detail-type``, the ``detail`` each carries.

Published by ``logic/publishing.py`` from the write tables' streams, so an event exists if and
only if its change committed. ``eventId`` is derived from the change (table, key, version,
type): a retried publish of the same change carries the same id, and consumers drop it.
``events/schemas/<DetailType>.json`` is generated from these models (``python -m
hotel_booking.models.events``); a test keeps the files and the models in step.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from hotel_booking.models.base import Model
from hotel_booking.models.domain import Id

HOTELS_SOURCE = "hotel-booking.hotels"
BOOKINGS_SOURCE = "hotel-booking.bookings"
#: The write model's version of the record (0: a hotel written before versions existed).
Version = Annotated[int, Field(ge=0)]


class EventDetail(Model):
    """What every event's ``detail`` carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    eventId: Annotated[str, Field(min_length=1, max_length=80)]
    occurredAt: dt.datetime
    version: Version


# -- hotels --------------------------------------------------------------------------------
class HotelFacts(EventDetail):
    """What a search (or any other reader) needs of a hotel; no manager email."""

    hotelId: Id
    name: str
    city: str
    stars: Annotated[int, Field(ge=1, le=5)]
    pricePerNight: Annotated[str, Field(pattern=r"^\d+(\.\d{1,2})?$")]
    currency: str
    rooms: Annotated[int, Field(ge=1)]
    imageKey: str | None = None


class HotelCreated(HotelFacts):
    pass


class HotelUpdated(HotelFacts):
    pass


class HotelDeleted(EventDetail):
    """``version`` is one past the last stored version: it outranks every earlier event."""

    hotelId: Id


# -- bookings ------------------------------------------------------------------------------
class BookingFacts(EventDetail):
    bookingId: Id
    hotelId: Id
    checkIn: dt.date
    checkOut: dt.date
    rooms: Annotated[int, Field(ge=1)]
    guestSub: str


class BookingConfirmed(BookingFacts):
    amount: str | None = None
    currency: str


class FailedStatus(StrEnum):
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"


class BookingFailed(BookingFacts):
    """Rejected by the manager, expired awaiting approval, or failed; ``reason`` says which."""

    status: FailedStatus
    reason: str | None = None


class BookingCancelled(BookingFacts):
    """``previousStatus`` tells a consumer whether the stay had been confirmed (its nights
    counted) before the cancellation."""

    previousStatus: str


DETAIL_TYPES: dict[str, type[EventDetail]] = {
    "HotelCreated": HotelCreated,
    "HotelUpdated": HotelUpdated,
    "HotelDeleted": HotelDeleted,
    "BookingConfirmed": BookingConfirmed,
    "BookingFailed": BookingFailed,
    "BookingCancelled": BookingCancelled,
}
SOURCES: dict[str, str] = {
    name: HOTELS_SOURCE if name.startswith("Hotel") else BOOKINGS_SOURCE for name in DETAIL_TYPES
}
DetailType = Literal[
    "HotelCreated",
    "HotelUpdated",
    "HotelDeleted",
    "BookingConfirmed",
    "BookingFailed",
    "BookingCancelled",
]


class DomainEvent(Model):
    """One event to put on the bus: its envelope fields and its detail."""

    model_config = ConfigDict(frozen=True)

    detailType: DetailType
    detail: EventDetail

    @property
    def source(self) -> str:
        return SOURCES[self.detailType]

    def detail_json(self) -> str:
        return self.detail.model_dump_json(exclude_none=True)


def parse_detail(detail_type: str, detail: object) -> EventDetail:
    """The typed detail of an event read from a queue (raises on an unknown type).

    A tolerant reader: fields a newer publisher added are ignored (what is published is held
    to the schema, which forbids them, by the publisher's tests)."""
    model = DETAIL_TYPES.get(detail_type)
    if model is None:
        raise ValueError(f"unknown detail-type {detail_type!r}")
    if isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k in model.model_fields}
    return model.model_validate(detail)


def schema(detail_type: str) -> dict[str, object]:
    model = DETAIL_TYPES[detail_type]
    body = model.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://hotel-booking.example/events/{detail_type}.json",
        "description": (model.__doc__ or detail_type).strip().splitlines()[0],
        "x-source": SOURCES[detail_type],
        **{k: v for k, v in body.items() if k != "description"},
    }


def write_schemas(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in DETAIL_TYPES:
        text = json.dumps(schema(name), indent=2, sort_keys=True) + "\n"
        (folder / f"{name}.json").write_text(text)


if __name__ == "__main__":  # python -m hotel_booking.models.events events/schemas
    write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "events/schemas"))
