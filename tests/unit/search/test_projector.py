"""What the projector makes of events (no AWS): a hotel's facts at its version; booking
events move nothing (search reads what nights hold from the inventory)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hotel_booking.models.events import BookingCancelled, HotelUpdated
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
