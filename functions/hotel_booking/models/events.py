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
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from hotel_booking.models.base import Model
from hotel_booking.models.domain import BookingStatus, HotelFacts, Id, to_cents

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
class HotelDetail(HotelFacts, EventDetail):
    """What a search (or any other reader) needs of a hotel: its public facts, the same model
    the write model and the projection share; no manager email. (Bases in this order so the
    detail's JSON starts with the envelope fields, as it always has.)"""

    @field_validator("pricePerNight")
    @classmethod
    def _in_cents(cls, price: Decimal) -> Decimal:
        """On the bus a price always has its two decimals ("99.50", never "99.5")."""
        return to_cents(price)


class HotelCreated(HotelDetail):
    pass


class HotelUpdated(HotelDetail):
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


#: The booking's own outcomes that ``BookingFailed`` reports (the statuses, not a copy of them).
FailedStatus = Literal[BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.FAILED]


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


class _PublishedJson(GenerateJsonSchema):
    """The schema of a detail as published (``DomainEvent.detail_json``): an amount is a string
    in cents, and a field is left out only when it is None, so every other one is required."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        inner = field["schema"]
        if inner["type"] == "default":
            return inner.get("default") is not None
        return super().field_is_required(field, total)


def schema(detail_type: str) -> dict[str, object]:
    model = DETAIL_TYPES[detail_type]
    body = model.model_json_schema(schema_generator=_PublishedJson)
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
