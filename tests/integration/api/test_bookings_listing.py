"""Issue 9 item 13: GET /bookings reads indexes, never the whole table, for guests and
managers (and, issue 23, for an Admin); pages stay newest first across a guest's and a
manager's lists."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from hotel_booking.models import BookingStatus, Decision
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN
from tests.integration.api.test_bookings_api import awaiting, manager_of, someone


class DynamoCalls:
    """Every DynamoDB call on the bookings table while installed: (operation, index); and
    on the hotels table (``hotel_calls``)."""

    def __init__(self, table: str, hotels: str) -> None:
        self.table = table
        self.hotels = hotels
        self.calls: list[tuple[str, str | None]] = []
        self.hotel_calls: list[tuple[str, str | None]] = []


@pytest.fixture
def bookings_calls(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoCalls]:
    seen = DynamoCalls(api.stack.ref("BookingsTable"), api.stack.ref("HotelsTable"))
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if params.get("TableName") == seen.table:  # only DynamoDB calls name a TableName
            seen.calls.append((operation, params.get("IndexName")))
        if params.get("TableName") == seen.hotels:
            seen.hotel_calls.append((operation, params.get("IndexName")))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield seen


def listed(api: ApiClient, who: dict[str, Any], **query: str) -> list[str]:
    resp = api.bookings("GET", "/bookings", claims=who, query=query or None)
    assert resp.status == 200, resp.body
    return [b["bookingId"] for b in resp.body["items"]]


def test_guests_managers_and_admins_lists_query_indexes_and_never_scan(
    api: ApiClient, bookings_calls: DynamoCalls
) -> None:
    hotel = api.create_hotel(managerEmail=f"cost.{uuid.uuid4().hex[:6]}@example.com", rooms=5)
    who = someone()
    waiting = awaiting(api, hotel, who)
    bookings_calls.calls.clear()
    bookings_calls.hotel_calls.clear()

    assert listed(api, who) == [waiting]
    assert listed(api, who, status="AWAITING_APPROVAL") == [waiting]
    assert listed(api, manager_of(api, hotel)) == [waiting]
    assert listed(api, manager_of(api, hotel), status="AWAITING_APPROVAL") == [waiting]
    assert listed(api, manager_of(api, hotel), status="CONFIRMED") == []
    # An Admin's list of every booking walks the byMonth index: the newest booking is first
    assert listed(api, ADMIN)[0] == waiting
    assert waiting in listed(api, ADMIN, status="AWAITING_APPROVAL")

    operations = {operation for operation, _ in bookings_calls.calls}
    assert "Scan" not in operations
    assert {index for op, index in bookings_calls.calls if op == "Query"} == {
        "byGuest",
        "byHotel",
        "byHotelStatus",
        "byMonth",
    }
    # A manager's hotels come from the hotels table's byManager index, not a Scan of it.
    assert ("Query", "byManager") in bookings_calls.hotel_calls
    assert "Scan" not in {operation for operation, _ in bookings_calls.hotel_calls}


def test_the_status_index_follows_each_booking_through_the_saga(api: ApiClient) -> None:
    hotel = api.create_hotel(managerEmail=f"moves.{uuid.uuid4().hex[:6]}@example.com", rooms=5)
    waiting = awaiting(api, hotel, someone())
    boss = manager_of(api, hotel)
    assert listed(api, boss, status="AWAITING_APPROVAL") == [waiting]

    api.saga.decide(waiting, Decision.APPROVE)
    api.saga.wait_status(waiting, BookingStatus.CONFIRMED)

    assert listed(api, boss, status="AWAITING_APPROVAL") == []
    assert listed(api, boss, status="CONFIRMED") == [waiting]


def test_a_manager_who_also_books_pages_through_both_lists_newest_first(api: ApiClient) -> None:
    email = f"both.{uuid.uuid4().hex[:6]}@example.com"
    boss = api.manager(email)
    managed = api.create_hotel(managerEmail=email, rooms=9)
    elsewhere = api.create_hotel(rooms=9)
    # Alternately the manager's own stays elsewhere and guests' stays at the managed hotel
    made = [
        api.book(managed, someone())["bookingId"]
        if n % 2
        else api.book(elsewhere, boss)["bookingId"]
        for n in range(6)
    ]

    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    while True:
        resp = api.bookings("GET", "/bookings", claims=boss, query=query)
        assert resp.status == 200, resp.body
        assert len(resp.body["items"]) <= 2
        seen += [b["bookingId"] for b in resp.body["items"]]
        if resp.body["nextToken"] is None:
            break
        query = {"limit": "2", "nextToken": resp.body["nextToken"]}
    assert seen == list(reversed(made))
