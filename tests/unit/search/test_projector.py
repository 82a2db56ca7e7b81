"""Which booking events move a stay's nights in the search projection (no AWS)."""

from __future__ import annotations

import datetime as dt

import pytest

from hotel_booking.models.events import BookingCancelled
from hotel_booking.search.model import HotelDoc
from hotel_booking.search.projector import project


class Recorder:
    def __init__(self) -> None:
        self.counted: list[tuple[str, list[dt.date], int, str]] = []

    def put_hotel(self, doc: HotelDoc) -> bool:
        raise AssertionError("no hotel event here")

    def delete_hotel(self, hotel_id: str, version: int) -> bool:
        raise AssertionError("no hotel event here")

    def count_nights(
        self, booking_id: str, hotel_id: str, nights: list[dt.date], rooms: int, effect: str
    ) -> bool:
        self.counted.append((booking_id, nights, rooms, effect))
        return True


def cancelled(previous: str) -> BookingCancelled:
    return BookingCancelled(
        eventId="e1",
        occurredAt=dt.datetime(2030, 6, 1, tzinfo=dt.UTC),
        version=4,
        bookingId="b1",
        hotelId="h1",
        checkIn=dt.date(2030, 7, 1),
        checkOut=dt.date(2030, 7, 3),
        rooms=2,
        guestSub="g",
        previousStatus=previous,
    )


@pytest.mark.parametrize("previous", ["CONFIRMED", "CANCELLING"])
def test_a_cancelled_stay_gives_its_nights_back(previous: str) -> None:
    # The cancellation saga goes CONFIRMED -> CANCELLING -> CANCELLED: the event it publishes
    # names CANCELLING, and the stay's nights are still counted in search.
    projection = Recorder()
    assert project(cancelled(previous), projection)
    ((booking, nights, rooms, _),) = projection.counted
    assert (booking, nights, rooms) == ("b1", [dt.date(2030, 7, 1), dt.date(2030, 7, 2)], 2)


def test_a_booking_cancelled_before_it_was_confirmed_never_held_a_night() -> None:
    projection = Recorder()
    assert not project(cancelled("AWAITING_APPROVAL"), projection)
    assert projection.counted == []
