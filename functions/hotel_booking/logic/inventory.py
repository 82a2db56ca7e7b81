"""The inventory rules, in one place: how many rooms a stay may take, which nights a stay
may cover, what a night has left, and when a hotel's room count may go down.

The invariant: on every night, the rooms held by live reservations never exceed the hotel's
rooms, at any moment. The inventory table keeps, per night, the rooms held (``held``), never
a count derived from the room count, so a new room count moves no night. A reservation's
:class:`RoomChange` fills each night up to the room count it read *and* the hotel's version
it read it at: if the hotel changed meanwhile, the transaction is refused and the
reservation reads again. An Admin lowering the room count first marks the hotel
(``loweringTo``, a new version: every reservation from then on fills only up to it), then
reads what is held, then either stores the new count or lifts the mark and refuses (409).

These functions decide; ``dal/inventory.py``, ``dal/hotels.py`` and ``dal/reservations.py``
carry out what they return, each guard as a DynamoDB condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS
from hotel_booking.logic import wording
from hotel_booking.models import Hotel, Stay
from hotel_booking.models.domain import HotelFacts, RoomChange, stay_length_problem


# -- the stay window -----------------------------------------------------------------------
def earliest_stay_date(at: dt.datetime) -> dt.date:
    """The first date a stay may start: today somewhere on Earth (UTC-12), so a guest late in
    the evening west of Greenwich can still book tonight."""
    return (at.astimezone(dt.UTC) - dt.timedelta(hours=12)).date()


def latest_stay_date(at: dt.datetime, horizon_days: int) -> dt.date:
    """The last date a stay may start: ``horizon_days`` after today anywhere on Earth (UTC+14),
    so nobody is refused a date that is within the horizon where they are."""
    return (at.astimezone(dt.UTC) + dt.timedelta(hours=14)).date() + dt.timedelta(horizon_days)


def stay_problems(
    check_in: dt.date | None,
    check_out: dt.date | None,
    at: dt.datetime,
    horizon_days: int = DEFAULT_STAY_HORIZON_DAYS,
) -> dict[str, str]:
    """What is wrong with these dates, per field (empty when nothing is). A query may leave
    out both dates (no stay asked), never one of them."""
    if check_in is None and check_out is None:
        return {}
    if check_in is None or check_out is None:
        missing = "checkIn" if check_in is None else "checkOut"
        return {missing: "give both checkIn and checkOut, or neither"}
    problems: dict[str, str] = {}
    if check_in < earliest_stay_date(at):
        problems["checkIn"] = "must not be in the past"
    elif check_in > latest_stay_date(at, horizon_days):
        problems["checkIn"] = f"must be at most {horizon_days} days ahead"
    length = stay_length_problem(check_in, check_out)
    if length:
        problems["checkOut"] = length.removeprefix("checkOut ")
    return problems


# -- capacity and availability -------------------------------------------------------------
def bookable_rooms(hotel: HotelFacts) -> int:
    """How many rooms a night may hold: the room count, or less while it is being lowered
    (only the write model knows that; search sees the room count)."""
    lowering = hotel.loweringTo if isinstance(hotel, Hotel) else None
    return min(hotel.rooms, lowering or hotel.rooms)


def capacity_problem(hotel: Hotel, rooms: int) -> str | None:
    """A stay cannot take more rooms than the hotel has, whatever is left."""
    most = bookable_rooms(hotel)
    return f"{hotel.name} has only {wording.count(most, 'room')}" if rooms > most else None


def rooms_left(
    hotel: HotelFacts, held: Mapping[dt.date, int], nights: list[dt.date]
) -> dict[dt.date, int]:
    """Rooms left per night, from the rooms each night holds (a night without a row, none).
    ``held`` counts every live reservation, confirmed or still in the saga."""
    most = bookable_rooms(hotel)
    return {night: max(0, most - held.get(night, 0)) for night in nights}


def free_rooms(hotel: HotelFacts, held: Mapping[dt.date, int], nights: list[dt.date]) -> int:
    """The rooms free on every night of a stay (the fewest any night has left): what the
    hotel's page tells a guest before they book."""
    return min(rooms_left(hotel, held, nights).values(), default=bookable_rooms(hotel))


def has_room(
    hotel: HotelFacts, held: Mapping[dt.date, int], nights: list[dt.date], rooms: int = 1
) -> bool:
    """Whether a stay of ``rooms`` fits every night: what search offers (ReserveRoom's
    transaction stays the authority: it guards the same rule as a condition)."""
    return free_rooms(hotel, held, nights) >= rooms


# -- changes -------------------------------------------------------------------------------
def take(stay: Stay, hotel: Hotel) -> RoomChange:
    """A reservation: the stay's rooms on every night, no night above the rooms the hotel
    has, as long as the hotel is still as it was read."""
    return RoomChange(
        hotelId=stay.hotelId,
        nights=tuple(stay.nights),
        delta=stay.rooms,
        limit=bookable_rooms(hotel),
        hotelVersion=hotel.version,
    )


def give_back(stay: Stay) -> RoomChange:
    """A release: the rooms a reservation took, on the nights it took them."""
    return RoomChange(hotelId=stay.hotelId, nights=tuple(stay.nights), delta=-stay.rooms)


def lowers(hotel: Hotel, new_rooms: int) -> bool:
    """Whether a new room count must first be checked against what the nights hold (a
    higher count cannot break the invariant and needs no check)."""
    return new_rooms < bookable_rooms(hotel)


def overbooked_nights(held: dict[dt.date, int], rooms: int) -> list[dt.date]:
    """The nights that hold more than ``rooms``: a room count that would refuse them."""
    return sorted(night for night, count in held.items() if count > rooms)
