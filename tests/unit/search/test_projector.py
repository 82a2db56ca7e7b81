"""What the projector makes of events (no AWS): a hotel's facts at its version; booking
events move nothing (search reads what nights hold from the inventory)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotel_booking.models.events import BookingCancelled, HotelUpdated
from hotel_booking.search.dynamo import ITEM_BUDGET, index_keys
from hotel_booking.search.model import HotelDoc
from hotel_booking.search.projector import project


class Recorder:
    def __init__(self) -> None:
        self.docs: list[HotelDoc] = []

    def put_hotel(self, doc: HotelDoc) -> bool:
        self.docs.append(doc)
        return True

    def delete_hotel(self, hotel_id: str, version: int) -> bool:
        raise AssertionError("no delete here")


AT = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)


def cancelled(previous: str) -> BookingCancelled:
    return BookingCancelled(
        eventId="e1",
        occurredAt=AT,
        version=4,
        bookingId="b1",
        hotelId="h1",
        checkIn=dt.date(2030, 7, 1),
        checkOut=dt.date(2030, 7, 3),
        rooms=2,
        guestSub="g",
        previousStatus=previous,
    )


@pytest.mark.parametrize("previous", ["CONFIRMED", "CANCELLING", "AWAITING_APPROVAL"])
def test_booking_events_write_nothing_to_the_projection(previous: str) -> None:
    projection = Recorder()
    assert not project(cancelled(previous), projection)
    assert projection.docs == []


def test_a_hotel_event_lands_as_its_facts_at_its_version() -> None:
    projection = Recorder()
    event = HotelUpdated(
        eventId="e2",
        occurredAt=AT,
        version=7,
        hotelId="h1",
        name="Casa Azul",
        city="Málaga",
        stars=3,
        pricePerNight="80.5",
        currency="EUR",
        rooms=4,
    )
    assert project(event, projection)
    (doc,) = projection.docs
    assert doc.pricePerNight == Decimal("80.50") and doc.version == 7 and doc.imageKey is None


def test_a_hotels_search_item_stays_under_4_kb_at_the_longest_fields() -> None:
    # Every field at the longest the write model allows (multi-byte characters: 4 bytes
    # each in UTF-8); the item is the hotel's facts, its version and its 8 index attributes,
    # and nothing in it grows with bookings.
    doc = HotelDoc(
        hotelId="h" * 80,
        name="\U0001f3e8" * 120,
        city="\U0001f30d" * 80,
        stars=5,
        pricePerNight=Decimal("99999999.99"),
        currency="EUR",
        rooms=10_000,
        imageKey="hotels/" + "k" * 80 + "/picture.webp",
        version=2**53,
    )
    item = doc.model_dump() | index_keys(doc) | {"pk": f"HOTEL#{doc.hotelId}", "sk": "HOTEL"}
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in item.items())
    assert size < ITEM_BUDGET
