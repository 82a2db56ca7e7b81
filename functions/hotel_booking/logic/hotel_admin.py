"""An Admin's changes to a hotel: create, change, delete, and what each sets up or tidies.

Creating a hotel creates its own SNS topic and subscribes its manager's email to it, so the
approval requests NotifyManager publishes reach them once they confirm the subscription;
changing the manager moves it; deleting the hotel deletes the topic. Lowering the room count
never leaves a night holding more than the new count (docs/architecture.md, Inventory).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from aws_lambda_powertools import Logger

from hotel_booking.logic import inventory, wording
from hotel_booking.logic.callers import Caller, require_admin
from hotel_booking.logic.hotel_forms import FormSource, read_form
from hotel_booking.logic.hotels import HOTEL_WORK, HotelPorts, existing_hotel, view
from hotel_booking.logic.ids import new_hotel_id
from hotel_booking.logic.managers import manager_by_email
from hotel_booking.logic.problems import (
    FieldProblem,
    HotelChangedConcurrently,
    HotelHasLiveBookings,
    HotelNotListed,
    RoomsStillBooked,
)
from hotel_booking.logic.uploads import Picture
from hotel_booking.models import Booking, BookingStatus, Hotel
from hotel_booking.models.api.hotels import HotelChanges, HotelFields, HotelView

logger = Logger()

LIVE_STATUSES = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.ROOM_RESERVED,
        BookingStatus.PAYMENT_RECORDED,
        BookingStatus.AWAITING_APPROVAL,
        # The cancellation saga still releases its rooms and tells the hotel's manager on the
        # hotel's own topic, which deleting the hotel closes.
        BookingStatus.CANCELLING,
    }
)


def is_live(booking: Booking, today: dt.date) -> bool:
    """In flight through the saga, or a confirmed stay that has not ended yet."""
    if booking.status in LIVE_STATUSES:
        return True
    return booking.status is BookingStatus.CONFIRMED and booking.checkOut >= today


def create_hotel(ports: HotelPorts, caller: Caller | None, form: FormSource) -> HotelView:
    require_admin(caller, HOTEL_WORK)
    fields, picture = read_form(form, HotelFields)
    hotel_id = new_hotel_id()
    at = ports.clock()
    manager = manager_by_email(ports.directory, fields.managerEmail)  # before anything is stored
    manager_email = manager.email or fields.managerEmail
    image_key = _store_picture(ports, hotel_id, picture) if picture else None
    subscribed = False
    try:
        ports.managers.add(manager_email, hotel_id)
        subscribed = True
        hotel = Hotel(
            hotelId=hotel_id,
            **{**fields.model_dump(), "managerEmail": manager_email},
            managerSub=manager.sub,
            imageKey=image_key,
            createdAt=at,
            updatedAt=at,
            version=1,  # 0 is a record from before versions; every write adds one
        )
        ports.hotels.create(hotel)
    except Exception:
        if image_key:
            _tidy(ports.pictures.delete, image_key)
        if subscribed:
            _tidy(ports.managers.close, hotel_id)
        raise
    return view(ports, hotel, caller, with_subscription=True)


def update_hotel(
    ports: HotelPorts, caller: Caller | None, hotel_id: str, form: FormSource
) -> HotelView:
    require_admin(caller, HOTEL_WORK)
    hotel = existing_hotel(ports, hotel_id)
    changes, picture = read_form(form, HotelChanges)
    at = ports.clock()
    updated = hotel.model_copy(
        update={**changes.model_dump(exclude_unset=True), "updatedAt": at, "loweringTo": None}
    )
    if changes.managerEmail is not None:
        # Before anything is stored, as at create.
        manager = manager_by_email(ports.directory, changes.managerEmail)
        updated = updated.model_copy(
            update={
                "managerEmail": manager.email or changes.managerEmail,
                "managerSub": manager.sub,
            }
        )
    fenced: Hotel | None = None
    if inventory.lowers(hotel, updated.rooms):
        # First, as the one change that may be refused: mark the hotel (no night fills beyond
        # the new count from now on), then read what the nights hold.
        fenced = _saved(ports, hotel.model_copy(update={"loweringTo": updated.rooms}))
        held = ports.inventory.rows(hotel_id, inventory.earliest_stay_date(at))
        over = inventory.overbooked_nights(held, updated.rooms)
        if over:
            _lift(ports, fenced)
            nights = ", ".join(n.isoformat() for n in over)
            raise RoomsStillBooked(
                f"{wording.count(updated.rooms, 'room')} would be too few: more are booked "
                f"on {nights}; the hotel cannot have fewer rooms than are booked",
                [
                    FieldProblem(
                        field="rooms", message=f"cannot go below what is booked on {nights}"
                    )
                ],
            )
        updated = updated.model_copy(update={"version": fenced.version})
    manager_moved = updated.managerEmail.casefold() != hotel.managerEmail.casefold()
    new_key: str | None = None
    subscribed = False
    try:
        if picture is not None:
            new_key = _store_picture(ports, hotel_id, picture)
            updated = updated.model_copy(update={"imageKey": new_key})
        if manager_moved:
            ports.managers.add(updated.managerEmail, hotel_id)
            subscribed = True
        updated = _saved(ports, updated)
    except Exception:
        # Nothing of this change may outlive it: the mark, the new picture, the new manager.
        if fenced is not None:
            _lift(ports, fenced)
        if new_key:
            _tidy(ports.pictures.delete, new_key)
        if subscribed:
            _tidy(ports.managers.remove, updated.managerEmail, hotel_id)
        raise
    # The change is made; what follows only tidies up after it.
    if manager_moved:
        _tidy(ports.managers.remove, hotel.managerEmail, hotel_id)
    if picture is not None and hotel.imageKey:
        _tidy(ports.pictures.delete, hotel.imageKey)
    return view(ports, updated, caller, with_subscription=True)


def _saved(ports: HotelPorts, hotel: Hotel) -> Hotel:
    """Store the hotel if nobody changed it since it was read; else 404 or 409."""
    stored = ports.hotels.replace(hotel)
    if stored is not None:
        return stored
    if ports.hotels.get(hotel.hotelId) is None:
        raise HotelNotListed(f"no hotel {hotel.hotelId}")
    raise HotelChangedConcurrently(
        f"{hotel.name} was changed by someone else meanwhile; reload it and try again"
    )


def _lift(ports: HotelPorts, fenced: Hotel) -> None:
    """Take the lowering mark off again (lifting it can only give rooms back); if someone
    changed the hotel since, their change replaced the mark already."""
    try:
        ports.hotels.replace(fenced.model_copy(update={"loweringTo": None}))
    except Exception:
        logger.exception("could not lift the lowering mark", extra={"hotelId": fenced.hotelId})


def delete_hotel(ports: HotelPorts, caller: Caller | None, hotel_id: str) -> None:
    require_admin(caller, HOTEL_WORK)
    hotel = existing_hotel(ports, hotel_id)
    today = inventory.earliest_stay_date(ports.clock())
    live = [b for b in ports.bookings.of_hotel(hotel_id) if is_live(b, today)]
    if live:
        raise HotelHasLiveBookings(
            f"{hotel.name} has {wording.count(len(live), 'live booking')} (in progress, or "
            "confirmed stays that have not ended); it can be deleted when they are over"
        )
    if not ports.hotels.delete(hotel_id):
        raise HotelNotListed(f"no hotel {hotel_id}")
    # The hotel is gone; what follows only tidies up after it.
    if hotel.imageKey:
        _tidy(ports.pictures.delete, hotel.imageKey)
    _tidy(ports.managers.close, hotel_id)
    _tidy(ports.inventory.delete_all, hotel_id)


def _tidy(action: Callable[..., object], *args: str) -> None:
    """Clean-up after a change that is already made: a failure leaves an orphan (a picture
    nobody links to, a subscription to a hotel that sends nothing), logged, not a failed call.
    Whatever the failure: the change is made and must be answered as made."""
    try:
        action(*args)
    except Exception:
        logger.exception("clean-up failed", extra={"action": getattr(action, "__name__", "?")})


def _store_picture(ports: HotelPorts, hotel_id: str, picture: Picture) -> str:
    key = f"hotels/{hotel_id}/{uuid.uuid4().hex}.{picture.extension}"
    ports.pictures.put(key, picture.data, picture.content_type)
    return key
