"""Hotels: search (public), and create, change, delete (group Admin).

Creating a hotel subscribes its manager's email to the manager topic for that hotel, so the
approval requests NotifyManager publishes reach them; changing the manager moves it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hotel_booking.dal.bookings import BookingRecords
from hotel_booking.dal.dynamo import SagaStore, now
from hotel_booking.dal.hotels import HotelTable, Inventory, PictureStore
from hotel_booking.dal.subscriptions import EmailSubscriptions
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.problems import (
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
from hotel_booking.models import MAX_NIGHTS, Booking, BookingStatus, Email, Hotel

F = TypeVar("F", bound=BaseModel)
logger = Logger()

_CENT = Decimal("0.01")
PICTURE_FIELD = "picture"

Name = Annotated[str, Field(min_length=1, max_length=120)]
City = Annotated[str, Field(min_length=1, max_length=80)]
Stars = Annotated[int, Field(ge=1, le=5)]
Price = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2, allow_inf_nan=False)]
Rooms = Annotated[int, Field(ge=1, le=10_000)]


@dataclass(frozen=True)
class HotelPorts:
    """What the hotels API touches; built once per Lambda container."""

    store: SagaStore
    hotels: HotelTable
    inventory: Inventory
    bookings: BookingRecords
    pictures: PictureStore
    managers: EmailSubscriptions
    clock: Callable[[], dt.datetime] = now


# -- requests ------------------------------------------------------------------------------
class HotelFields(BaseModel):
    """POST /hotels: every field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    city: City
    stars: Stars
    pricePerNight: Price
    rooms: Rooms
    managerEmail: Email


class HotelChanges(BaseModel):
    """PUT /hotels/{hotelId}: any of the fields; the others stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    city: City | None = None
    stars: Stars | None = None
    pricePerNight: Price | None = None
    rooms: Rooms | None = None
    managerEmail: Email | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class HotelQuery(BaseModel):
    """GET /hotels query string (unknown parameters are ignored, as for any GET)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    city: City | None = None
    minStars: Stars | None = None
    maxPrice: Price | None = None
    checkIn: dt.date | None = None
    checkOut: dt.date | None = None


# -- responses -----------------------------------------------------------------------------
class HotelView(BaseModel):
    hotelId: str
    name: str
    city: str
    stars: int
    pricePerNight: str
    currency: str
    rooms: int
    imageUrl: str | None
    managerEmail: str | None = None

    def body(self) -> dict[str, Any]:
        """JSON body; ``managerEmail`` is left out, not null, for those who may not see it."""
        data = self.model_dump(mode="json")
        if data["managerEmail"] is None:
            del data["managerEmail"]
        return data


class HotelList(BaseModel):
    items: list[HotelView]

    def body(self) -> dict[str, Any]:
        return {"items": [hotel.body() for hotel in self.items]}


# -- dates shared with bookings ------------------------------------------------------------
def earliest_stay_date(at: dt.datetime) -> dt.date:
    """The first date a stay may start: today somewhere on Earth (UTC-12), so a guest late in
    the evening west of Greenwich can still book tonight."""
    return (at.astimezone(dt.UTC) - dt.timedelta(hours=12)).date()


def stay_problems(check_in: dt.date, check_out: dt.date, at: dt.datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if check_in < earliest_stay_date(at):
        problems["checkIn"] = "must not be in the past"
    nights = (check_out - check_in).days
    if nights < 1:
        problems["checkOut"] = "must be after checkIn"
    elif nights > MAX_NIGHTS:
        problems["checkOut"] = f"a stay is at most {MAX_NIGHTS} nights"
    return problems


def nights_of(check_in: dt.date, check_out: dt.date) -> list[dt.date]:
    return [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]


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
        raise NotAllowed("only members of the Admin group may create, change or delete hotels")
    return caller


def view(ports: HotelPorts, hotel: Hotel, caller: Caller | None) -> HotelView:
    return HotelView(
        hotelId=hotel.hotelId,
        name=hotel.name,
        city=hotel.city,
        stars=hotel.stars,
        pricePerNight=str(hotel.pricePerNight.quantize(_CENT)),
        currency=hotel.currency,
        rooms=hotel.rooms,
        imageUrl=ports.pictures.url(hotel.imageKey) if hotel.imageKey else None,
        managerEmail=hotel.managerEmail if shows_manager_email(caller, hotel) else None,
    )


# -- public --------------------------------------------------------------------------------
def search_hotels(ports: HotelPorts, caller: Caller | None, query: Mapping[str, str]) -> HotelList:
    q = validated(HotelQuery, dict(query))
    nights: list[dt.date] = []
    if q.checkIn is not None or q.checkOut is not None:
        if q.checkIn is None or q.checkOut is None:
            missing = "checkIn" if q.checkIn is None else "checkOut"
            raise InvalidRequest.fields({missing: "give both checkIn and checkOut, or neither"})
        problems = stay_problems(q.checkIn, q.checkOut, ports.clock())
        if problems:
            raise InvalidRequest.fields(problems)
        nights = nights_of(q.checkIn, q.checkOut)

    def wanted(hotel: Hotel) -> bool:
        if q.city is not None and hotel.city.casefold() != q.city.casefold():
            return False
        if q.minStars is not None and hotel.stars < q.minStars:
            return False
        if q.maxPrice is not None and hotel.pricePerNight > q.maxPrice:
            return False
        return not nights or min(ports.store.available_rooms(hotel, nights).values()) >= 1

    hotels = sorted(
        (h for h in ports.hotels.all() if wanted(h)),
        key=lambda h: (h.city.casefold(), h.name.casefold(), h.hotelId),
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
    hotel_id = f"ht_{uuid.uuid4().hex[:20]}"
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
    delta = updated.rooms - hotel.rooms
    if delta:
        # First, as the one change that may be refused; undone if anything after it fails.
        short = ports.inventory.adjust(hotel_id, delta, earliest_stay_date(at))
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
            raise HotelNotListed(f"no hotel {hotel_id}")
    except Exception:
        # Nothing of this change may outlive it: the rooms, the new picture, the new manager.
        if delta:
            ports.inventory.adjust(hotel_id, -delta, earliest_stay_date(at), guarded=False)
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
    today = earliest_stay_date(ports.clock())
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
    problems: list[Any] = []
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
    nobody links to, a subscription to a hotel that sends nothing), logged, not a failed call."""
    try:
        action(*args)
    except (ClientError, BotoCoreError):
        logger.exception("clean-up failed", extra={"action": getattr(action, "__name__", "?")})


def _store_picture(ports: HotelPorts, hotel_id: str, picture: Picture) -> str:
    key = f"hotels/{hotel_id}/{uuid.uuid4().hex}.{picture.extension}"
    ports.pictures.put(key, picture.data, picture.content_type)
    return key
