"""Hotels: search (public), and create, change, delete (group Admin).

Search reads the search projection (``hotel_booking.search``, the CQRS read side), never the
hotels table; reading one hotel and the Admin's changes use the hotels table (the write model).

Creating a hotel subscribes its manager's email to the manager topic for that hotel, so the
approval requests NotifyManager publishes reach them; changing the manager moves it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from hotel_booking.clock import Clock, utc_now
from hotel_booking.logic import inventory
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.ids import new_hotel_id
from hotel_booking.logic.ports import (
    HotelBookings,
    HotelRepository,
    InventoryRepository,
    Pictures,
    Subscriptions,
)
from hotel_booking.logic.problems import (
    FieldProblem,
    HotelChangedMeanwhile,
    HotelHasLiveBookings,
    HotelNotListed,
    InvalidRequest,
    NotAllowed,
    NotSignedIn,
    RoomsStillBooked,
    possible_id,
    validated,
)
from hotel_booking.logic.uploads import Form, Picture, Upload, accept_picture, is_empty
from hotel_booking.models import Booking, BookingStatus, Hotel
from hotel_booking.models.api import HotelChanges, HotelFields, HotelList, HotelQuery, HotelView
from hotel_booking.models.domain import to_cents
from hotel_booking.search import query as search
from hotel_booking.search.model import BadPageToken, HotelDoc, SearchQuery, SortBy
from hotel_booking.search.ports import SearchStore

F = TypeVar("F", bound=BaseModel)
logger = Logger()

PICTURE_FIELD = "picture"


@dataclass(frozen=True)
class HotelPorts:
    """What the hotels API touches; built once per Lambda container."""

    hotels: HotelRepository
    inventory: InventoryRepository
    bookings: HotelBookings
    pictures: Pictures
    managers: Subscriptions
    search: SearchStore
    clock: Clock = utc_now


# -- rules ---------------------------------------------------------------------------------
LIVE_STATUSES = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.ROOM_RESERVED,
        BookingStatus.PAYMENT_RECORDED,
        BookingStatus.AWAITING_APPROVAL,
    }
)


def is_live(booking: Booking, today: dt.date) -> bool:
    """In flight through the saga, or a confirmed stay that has not ended yet."""
    if booking.status in LIVE_STATUSES:
        return True
    return booking.status is BookingStatus.CONFIRMED and booking.checkOut >= today


def shows_manager_email(caller: Caller | None, hotel: Hotel) -> bool:
    return caller is not None and (caller.is_admin or caller.manages(hotel.managerEmail))


def require_admin(caller: Caller | None) -> Caller:
    if caller is None:
        raise NotSignedIn("sign in first")
    if not caller.is_admin:
        raise NotAllowed(
            "only members of the Admin group may list, create, change or delete hotels"
        )
    return caller


def view(ports: HotelPorts, hotel: Hotel, caller: Caller | None) -> HotelView:
    return HotelView(
        hotelId=hotel.hotelId,
        name=hotel.name,
        city=hotel.city,
        stars=hotel.stars,
        pricePerNight=str(to_cents(hotel.pricePerNight)),
        currency=hotel.currency,
        rooms=hotel.rooms,
        imageUrl=ports.pictures.url(hotel.imageKey) if hotel.imageKey else None,
        managerEmail=hotel.managerEmail if shows_manager_email(caller, hotel) else None,
    )


# -- public --------------------------------------------------------------------------------
def search_hotels(ports: HotelPorts, caller: Caller | None, query: Mapping[str, str]) -> HotelList:
    q = validated(HotelQuery, dict(query))
    if q.checkIn is not None or q.checkOut is not None:
        if q.checkIn is None or q.checkOut is None:
            missing = "checkIn" if q.checkIn is None else "checkOut"
            raise InvalidRequest.fields({missing: "give both checkIn and checkOut, or neither"})
        problems = inventory.stay_problems(q.checkIn, q.checkOut, ports.clock())
        if problems:
            raise InvalidRequest.fields(problems)
    try:
        page = search.search(
            ports.search,
            SearchQuery(
                city=q.city,
                minStars=q.minStars,
                maxPrice=q.maxPrice,
                name=q.name,
                checkIn=q.checkIn,
                checkOut=q.checkOut,
                rooms=q.rooms,
                sort=SortBy(q.sort) if q.sort else None,
                limit=q.limit,
                nextToken=q.nextToken,
            ),
        )
    except BadPageToken as exc:
        raise InvalidRequest.fields({"nextToken": str(exc)}) from exc
    return HotelList(
        items=[found(ports, doc, caller) for doc in page.items], nextToken=page.nextToken
    )


def found(ports: HotelPorts, doc: HotelDoc, caller: Caller | None) -> HotelView:
    """A search result: the projection holds no manager email, so nobody sees one here."""
    return HotelView(
        hotelId=doc.hotelId,
        name=doc.name,
        city=doc.city,
        stars=doc.stars,
        pricePerNight=str(to_cents(doc.pricePerNight)),
        currency=doc.currency,
        rooms=doc.rooms,
        imageUrl=ports.pictures.url(doc.imageKey) if doc.imageKey else None,
    )


def list_hotels(ports: HotelPorts, caller: Caller | None) -> HotelList:
    """Every hotel, from the hotels table (the write model): the Admin's page."""
    require_admin(caller)
    hotels = sorted(
        ports.hotels.all(), key=lambda h: (h.city.casefold(), h.name.casefold(), h.hotelId)
    )
    return HotelList(items=[view(ports, h, caller) for h in hotels])


def get_hotel(ports: HotelPorts, caller: Caller | None, hotel_id: str) -> HotelView:
    return view(ports, _existing(ports, hotel_id), caller)


def _existing(ports: HotelPorts, hotel_id: str) -> Hotel:
    hotel = ports.hotels.get(hotel_id) if possible_id(hotel_id) else None
    if hotel is None:
        raise HotelNotListed(f"no hotel {hotel_id}")
    return hotel


# -- Admin ---------------------------------------------------------------------------------
def create_hotel(ports: HotelPorts, caller: Caller | None, form: Form) -> HotelView:
    require_admin(caller)
    fields, picture = _read_form(form, HotelFields)
    hotel_id = new_hotel_id()
    at = ports.clock()
    image_key = _store_picture(ports, hotel_id, picture) if picture else None
    subscribed = False
    try:
        ports.managers.add(fields.managerEmail, hotel_id)
        subscribed = True
        hotel = Hotel(
            hotelId=hotel_id,
            **fields.model_dump(),
            imageKey=image_key,
            createdAt=at,
            updatedAt=at,
        )
        ports.hotels.create(hotel)
    except Exception:
        if image_key:
            _tidy(ports.pictures.delete, image_key)
        if subscribed:
            _tidy(ports.managers.remove, fields.managerEmail, hotel_id)
        raise
    return view(ports, hotel, caller)


def update_hotel(ports: HotelPorts, caller: Caller | None, hotel_id: str, form: Form) -> HotelView:
    require_admin(caller)
    hotel = _existing(ports, hotel_id)
    changes, picture = _read_form(form, HotelChanges)
    at = ports.clock()
    updated = hotel.model_copy(update={**changes.model_dump(exclude_unset=True), "updatedAt": at})
    resized = None
    if updated.rooms != hotel.rooms:
        # First, as the one change that may be refused; undone if anything after it fails.
        rows = ports.inventory.rows(hotel_id, inventory.earliest_stay_date(at))
        resized = inventory.resize(hotel_id, hotel.rooms, updated.rooms, rows)
        short = ports.inventory.apply_each(resized)
        if short is not None:
            raise RoomsStillBooked(
                f"more than {updated.rooms} room(s) are booked on {short.isoformat()}; "
                "the hotel cannot have fewer rooms than that"
            )
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
        if not ports.hotels.replace(updated):
            if ports.hotels.get(hotel_id) is None:
                raise HotelNotListed(f"no hotel {hotel_id}")
            raise HotelChangedMeanwhile(f"{hotel.name} was changed meanwhile; read it again")
    except Exception:
        # Nothing of this change may outlive it: the rooms, the new picture, the new manager.
        if resized is not None:
            ports.inventory.apply_each(inventory.undo(resized))
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
    return view(ports, updated, caller)


def delete_hotel(ports: HotelPorts, caller: Caller | None, hotel_id: str) -> None:
    require_admin(caller)
    hotel = _existing(ports, hotel_id)
    today = inventory.earliest_stay_date(ports.clock())
    live = [b for b in ports.bookings.of_hotel(hotel_id) if is_live(b, today)]
    if live:
        raise HotelHasLiveBookings(
            f"{hotel.name} has {len(live)} live booking(s) (in progress, or confirmed stays "
            "that have not ended); it can be deleted when they are over"
        )
    if not ports.hotels.delete(hotel_id):
        raise HotelNotListed(f"no hotel {hotel_id}")
    # The hotel is gone; what follows only tidies up after it.
    if hotel.imageKey:
        _tidy(ports.pictures.delete, hotel.imageKey)
    _tidy(ports.managers.remove, hotel.managerEmail, hotel_id)
    _tidy(ports.inventory.delete_all, hotel_id)


# -- helpers -------------------------------------------------------------------------------
def _read_form(form: Form, model: type[F]) -> tuple[F, Picture | None]:
    """Fields and picture together, so one 400 names every bad field."""
    problems: list[FieldProblem] = []
    fields: F | None = None
    given = dict(form.fields)
    if given.pop(PICTURE_FIELD, None) is not None:
        problems.extend(
            InvalidRequest.fields(
                {PICTURE_FIELD: "must be a file, sent as multipart/form-data"}
            ).errors
        )
    try:
        fields = validated(model, given)
    except InvalidRequest as exc:
        problems.extend(exc.errors)
    picture: Picture | None = None
    for name, upload in form.files.items():
        if name != PICTURE_FIELD:
            problems.extend(InvalidRequest.fields({name: "is not a known field"}).errors)
            continue
        try:
            picture = _picture(upload)
        except InvalidRequest as exc:
            problems.extend(exc.errors)
    if problems or fields is None:
        raise InvalidRequest(f"invalid request: {', '.join(p.field for p in problems)}", problems)
    return fields, picture


def _picture(upload: Upload) -> Picture | None:
    return None if is_empty(upload) else accept_picture(upload)


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
