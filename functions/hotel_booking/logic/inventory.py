"""The inventory rules, in one place: how many rooms a stay may take, which nights a stay
may cover, what a night has left, and how a hotel's room count moves its nights.

These functions decide; ``dal/inventory.py`` and ``dal/reservations.py`` carry out the
:class:`RoomChange` they return, each night's guard as a DynamoDB condition.
"""

from __future__ import annotations

import datetime as dt

from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS
from hotel_booking.models import Hotel, Stay
from hotel_booking.models.domain import RoomChange, stay_length_problem


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
    check_in: dt.date,
    check_out: dt.date,
    at: dt.datetime,
    horizon_days: int = DEFAULT_STAY_HORIZON_DAYS,
) -> dict[str, str]:
    """What is wrong with these dates, per field (empty when nothing is)."""
    problems: dict[str, str] = {}
    if check_in < earliest_stay_date(at):
        problems["checkIn"] = "must not be in the past"
    elif check_in > latest_stay_date(at, horizon_days):
        problems["checkIn"] = f"must be at most {horizon_days} days ahead"
    length = stay_length_problem(check_in, check_out)
    if length:
        problems["checkOut"] = length.removeprefix("checkOut ")
    return problems


def nights_of(check_in: dt.date, check_out: dt.date) -> list[dt.date]:
    return [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]


# -- capacity and availability -------------------------------------------------------------
def capacity_problem(hotel: Hotel, rooms: int) -> str | None:
    """A stay cannot take more rooms than the hotel has, whatever is left."""
    return f"{hotel.name} has only {hotel.rooms} room(s)" if rooms > hotel.rooms else None


def rooms_left(hotel: Hotel, rows: dict[dt.date, int], nights: list[dt.date]) -> dict[dt.date, int]:
    """Rooms left per night: a night nobody booked yet has all the hotel's rooms."""
    return {night: rows.get(night, hotel.rooms) for night in nights}


def has_room(hotel: Hotel, rows: dict[dt.date, int], nights: list[dt.date], rooms: int = 1) -> bool:
    return min(rooms_left(hotel, rows, nights).values()) >= rooms


# -- changes -------------------------------------------------------------------------------
def take(stay: Stay, hotel: Hotel) -> RoomChange:
    """A reservation: the stay's rooms on every night, none of them left below zero."""
    return RoomChange(
        hotelId=stay.hotelId, nights=tuple(stay.nights), delta=-stay.rooms, capacity=hotel.rooms
    )


def give_back(stay: Stay) -> RoomChange:
    """A release: the rooms a reservation took, on the nights it took them."""
    return RoomChange(hotelId=stay.hotelId, nights=tuple(stay.nights), delta=stay.rooms)


def resize(hotel_id: str, old_rooms: int, new_rooms: int, rows: dict[dt.date, int]) -> RoomChange:
    """A hotel's new room count moves every night that has a row by the same amount (a row's
    ``available`` was computed from the room count when its first booking came in); a night
    with more rooms booked than would remain refuses it."""
    return RoomChange(hotelId=hotel_id, nights=tuple(sorted(rows)), delta=new_rooms - old_rooms)


def undo(change: RoomChange) -> RoomChange:
    """The opposite change, never refused (it puts back what was there)."""
    return change.model_copy(update={"delta": -change.delta, "guarded": False})
