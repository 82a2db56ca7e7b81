"""Issue 9 item 1: an Admin lowering a hotel's rooms while a reservation is in flight.

Deterministic interleavings, no sleeps: the real ReserveRoom logic and the real PUT logic run
on the local engine's DynamoDB through the product's repositories; a hook in a port runs the
other side at the exact point between one side's read and its write. The invariant checked
comes from the booking records alone: on every night, the rooms of bookings that hold a
reservation never exceed the hotel's rooms.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from hotel_booking.config import SagaSettings
from hotel_booking.dal.approvals import ApprovalsTable
from hotel_booking.dal.payments import PaymentsTable
from hotel_booking.dal.reservations import Reservations
from hotel_booking.errors import RoomUnavailable
from hotel_booking.logic import hotel_admin
from hotel_booking.logic import hotels as hotel_logic
from hotel_booking.logic import saga as saga_logic
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.payments import SandboxGateway
from hotel_booking.logic.problems import RoomsStillBooked
from hotel_booking.logic.uploads import Form
from hotel_booking.models import Hotel, ReservationState
from hotel_booking.models.domain import PoolUser
from hotel_booking.models.saga import StepEvent
from hotel_booking.search.model import HotelDoc
from tests.fixtures.saga_driver import Records, SagaDriver

ADMIN = Caller(sub="admin", email="admin@example.com", groups=frozenset({"Admin"}))


class HookedHotels:
    """The hotels table, with a hook run once right after the next ``get`` has read."""

    def __init__(self, store: Records) -> None:
        self._table = store.hotels
        self.after_get: Callable[[], None] | None = None

    def get(self, hotel_id: str) -> Hotel | None:
        hotel = self._table.get(hotel_id)
        hook, self.after_get = self.after_get, None
        if hook is not None:
            hook()
        return hotel


class HookedInventory:
    """The inventory table, with a hook run once right after the next ``rows`` has read."""

    def __init__(self, store: Records) -> None:
        self._table = store.inventory
        self.after_rows: Callable[[], None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def rows(self, *args: Any, **kwargs: Any) -> dict[dt.date, int]:
        rows = self._table.rows(*args, **kwargs)
        hook, self.after_rows = self.after_rows, None
        if hook is not None:
            hook()
        return rows


class NoSubscriptions:
    def add(self, email: str, value: str) -> str:
        raise AssertionError("a room count change touches no subscription")

    def remove(self, email: str, value: str) -> None:
        raise AssertionError("a room count change touches no subscription")

    def close(self, value: str) -> None:
        raise AssertionError("a room count change touches no subscription")

    def status(self, email: str, value: str) -> str:
        return "Confirmed"  # read for the answer's view only


class NoDirectory:
    def find_by_email(self, email: str) -> PoolUser | None:
        raise AssertionError("a room count change names no manager")


class NoSearch:
    def walk(
        self, sort: str, prefix: str, after: str | None, budget: int, chunk: int
    ) -> list[HotelDoc]:
        raise AssertionError("a room count change searches nothing")

    def held(self, hotel_id: str, nights: list[dt.date]) -> dict[dt.date, int]:
        raise AssertionError("a room count change searches nothing")


class NoPictures:
    def put(self, key: str, data: bytes, content_type: str) -> None:
        raise AssertionError("a room count change touches no picture")

    def delete(self, key: str) -> None:
        raise AssertionError("a room count change touches no picture")

    def url(self, key: str) -> str:
        return key


class Both:
    """ReserveRoom and the hotels API on the same stack's tables, hooks in between."""

    def __init__(self, driver: SagaDriver) -> None:
        self.driver = driver
        store = driver.store
        client = driver.cloud.client("dynamodb")
        stack = driver.stack
        settings = SagaSettings.model_validate(
            {
                "AWS_REGION": "eu-west-2",
                "HOTELS_TABLE": stack.ref("HotelsTable"),
                "INVENTORY_TABLE": stack.ref("InventoryTable"),
                "BOOKINGS_TABLE": stack.ref("BookingsTable"),
                "PAYMENTS_TABLE": stack.ref("PaymentsTable"),
                "APPROVALS_TABLE": stack.ref("ApprovalsTable"),
                "HOTEL_TOPIC_ARN_PREFIX": "-",
                "OPS_TOPIC_ARN": "-",
                "SENDER_EMAIL": "-",
                "PAYMENT_GATEWAY": "sandbox",
                "APPROVAL_TIMEOUT_SECONDS": "60",
                "PAYMENT_RETRY_WAIT_SECONDS": "30",
                "PAYMENT_RETRY_WINDOW_SECONDS": "300",
            }
        )
        self.hotels = HookedHotels(store)
        self.inventory = HookedInventory(store)
        self.saga_ports = saga_logic.SagaPorts(
            settings=settings,
            hotels=self.hotels,
            bookings=store.bookings,
            reservations=Reservations(client, store.hotels, store.inventory, store.bookings),
            payments=PaymentsTable(client, settings.payments_table),
            approvals=ApprovalsTable(client, settings.approvals_table),
            topics=None,  # type: ignore[arg-type]  # ReserveRoom notifies nobody
            gateway=SandboxGateway(),
        )
        self.hotel_ports = hotel_logic.HotelPorts(
            hotels=store.hotels,
            inventory=self.inventory,
            bookings=store.bookings,
            pictures=NoPictures(),
            managers=NoSubscriptions(),
            search=NoSearch(),
            directory=NoDirectory(),
        )

    def reserve(self, hotel: Hotel) -> dict[str, Any]:
        request = self.driver.request(hotel, rooms=1, nights=2)
        event = StepEvent(
            input=request,
            executionArn=self.driver.execution_arn(request["bookingId"]),
            stateName="ReserveRoom",
        )
        saga_logic.reserve_room(event, self.saga_ports)
        return request

    def set_rooms(self, hotel: Hotel, rooms: int) -> None:
        hotel_admin.update_hotel(
            self.hotel_ports, ADMIN, hotel.hotelId, Form(fields={"rooms": rooms}, files={})
        )

    def assert_never_overbooked(self, hotel: Hotel) -> None:
        """From the booking records alone: what reservations hold, night by night."""
        now = self.driver.store.hotels.get(hotel.hotelId)
        assert now is not None
        held: Counter[dt.date] = Counter()
        for booking in self.driver.store.bookings.of_hotel(hotel.hotelId):
            if booking.reservation is ReservationState.RESERVED:
                for night in booking.nights:
                    held[night] += booking.rooms
        over = {n.isoformat(): h for n, h in held.items() if h > now.rooms}
        assert over == {}, f"{now.rooms} room(s), held per night: {dict(held)}"


@pytest.fixture(scope="module")
def both(saga: SagaDriver) -> Both:
    return Both(saga)


def test_rooms_lowered_between_reserves_read_and_its_write(both: Both) -> None:
    # Given a hotel with 2 rooms and nobody booked on the nights of the stay
    hotel = both.driver.hotel(rooms=2)

    # When ReserveRoom has read the hotel (2 rooms) and the Admin lowers it to 1 before
    # ReserveRoom writes, then a second guest books the same nights
    both.hotels.after_get = lambda: both.set_rooms(hotel, 1)
    both.reserve(hotel)
    with pytest.raises(RoomUnavailable):
        both.reserve(hotel)

    # Then the hotel has 1 room and at most 1 room is held on any night
    stored = both.driver.store.hotels.get(hotel.hotelId)
    assert stored is not None and stored.rooms == 1
    both.assert_never_overbooked(hotel)


def test_reservations_between_the_puts_check_and_its_write(both: Both) -> None:
    # Given a hotel with 2 rooms and nobody booked yet
    hotel = both.driver.hotel(rooms=2)

    # When the PUT to 1 room has read what is held and, before it writes, two guests'
    # ReserveRoom run whole for the same nights
    outcomes: list[str] = []

    def two_guests() -> None:
        for _ in range(2):
            try:
                both.reserve(hotel)
                outcomes.append("reserved")
            except RoomUnavailable:
                outcomes.append("refused")

    both.inventory.after_rows = two_guests
    try:
        both.set_rooms(hotel, 1)
        changed = True
    except RoomsStillBooked as refused:
        changed = False
        assert both.driver.request(hotel)["checkIn"] in str(refused)  # names the night

    # Then either the hotel has 1 room and only one guest holds it, or the PUT was refused:
    # never 2 rooms held in a 1-room hotel
    assert outcomes == (["reserved", "refused"] if changed else ["reserved", "reserved"])
    both.assert_never_overbooked(hotel)
