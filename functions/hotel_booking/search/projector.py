"""Hotel and booking events -> the search projection. Idempotent and order-safe:

- a hotel event lands only when its ``version`` is newer than what the projection holds, so a
  duplicate or an older event arriving late never moves a hotel back; ``HotelDeleted`` (one
  version past the last) leaves a tombstone that outranks every earlier event;
- booking events change nothing here: what a hotel's nights hold is read from the
  inventory the saga keeps (``dynamo.SearchTable.held``), which counts holds too and
  releases them the moment the saga does. (The projection used to count confirmed nights
  on the hotel's item: it grew with every booking, and missed rooms still in the saga.)
"""

from __future__ import annotations

from typing import Protocol

from hotel_booking.models import Hotel
from hotel_booking.models.events import (
    EventDetail,
    HotelCreated,
    HotelDeleted,
    HotelUpdated,
)
from hotel_booking.search.model import HotelDoc


class Projection(Protocol):
    def put_hotel(self, doc: HotelDoc) -> bool: ...
    def delete_hotel(self, hotel_id: str, version: int) -> bool: ...


def project(event: EventDetail, projection: Projection) -> bool:
    """Apply one event; False when it changed nothing (a duplicate, stale or no-op event)."""
    if isinstance(event, (HotelCreated, HotelUpdated)):
        return projection.put_hotel(doc_from(event))
    if isinstance(event, HotelDeleted):
        return projection.delete_hotel(event.hotelId, event.version)
    return False


def doc_from(hotel: Hotel | HotelCreated | HotelUpdated) -> HotelDoc:
    """The hotel's facts as search keeps them, from the write model or from an event."""
    return HotelDoc.model_validate(hotel.facts() | {"version": hotel.version})


def replay(hotels: list[Hotel], projection: Projection) -> int:
    """What the events of the hotels table's current state would have made (the rebuild)."""
    return sum(projection.put_hotel(doc_from(hotel)) for hotel in hotels)
