"""Hotels as the write model holds them: the ports of the hotels API, how a hotel is shown (and
to whom its manager), one hotel by id, and the Admin's pages of hotels.

Public search never reads the hotels table: it reads the search projection
(``hotel_booking.search.answers``, the CQRS read side). An Admin's changes are in
``logic/hotel_admin.py``, what they send in ``logic/hotel_forms.py``, who manages a hotel in
``logic/managers.py``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from hotel_booking.clock import Clock, utc_now
from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS
from hotel_booking.logic import inventory
from hotel_booking.logic.callers import Caller, require_admin
from hotel_booking.logic.ports import (
    HotelBookings,
    HotelRepository,
    InventoryRepository,
    Pictures,
    Subscriptions,
    UserDirectory,
)
from hotel_booking.logic.problems import HotelNotListed, bad_page_token, possible_id, validated
from hotel_booking.models import Hotel
from hotel_booking.models.api.hotels import (
    AdminHotelQuery,
    Availability,
    HotelList,
    HotelView,
    StayQuery,
)
from hotel_booking.models.domain import nights
from hotel_booking.search.answers import stay_query
from hotel_booking.search.ports import SearchStore

logger = Logger()

#: What only Admins may do with hotels (the 403's words).
HOTEL_WORK = "list, create, change or delete hotels"


@dataclass(frozen=True)
class HotelPorts:
    """What the hotels API touches; built once per Lambda container."""

    hotels: HotelRepository
    inventory: InventoryRepository
    bookings: HotelBookings
    pictures: Pictures
    managers: Subscriptions
    search: SearchStore
    directory: UserDirectory
    clock: Clock = utc_now
    stay_horizon_days: int = DEFAULT_STAY_HORIZON_DAYS


def shows_manager_email(caller: Caller | None, hotel: Hotel) -> bool:
    return caller is not None and (caller.is_admin or caller.manages(hotel.managerSub))


def view(
    ports: HotelPorts, hotel: Hotel, caller: Caller | None, with_subscription: bool = False
) -> HotelView:
    """``with_subscription``: for one hotel an Admin creates or changes, whether its manager has
    confirmed the topic subscription (one SNS call; never for a whole list)."""
    return HotelView.of(
        hotel,
        ports.pictures.url(hotel.imageKey) if hotel.imageKey else None,
        managerEmail=hotel.managerEmail if shows_manager_email(caller, hotel) else None,
        managerSub=hotel.managerSub if caller is not None and caller.is_admin else None,
        managerSubscription=_subscription_state(ports, hotel)
        if with_subscription and caller is not None and caller.is_admin
        else None,
    )


def _subscription_state(ports: HotelPorts, hotel: Hotel) -> str | None:
    """None when SNS cannot say: the hotel reads fine without it."""
    try:
        return ports.managers.status(hotel.managerEmail, hotel.hotelId)
    except Exception:
        logger.exception("could not read the manager's subscription")
        return None


def list_hotels(ports: HotelPorts, caller: Caller | None, query: Mapping[str, str]) -> HotelList:
    """The Admin's page of hotels, from the hotels table (the write model): one Scan page of
    at most ``limit`` hotels (sorted by city and name within the page), and a ``nextToken``
    to read on, so a request costs the same however many hotels there are."""
    require_admin(caller, HOTEL_WORK)
    q = validated(AdminHotelQuery, dict(query))
    after = _hotel_after(q.nextToken) if q.nextToken else None
    found, last = ports.hotels.page(q.limit, after)
    hotels = sorted(found, key=lambda h: (h.city.casefold(), h.name.casefold(), h.hotelId))
    return HotelList(
        items=[view(ports, h, caller) for h in hotels],
        nextToken=base64.urlsafe_b64encode(last.encode()).decode() if last else None,
    )


def _hotel_after(token: str) -> str:
    try:
        hotel_id = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        hotel_id = ""
    if not possible_id(hotel_id):
        raise bad_page_token()
    return hotel_id


def get_hotel(
    ports: HotelPorts, caller: Caller | None, hotel_id: str, query: Mapping[str, str] | None = None
) -> HotelView:
    """One hotel; with ``checkIn`` and ``checkOut`` (and ``rooms``), also the rooms free for
    that stay, by the rule search uses, from the inventory ReserveRoom writes: a room held by
    a booking still in the saga is not free, and is free again once the saga releases it."""
    stay = stay_query(StayQuery, query or {}, ports)
    hotel = existing_hotel(ports, hotel_id)
    shown = view(ports, hotel, caller)
    if stay.checkIn is None or stay.checkOut is None:
        return shown
    stay_nights = nights(stay.checkIn, stay.checkOut)
    held = ports.inventory.rows(hotel_id, stay_nights[0], stay_nights[-1])
    left = inventory.free_rooms(hotel, held, stay_nights)
    return shown.model_copy(
        update={
            "availability": Availability(
                checkIn=stay.checkIn,
                checkOut=stay.checkOut,
                nights=len(stay_nights),
                rooms=stay.rooms,
                roomsLeft=left,
                available=left >= stay.rooms,
            )
        }
    )


def existing_hotel(ports: HotelPorts, hotel_id: str) -> Hotel:
    hotel = ports.hotels.get(hotel_id) if possible_id(hotel_id) else None
    if hotel is None:
        raise HotelNotListed(f"no hotel {hotel_id}")
    return hotel
