"""Hotel and booking events -> the search projection. Idempotent and order-safe:

- a hotel event lands only when its ``version`` is newer than what the projection holds, so a
  duplicate or an older event arriving late never moves a hotel back; ``HotelDeleted`` (one
  version past the last) leaves a tombstone that outranks every earlier event;
- a booking's nights are counted once (``BookingConfirmed``) and released once (a
  ``BookingCancelled`` of a confirmed stay); the counts add up to the same in any order.
  ``BookingFailed`` never took a night in the projection: nothing to do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Protocol

from hotel_booking.models import Booking, BookingStatus, Hotel
from hotel_booking.models.events import (
    BookingCancelled,
    BookingConfirmed,
    EventDetail,
    HotelCreated,
    HotelDeleted,
    HotelUpdated,
)
from hotel_booking.search.model import HotelDoc

TAKEN = "TAKEN"
RELEASED = "RELEASED"


class Projection(Protocol):
    def put_hotel(self, doc: HotelDoc) -> bool: ...
    def delete_hotel(self, hotel_id: str, version: int) -> bool: ...
    def count_nights(
        self, booking_id: str, hotel_id: str, nights: list[dt.date], rooms: int, effect: str
    ) -> bool: ...


#: Statuses a cancelled stay held its nights in: CONFIRMED, or CANCELLING (the cancellation
#: saga's step between CONFIRMED and CANCELLED).
HELD_STAY = frozenset({"CONFIRMED", "CANCELLING"})


def project(event: EventDetail, projection: Projection) -> bool:
    """Apply one event; False when it changed nothing (a duplicate, stale or no-op event)."""
    if isinstance(event, (HotelCreated, HotelUpdated)):
        return projection.put_hotel(
            HotelDoc(
                hotelId=event.hotelId,
                name=event.name,
                city=event.city,
                stars=event.stars,
                pricePerNight=Decimal(event.pricePerNight),
                currency=event.currency,
                rooms=event.rooms,
                imageKey=event.imageKey,
                version=event.version,
            )
        )
    if isinstance(event, HotelDeleted):
        return projection.delete_hotel(event.hotelId, event.version)
    if isinstance(event, BookingConfirmed):
        return projection.count_nights(
            event.bookingId, event.hotelId, _nights(event), event.rooms, TAKEN
        )
    if isinstance(event, BookingCancelled) and event.previousStatus in HELD_STAY:
        return projection.count_nights(
            event.bookingId, event.hotelId, _nights(event), event.rooms, RELEASED
        )
    return False


def _nights(event: BookingConfirmed | BookingCancelled) -> list[dt.date]:
    n = (event.checkOut - event.checkIn).days
    return [event.checkIn + dt.timedelta(days=i) for i in range(n)]


def doc_from(hotel: Hotel) -> HotelDoc:
    return HotelDoc(
        hotelId=hotel.hotelId,
        name=hotel.name,
        city=hotel.city,
        stars=hotel.stars,
        pricePerNight=hotel.pricePerNight,
        currency=hotel.currency,
        rooms=hotel.rooms,
        imageKey=hotel.imageKey,
        version=hotel.version,
    )


def replay(hotels: list[Hotel], bookings: list[Booking], projection: Projection) -> int:
    """What the events of the write tables' current state would have made (the rebuild):
    every hotel at its version, and the nights of every confirmed stay."""
    applied = 0
    for hotel in hotels:
        applied += projection.put_hotel(doc_from(hotel))
    for booking in bookings:
        if booking.status is BookingStatus.CONFIRMED:
            nights = booking.nights
            applied += projection.count_nights(
                booking.bookingId, booking.hotelId, nights, booking.rooms, TAKEN
            )
    return applied
