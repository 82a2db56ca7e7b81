"""The API's logic on in-memory ports, no AWS: what happens when a step after another fails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hotel_booking.dal.executions import Executions
from hotel_booking.logic import bookings, hotel_admin, hotels
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.cancellations import CancellationPolicy
from hotel_booking.logic.problems import (
    BookingNotStarted,
    HotelChangedConcurrently,
    InvalidRequest,
    RoomsStillBooked,
)
from hotel_booking.logic.uploads import Form, Upload
from hotel_booking.models import Booking, BookingStatus, FailureReason, Guest, Hotel
from hotel_booking.models.api.hotels import HotelList, HotelView
from hotel_booking.models.api.users import UserList, UserView
from hotel_booking.models.domain import PoolUser, StepLogEntry, Stretch
from hotel_booking.search.model import HotelDoc
from tests.fixtures.events import png

NOW = dt.datetime(2030, 6, 15, 10, 0, tzinfo=dt.UTC)
ADMIN = Caller(sub="a", email="admin@example.com", groups=frozenset({"Admin"}))


def boom(*args: Any, **kwargs: Any) -> Any:
    raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, "Op")


class FakeHotels:
    def __init__(self) -> None:
        self.items: dict[str, Hotel] = {}

    def all(self) -> list[Hotel]:
        return list(self.items.values())

    def get(self, hotel_id: str, consistent: bool = True) -> Hotel | None:
        return self.items.get(hotel_id)

    def managed_by(self, manager_sub: str) -> list[str]:
        return [h.hotelId for h in self.items.values() if h.managerSub == manager_sub]

    def page(self, limit: int, after: str | None = None) -> tuple[list[Hotel], str | None]:
        """As a Scan page: in key order, ``limit`` at most, the last key when it was full."""
        ids = sorted(i for i in self.items if after is None or i > after)[:limit]
        return [self.items[i] for i in ids], ids[-1] if len(ids) == limit else None

    def create(self, hotel: Hotel) -> None:
        self.items[hotel.hotelId] = hotel

    def replace(self, hotel: Hotel) -> Hotel | None:
        stored = self.items.get(hotel.hotelId)
        if stored is None or stored.version != hotel.version:
            return None
        self.items[hotel.hotelId] = hotel.model_copy(update={"version": hotel.version + 1})
        return self.items[hotel.hotelId]

    def delete(self, hotel_id: str) -> bool:
        return self.items.pop(hotel_id, None) is not None


class FakePictures:
    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.items[key] = data

    def delete(self, key: str) -> None:
        self.items.pop(key, None)

    def url(self, key: str) -> str:
        return f"https://pictures.example/{key}"


class FakeSubscriptions:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, email: str, value: str) -> str:
        self.items.setdefault(email, []).append(value)
        return "arn:sub"

    def remove(self, email: str, value: str) -> None:
        self.items[email].remove(value)

    def close(self, value: str) -> None:
        """The hotel's topic deleted: every subscription to it goes with it."""
        for values in self.items.values():
            if value in values:
                values.remove(value)

    def status(self, email: str, value: str) -> str:
        return "PendingConfirmation" if value in self.items.get(email, []) else "NotSubscribed"


class FakeInventory:
    def __init__(self) -> None:
        self.held: dict[dt.date, int] = {}

    def rows(
        self, hotel_id: str, first: dt.date | None = None, last: dt.date | None = None
    ) -> dict[dt.date, int]:
        return {
            night: held
            for night, held in self.held.items()
            if (first is None or night >= first) and (last is None or night <= last)
        }

    def delete_all(self, hotel_id: str) -> None:
        self.held.clear()


class FakeSearch:
    def walk(
        self, sort: str, prefix: str, after: str | None, budget: int, chunk: int
    ) -> list[HotelDoc]:
        return []

    def held(self, hotel_id: str, nights: list[dt.date]) -> dict[dt.date, int]:
        return {}


class FakeBookings:
    def of_hotel(self, hotel_id: str, *args: Any) -> list[Booking]:
        return []


class FakeDirectory:
    """The user pool: every address is a HotelManager whose sub is derived from it."""

    def find_by_email(self, email: str) -> PoolUser | None:
        return PoolUser(
            userId=f"sub-{email}",
            sub=f"sub-{email}",
            email=email,
            status="CONFIRMED",
            enabled=True,
            groups=frozenset({"HotelManager"}),
        )


class NoUsers:
    def find_by_email(self, email: str) -> PoolUser | None:
        return None


class Fakes:
    def __init__(self) -> None:
        self.hotels = FakeHotels()
        self.pictures = FakePictures()
        self.managers = FakeSubscriptions()
        self.inventory = FakeInventory()

    def ports(self) -> hotels.HotelPorts:
        return hotels.HotelPorts(
            hotels=self.hotels,
            inventory=self.inventory,
            bookings=FakeBookings(),
            pictures=self.pictures,
            managers=self.managers,
            search=FakeSearch(),
            directory=FakeDirectory(),
            clock=lambda: NOW,
        )


def fields() -> dict[str, Any]:
    return {
        "name": "Unit Hotel",
        "city": "Lisbon",
        "stars": 4,
        "pricePerNight": Decimal("120"),
        "rooms": 3,
        "managerEmail": "m@example.com",
    }


def with_picture() -> Form:
    return Form(fields=fields(), files={"picture": Upload("picture", "p.png", None, png())})


def test_a_failed_subscription_leaves_no_picture_behind() -> None:
    fakes = Fakes()
    fakes.managers.add = boom  # type: ignore[method-assign]
    with pytest.raises(ClientError):
        hotel_admin.create_hotel(fakes.ports(), ADMIN, with_picture())
    assert fakes.pictures.items == {}
    assert fakes.hotels.items == {}


def test_a_manager_who_is_not_a_hotel_manager_user_leaves_nothing_behind() -> None:
    fakes = Fakes()
    ports = dataclasses.replace(fakes.ports(), directory=NoUsers())
    with pytest.raises(InvalidRequest) as refused:
        hotel_admin.create_hotel(ports, ADMIN, with_picture())
    assert [e.field for e in refused.value.errors] == ["managerEmail"]
    assert fakes.pictures.items == {}
    assert fakes.hotels.items == {}
    assert fakes.managers.items == {}


def test_a_hotel_that_cannot_be_stored_leaves_no_subscription() -> None:
    fakes = Fakes()
    fakes.hotels.create = boom  # type: ignore[method-assign]
    with pytest.raises(ClientError):
        hotel_admin.create_hotel(fakes.ports(), ADMIN, with_picture())
    assert fakes.managers.items == {"m@example.com": []}
    assert fakes.pictures.items == {}


def test_a_clean_up_that_fails_does_not_fail_the_delete() -> None:
    fakes = Fakes()
    created = hotel_admin.create_hotel(fakes.ports(), ADMIN, with_picture())
    fakes.pictures.delete = boom  # type: ignore[method-assign]
    fakes.managers.remove = boom  # type: ignore[method-assign]
    fakes.managers.close = boom  # type: ignore[method-assign]
    fakes.inventory.delete_all = boom  # type: ignore[method-assign]

    hotel_admin.delete_hotel(fakes.ports(), ADMIN, created.hotelId)

    assert fakes.hotels.items == {}


def test_a_change_that_cannot_be_saved_leaves_nothing_behind() -> None:
    fakes = Fakes()
    created = hotel_admin.create_hotel(fakes.ports(), ADMIN, with_picture())
    pictures = dict(fakes.pictures.items)
    fakes.inventory.held = {NOW.date(): 1}
    fakes.hotels.replace = boom  # type: ignore[method-assign]
    change = Form(
        fields={"rooms": 5, "managerEmail": "new@example.com"},
        files={"picture": Upload("picture", "q.png", None, png(5, 5))},
    )

    with pytest.raises(ClientError):
        hotel_admin.update_hotel(fakes.ports(), ADMIN, created.hotelId, change)

    assert fakes.inventory.held == {NOW.date(): 1}
    assert fakes.pictures.items == pictures
    assert fakes.managers.items == {"m@example.com": [created.hotelId], "new@example.com": []}
    assert fakes.hotels.items[created.hotelId].rooms == 3


def test_a_hotel_changed_meanwhile_is_a_conflict_that_leaves_nothing_behind() -> None:
    fakes = Fakes()
    created = hotel_admin.create_hotel(fakes.ports(), ADMIN, with_picture())
    pictures = dict(fakes.pictures.items)
    fakes.hotels.replace = lambda hotel: None  # type: ignore[method-assign]  # lost the race
    change = Form(
        fields={"managerEmail": "new@example.com"},
        files={"picture": Upload("picture", "q.png", None, png(5, 5))},
    )

    with pytest.raises(HotelChangedConcurrently):
        hotel_admin.update_hotel(fakes.ports(), ADMIN, created.hotelId, change)

    assert fakes.pictures.items == pictures
    assert fakes.managers.items == {"m@example.com": [created.hotelId], "new@example.com": []}


def test_fewer_rooms_than_booked_is_refused_before_anything_changes() -> None:
    fakes = Fakes()
    created = hotel_admin.create_hotel(fakes.ports(), ADMIN, Form(fields=fields()))
    fakes.inventory.held = {NOW.date(): 2}  # 2 of 3 rooms booked that night

    with pytest.raises(RoomsStillBooked, match=NOW.date().isoformat()) as refused:
        hotel_admin.update_hotel(
            fakes.ports(),
            ADMIN,
            created.hotelId,
            Form(fields={"rooms": 1, "managerEmail": "new@example.com"}),
        )
    assert str(refused.value).startswith("1 room would be too few: more are booked on ")
    assert fakes.inventory.held == {NOW.date(): 2}
    assert fakes.managers.items == {"m@example.com": [created.hotelId]}
    stored = fakes.hotels.items[created.hotelId]
    assert (stored.rooms, stored.loweringTo) == (3, None)  # the mark is lifted again


# -- bookings ------------------------------------------------------------------------------
class FakeRecords:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.discarded: list[str] = []

    def create_pending(self, booking: Booking, request_hash: str) -> bool:
        if booking.bookingId in self.items:
            return False
        self.items[booking.bookingId] = {**booking.model_dump(), "requestHash": request_hash}
        return True

    def get(self, booking_id: str, consistent: bool = True) -> Booking | None:
        item = self.items.get(booking_id)
        return None if item is None else Booking.model_validate(item)

    def of_hotel(self, hotel_id: str, *args: Any) -> list[Booking]:
        return []

    def of_guest(self, sub: str, *args: Any) -> list[Booking]:
        return []

    def of_everyone(self, *args: Any) -> Stretch:
        return Stretch([], None)

    def discard_unstarted(self, booking_id: str) -> None:
        self.discarded.append(booking_id)
        self.items.pop(booking_id, None)


class FakeSfn:
    def __init__(self, error: str | None = None) -> None:
        self.error = error
        self.started: list[str] = []

    def start_execution(self, stateMachineArn: str, name: str, input: str) -> dict[str, str]:
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "no"}}, "StartExecution")
        self.started.append(name)
        return {"executionArn": f"arn:aws:states:eu-west-2:1:execution:sm:{name}"}


class FakeApprovals:
    def get(self, approval_id: str) -> None:
        return None

    def open(self, *args: Any) -> Any:
        raise AssertionError("not called")

    def mark_notified(self, approval_id: str) -> None:
        raise AssertionError("not called")

    def close(self, *args: Any) -> bool:
        raise AssertionError("not called")


def booking_ports(sfn: FakeSfn, records: FakeRecords) -> bookings.BookingPorts:
    """The real Step Functions wrapper over a fake client: its error codes are under test."""
    hotels_ = FakeHotels()
    hotels_.create(Hotel(**fields(), hotelId="h1", createdAt=NOW, updatedAt=NOW))
    executions = Executions(sfn, "arn:aws:states:eu-west-2:1:stateMachine:sm")
    return bookings.BookingPorts(
        hotels=hotels_,
        bookings=records,
        approvals=FakeApprovals(),
        sagas=executions,
        tasks=executions,
        region="eu-west-2",
        clock=lambda: NOW,
    )


GUEST = Caller(sub="g1", email="g1@example.com")
REQUEST = {
    "hotelId": "h1",
    "checkIn": "2030-07-01",
    "checkOut": "2030-07-03",
    "rooms": 1,
    "guestName": "G",
    "paymentToken": "tok_visa",
}


def test_a_saga_that_would_not_start_leaves_no_booking_and_asks_for_a_retry() -> None:
    records = FakeRecords()
    with pytest.raises(BookingNotStarted):
        bookings.create_booking(
            booking_ports(FakeSfn("ThrottlingException"), records), GUEST, REQUEST, None
        )
    assert records.items == {}
    assert len(records.discarded) == 1


def test_a_saga_already_started_under_that_name_is_the_same_booking() -> None:
    records = FakeRecords()
    ports = booking_ports(FakeSfn("ExecutionAlreadyExists"), records)
    accepted = bookings.create_booking(ports, GUEST, REQUEST, "k1")
    # The API stores no execution ARN (ReserveRoom does): the booking shows the one derived
    # from its name, the execution that exists already.
    assert records.discarded == []
    arn = bookings.get_booking(ports, ADMIN, accepted.bookingId).executionArn
    assert arn == f"arn:aws:states:eu-west-2:1:execution:sm:{accepted.bookingId}"


def test_the_admins_hotel_list_comes_a_bounded_page_at_a_time() -> None:
    # Given 250 hotels
    fakes = Fakes()
    for i in range(250):
        fakes.hotels.create(
            Hotel.model_validate(
                fields()
                | {"hotelId": f"h{i:03d}", "createdAt": NOW, "updatedAt": NOW, "version": 1}
            )
        )
    # When the Admin reads the list with the largest page, then reads on
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        query = {"limit": "100"} | ({"nextToken": token} if token else {})
        page = hotels.list_hotels(fakes.ports(), ADMIN, query)
        assert len(page.items) <= 100
        seen += [h.hotelId for h in page.items]
        pages += 1
        token = page.nextToken
        if token is None:
            break
    # Then every hotel comes once, in three pages; a foreign token or a page too big is a 400
    assert sorted(seen) == sorted(fakes.hotels.items) and pages == 3
    for bad in ({"nextToken": "not base64!"}, {"nextToken": "Li4v"}, {"limit": "101"}):
        with pytest.raises(InvalidRequest):
            hotels.list_hotels(fakes.ports(), ADMIN, bad)


LAMBDA_RESPONSE_BUDGET = 6 * 1024 * 1024


def test_the_largest_list_pages_stay_under_lambdas_6_mb_response() -> None:
    # The largest page of each list, every field at its longest (a picture URL as long as a
    # presigned one gets, a booking with its whole step log), is far below 6 MB.
    url = "https://bucket.s3.eu-west-2.amazonaws.com/" + "k" * 200 + "?" + "X" * 1800
    hotel = HotelView(
        hotelId="h" * 80,
        name="N" * 120,
        city="C" * 80,
        stars=5,
        pricePerNight="99999999.99",
        currency="EUR",
        rooms=10_000,
        imageUrl=url,
        managerEmail="m" * 240 + "@example.com",
        managerSub="s" * 64,
        managerSubscription="PendingConfirmation",
    )
    hotel_page = HotelList(items=[hotel] * 100, nextToken="t" * 1000).body()
    assert len(json.dumps(hotel_page).encode()) < LAMBDA_RESPONSE_BUDGET / 10
    user = UserView(
        userId="u" * 36,
        sub="u" * 36,
        email="e" * 242 + "@example.com",
        name="N" * 256,
        status="FORCE_CHANGE_PASSWORD",
        enabled=True,
        groups=["Admin", "HotelManager"],
    )
    user_page = UserList(items=[user] * 60, nextToken="t" * 4096).body()
    assert len(json.dumps(user_page).encode()) < LAMBDA_RESPONSE_BUDGET / 10


# -- one hotel's free rooms for a stay (the hotel page) ------------------------------------
def a_hotel(fakes: Fakes, rooms: int = 3) -> Hotel:
    hotel = Hotel.model_validate(
        fields() | {"hotelId": "h1", "rooms": rooms, "createdAt": NOW, "updatedAt": NOW}
    )
    fakes.hotels.create(hotel)
    return hotel


def stay(first: dt.date, nights: int, rooms: int = 1) -> dict[str, str]:
    return {
        "checkIn": first.isoformat(),
        "checkOut": (first + dt.timedelta(days=nights)).isoformat(),
        "rooms": str(rooms),
    }


FIRST = dt.date(2030, 7, 1)


def test_a_hotel_with_dates_tells_the_rooms_free_on_every_night_of_the_stay() -> None:
    # Given a 3-room hotel whose second night of a stay holds 2 rooms (confirmed or in the saga)
    fakes = Fakes()
    a_hotel(fakes)
    fakes.inventory.held = {FIRST + dt.timedelta(days=1): 2, FIRST + dt.timedelta(days=5): 3}
    # When a guest asks for those three nights
    shown = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 3))
    # Then one room is free for the whole stay; two rooms are not
    assert shown.body()["availability"] == {
        "checkIn": "2030-07-01",
        "checkOut": "2030-07-04",
        "nights": 3,
        "rooms": 1,
        "roomsLeft": 1,
        "available": True,
    }
    two = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 3, rooms=2)).availability
    assert two is not None and (two.roomsLeft, two.available) == (1, False)
    # A full night outside the stay does not count; inside it, nothing is free
    five = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 5)).availability
    assert five is not None and (five.roomsLeft, five.available) == (1, True)
    full = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 6)).availability
    assert full is not None and (full.roomsLeft, full.available) == (0, False)
    # When the holds are released, the rooms are free again at the next read
    fakes.inventory.held = {}
    freed = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 6)).availability
    assert freed is not None and (freed.roomsLeft, freed.available) == (3, True)


def test_a_hotel_without_dates_says_nothing_about_rooms_free() -> None:
    fakes = Fakes()
    a_hotel(fakes)
    body = hotels.get_hotel(fakes.ports(), None, "h1", {"rooms": "2"}).body()
    assert "availability" not in body and body["rooms"] == 3


def test_a_hotel_being_lowered_offers_only_the_rooms_it_is_lowered_to() -> None:
    # The same rule as search and ReserveRoom: while an Admin lowers the room count, no
    # night fills beyond the new count.
    fakes = Fakes()
    hotel = a_hotel(fakes, rooms=5)
    fakes.hotels.items["h1"] = hotel.model_copy(update={"loweringTo": 2})
    fakes.inventory.held = {FIRST: 1}
    shown = hotels.get_hotel(fakes.ports(), None, "h1", stay(FIRST, 2)).availability
    assert shown is not None and shown.roomsLeft == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"checkIn": "2030-07-01"}, "checkOut"),
        ({"checkOut": "2030-07-03"}, "checkIn"),
        (stay(dt.date(2030, 6, 1), 2), "checkIn"),  # in the past (today is 2030-06-15)
        ({"checkIn": "2030-07-03", "checkOut": "2030-07-01"}, "checkOut"),
        (stay(FIRST, 0), "checkOut"),
        (stay(FIRST, 31), "checkOut"),  # too long a stay
        (stay(dt.date(2033, 1, 1), 2), "checkIn"),  # beyond the stay horizon
        ({"checkIn": "2030-02-30", "checkOut": "2030-03-02"}, "checkIn"),
        ({"checkIn": "1 July", "checkOut": "2030-07-03"}, "checkIn"),
        (stay(FIRST, 2) | {"rooms": "0"}, "rooms"),
        (stay(FIRST, 2) | {"rooms": "two"}, "rooms"),
    ],
)
def test_bad_dates_for_a_hotel_are_a_400_naming_the_field(
    query: dict[str, str], field: str
) -> None:
    fakes = Fakes()
    a_hotel(fakes)
    with pytest.raises(InvalidRequest) as refused:
        hotels.get_hotel(fakes.ports(), None, "h1", query)
    assert field in {p.field for p in refused.value.errors}


class LongestBookings(FakeRecords):
    """Every list holds more than the largest page of copies of one booking."""

    def __init__(self, booking: Booking) -> None:
        super().__init__()
        self.many = [
            booking.model_copy(update={"bookingId": f"{'b' * 70}{i:010d}"}) for i in range(101)
        ]

    def of_hotel(self, hotel_id: str, *args: Any) -> list[Booking]:
        return self.many

    def of_guest(self, sub: str, *args: Any) -> list[Booking]:
        return self.many

    def of_everyone(self, *args: Any) -> Stretch:
        return Stretch(self.many, None)


def test_the_largest_bookings_page_stays_under_lambdas_6_mb_response() -> None:
    # The longest booking a saga can leave: every text at its limit, a step log longer than
    # any run writes (each step once, a cancellation, retries' states), a manager's note
    at = NOW
    longest = Booking(
        bookingId="b" * 80,
        hotelId="h1",
        hotelName="N" * 120,
        guest=Guest(sub="g" * 80, name="G" * 100, email="e" * 242 + "@example.com"),
        checkIn=dt.date(2030, 7, 1),
        checkOut=dt.date(2030, 8, 1),
        rooms=10_000,
        amount=Decimal("9999999999.99"),
        status=BookingStatus.CONFIRMED,
        reason=FailureReason.PAYMENT_UNAVAILABLE,
        reasonDetail="D" * 1000,
        executionArn="arn:aws:states:eu-west-2:123456789012:execution:" + "x" * 80 + ":" + "b" * 80,
        steps=[StepLogEntry(state="S" * 80, at=at) for _ in range(30)],
        createdAt=at,
        updatedAt=at,
        managerNote="M" * 500,
        refundCents=999999999999,
        cancelRequestedBy="c" * 80,
        cancelRequestedAt=at,
    )
    ports = dataclasses.replace(
        booking_ports(FakeSfn(), LongestBookings(longest)),
        policy=CancellationPolicy(full_refund_days=7),
    )
    ports.hotels.create(  # type: ignore[attr-defined]
        Hotel(**fields(), hotelId="h1", managerSub="m1", createdAt=NOW, updatedAt=NOW)
    )
    manager = Caller(sub="m1", email="m@example.com", groups=frozenset({"HotelManager"}))
    owner = Caller(sub="g" * 80, email="e" * 242 + "@example.com")
    for caller in (ADMIN, manager, owner):
        page = bookings.list_bookings(ports, caller, {"limit": "100"})
        assert len(page.items) == 100 and page.nextToken
        body = json.dumps(page.model_dump(mode="json")).encode()
        # (an Admin's page of 100 such bookings: ~0.7 MB, the execution ARNs and details)
        assert len(body) < LAMBDA_RESPONSE_BUDGET / 6, (caller.sub, len(body))
