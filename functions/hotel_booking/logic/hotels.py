"""Hotels: search (public), and create, change, delete (group Admin).

Search reads the search projection (``hotel_booking.search``, the CQRS read side), never the
hotels table; reading one hotel and the Admin's changes use the hotels table (the write model).

A hotel's manager is a user of the Cognito pool in the HotelManager group: the Admin names
them by email, the hotel stores their ``sub`` (who may see and decide its bookings) and their
email (where approval emails go). Creating a hotel creates its own SNS topic and subscribes
that email to it, so the approval requests NotifyManager publishes reach them once they confirm
the subscription; changing the manager moves it; deleting the hotel deletes the topic.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from hotel_booking.clock import Clock, utc_now
from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS
from hotel_booking.logic import inventory, wording
from hotel_booking.logic.callers import HOTEL_MANAGER, Caller
from hotel_booking.logic.ids import new_hotel_id
from hotel_booking.logic.ports import (
    HotelBookings,
    HotelRepository,
    InventoryRepository,
    LegacyHotels,
    Pictures,
    Subscriptions,
    UserDirectory,
)
from hotel_booking.logic.problems import (
    FieldProblem,
    HotelChangedConcurrently,
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
from hotel_booking.models.api import (
    AdminHotelQuery,
    Availability,
    HotelChanges,
    HotelFields,
    HotelList,
    HotelManagerView,
    HotelView,
    ManagerSubscriptionView,
    StayQuery,
)
from hotel_booking.models.domain import PoolUser, nights
from hotel_booking.search.answers import SearchPorts as SearchPorts
from hotel_booking.search.answers import search_hotels as search_hotels
from hotel_booking.search.answers import stay_query
from hotel_booking.search.ports import SearchStore

F = TypeVar("F", bound=BaseModel)
logger = Logger()

PICTURE_FIELD = "picture"
#: The hotel fields that are JSON integers (a multipart form sends them as text).
INTEGER_FIELDS = frozenset({"stars", "rooms"})


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


# -- rules ---------------------------------------------------------------------------------
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


def shows_manager_email(caller: Caller | None, hotel: Hotel) -> bool:
    return caller is not None and (caller.is_admin or caller.manages(hotel.managerSub))


def require_admin(
    caller: Caller | None, what: str = "list, create, change or delete hotels"
) -> Caller:
    if caller is None:
        raise NotSignedIn("sign in first")
    if not caller.is_admin:
        raise NotAllowed(f"only members of the Admin group may {what}")
    return caller


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


# -- public --------------------------------------------------------------------------------
def list_hotels(ports: HotelPorts, caller: Caller | None, query: Mapping[str, str]) -> HotelList:
    """The Admin's page of hotels, from the hotels table (the write model): one Scan page of
    at most ``limit`` hotels (sorted by city and name within the page), and a ``nextToken``
    to read on, so a request costs the same however many hotels there are."""
    require_admin(caller)
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
        raise InvalidRequest.fields(
            {"nextToken": "is not a page token from this listing; start again without it"}
        )
    return hotel_id


def get_hotel(
    ports: HotelPorts, caller: Caller | None, hotel_id: str, query: Mapping[str, str] | None = None
) -> HotelView:
    """One hotel; with ``checkIn`` and ``checkOut`` (and ``rooms``), also the rooms free for
    that stay, by the rule search uses, from the inventory ReserveRoom writes: a room held by
    a booking still in the saga is not free, and is free again once the saga releases it."""
    stay = stay_query(StayQuery, query or {}, ports)
    hotel = _existing(ports, hotel_id)
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


def get_manager(ports: HotelPorts, caller: Caller | None, hotel_id: str) -> HotelManagerView:
    """Who manages a hotel: for Admins and that manager only (the public reads leave it out)."""
    if caller is None:
        raise NotSignedIn("sign in first")
    hotel = _existing(ports, hotel_id)
    if not shows_manager_email(caller, hotel):
        raise NotAllowed("only Admins and the hotel's manager may see who manages it")
    return HotelManagerView(
        hotelId=hotel.hotelId, managerEmail=hotel.managerEmail, managerSub=hotel.managerSub
    )


def manager_subscription(
    ports: HotelPorts, caller: Caller | None, hotel_id: str
) -> ManagerSubscriptionView:
    """For the admin page: has the manager confirmed SNS's subscription email? Until then no
    approval email reaches them (they decide from the dashboard)."""
    require_admin(caller)
    hotel = _existing(ports, hotel_id)
    return ManagerSubscriptionView(
        hotelId=hotel.hotelId,
        managerEmail=hotel.managerEmail,
        state=ports.managers.status(hotel.managerEmail, hotel.hotelId),
    )


def _existing(ports: HotelPorts, hotel_id: str) -> Hotel:
    hotel = ports.hotels.get(hotel_id) if possible_id(hotel_id) else None
    if hotel is None:
        raise HotelNotListed(f"no hotel {hotel_id}")
    return hotel


# -- Admin ---------------------------------------------------------------------------------
#: A request body, or how to read it: the API hands over a reader, so a body is parsed only
#: once the caller may send one (issue 21: a guest's 20,000-part form held the function 10 s).
FormSource = Form | Callable[[], Form]


def _form(source: FormSource) -> Form:
    return source if isinstance(source, Form) else source()


def create_hotel(ports: HotelPorts, caller: Caller | None, form: FormSource) -> HotelView:
    require_admin(caller)
    fields, picture = _read_form(_form(form), HotelFields)
    hotel_id = new_hotel_id()
    at = ports.clock()
    manager = _manager(ports, fields.managerEmail)  # before anything is stored
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
    require_admin(caller)
    hotel = _existing(ports, hotel_id)
    changes, picture = _read_form(_form(form), HotelChanges)
    at = ports.clock()
    updated = hotel.model_copy(
        update={**changes.model_dump(exclude_unset=True), "updatedAt": at, "loweringTo": None}
    )
    if changes.managerEmail is not None:
        manager = _manager(ports, changes.managerEmail)  # before anything is stored
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
    require_admin(caller)
    hotel = _existing(ports, hotel_id)
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


# -- migration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ManagerMigration:
    hotelId: str
    managerEmail: str
    managerSub: str | None  # None: left unmanaged, ``why`` says why
    why: str


def assign_missing_managers(
    hotels: LegacyHotels, directory: UserDirectory, apply: bool
) -> list[ManagerMigration]:
    """Name by ``sub`` the manager of each hotel stored with only an email (before issue 9
    item 2), once: the user who holds that email *verified*, in HotelManager and enabled.
    Anything less stays unmanaged (no one sees its bookings but Admins) until an Admin picks
    the manager: an unverified or missing address proves nothing about who should manage it.
    """
    out = []
    for hotel in hotels.all():
        if hotel.managerSub is not None:
            continue
        user = directory.find_by_email(hotel.managerEmail)
        if user is None:
            why = "no user has this email"
        elif not user.emailVerified:
            why = "the user with this email has not verified it"
        elif HOTEL_MANAGER not in user.groups:
            why = "the user with this email is not in HotelManager"
        elif not user.enabled:
            why = "the user with this email is disabled"
        elif apply and not hotels.set_manager_sub(hotel.hotelId, hotel.managerEmail, user.sub):
            why = "the hotel changed meanwhile; run again"
        else:
            done = "assigned" if apply else "would be assigned (dry run)"
            out.append(ManagerMigration(hotel.hotelId, hotel.managerEmail, user.sub, done))
            continue
        out.append(ManagerMigration(hotel.hotelId, hotel.managerEmail, None, why))
    return out


# -- helpers -------------------------------------------------------------------------------
def _manager(ports: HotelPorts, email: str) -> PoolUser:
    """The HotelManager user an Admin means by this email, or a 400 naming ``managerEmail``."""
    user = ports.directory.find_by_email(email)
    if user is None:
        problem = "no user has this email; they sign up first (or an Admin creates them)"
    elif HOTEL_MANAGER not in user.groups:
        problem = "this user is not in the HotelManager group; add them on the Users page"
    elif not user.enabled:
        problem = "this user is disabled; enable them on the Users page first"
    else:
        return user
    raise InvalidRequest.fields({"managerEmail": problem})


def _read_form(form: Form, model: type[F]) -> tuple[F, Picture | None]:
    """Fields and picture together, so one 400 names every bad field."""
    problems: list[FieldProblem] = []
    fields: F | None = None
    given = form.typed_fields(INTEGER_FIELDS)
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
