"""The search projection on the local engine: events put on the bus reach SearchTable through
the rule, the queue and SearchProjectorFunction; a duplicate or late event never moves a hotel
back; booking events leave a hotel's item as it is (search reads what nights hold from the
inventory, holds of bookings still in the saga included, and offers a released room again);
GET /hotels reads only the projection; and `make rebuild-projection` gives back the same
search."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from typing import Any

import pytest

from hotel_booking.models import BookingStatus, Decision
from hotel_booking.search.dynamo import SearchTable
from hotel_booking.search.rebuild import main, rebuild
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN

_n = itertools.count(1)
AT = "2030-06-15T10:00:00Z"
#: A stay's two nights, within the stay horizon GET /hotels accepts (two years ahead).
FIRST = dt.date.today() + dt.timedelta(days=60)
NIGHTS = [FIRST.isoformat(), (FIRST + dt.timedelta(days=1)).isoformat()]
LEAVE = (FIRST + dt.timedelta(days=2)).isoformat()


def put(api: ApiClient, detail_type: str, detail: dict[str, Any]) -> None:
    """Publish as EventPublisherFunction does (the projector cannot tell the difference)."""
    source = "hotel-booking.hotels" if detail_type.startswith("Hotel") else "hotel-booking.bookings"
    resp = api.cloud.client("events").put_events(
        Entries=[
            {
                "EventBusName": api.stack.outputs["EventBusName"],
                "Source": source,
                "DetailType": detail_type,
                "Detail": json.dumps({"eventId": str(uuid.uuid4()), "occurredAt": AT} | detail),
            }
        ]
    )
    assert resp["FailedEntryCount"] == 0


def hotel_event(hotel_id: str, version: int, **fields: Any) -> dict[str, Any]:
    return {
        "hotelId": hotel_id,
        "version": version,
        "name": f"Projected {hotel_id}",
        "city": "Coimbra",
        "stars": 3,
        "pricePerNight": "70.00",
        "currency": "EUR",
        "rooms": 2,
        **fields,
    }


def stay(hotel_id: str, booking_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "bookingId": booking_id,
        "hotelId": hotel_id,
        "version": 7,
        "checkIn": NIGHTS[0],
        "checkOut": LEAVE,
        "rooms": 1,
        "guestSub": "g",
        "currency": "EUR",
        **fields,
    }


def projection(api: ApiClient) -> SearchTable:
    return SearchTable(api.cloud.client("dynamodb"), api.stack.ref("SearchTable"))


def shown(api: ApiClient, hotel_id: str) -> dict[str, Any] | None:
    api.cloud.events.wait_quiet()
    return projection(api).get(hotel_id)


def test_a_duplicate_or_older_event_never_moves_a_hotel_back(events_api: ApiClient) -> None:
    hotel_id = f"proj-{next(_n)}"
    put(events_api, "HotelCreated", hotel_event(hotel_id, 1))
    put(events_api, "HotelUpdated", hotel_event(hotel_id, 3, name="Third", stars=5))
    put(events_api, "HotelUpdated", hotel_event(hotel_id, 2, name="Second"))  # late
    put(events_api, "HotelUpdated", hotel_event(hotel_id, 3, name="Third", stars=5))  # again
    put(events_api, "HotelCreated", hotel_event(hotel_id, 1))  # very late duplicate
    item = shown(events_api, hotel_id)
    assert item is not None
    assert (item["name"], item["stars"], item["version"]) == ("Third", 5, 3)


def test_a_deleted_hotel_stays_deleted_whatever_arrives_late(events_api: ApiClient) -> None:
    hotel_id = f"proj-{next(_n)}"
    put(events_api, "HotelCreated", hotel_event(hotel_id, 1, city="Deletópolis"))
    put(events_api, "HotelDeleted", {"hotelId": hotel_id, "version": 3})
    put(events_api, "HotelUpdated", hotel_event(hotel_id, 2, city="Deletópolis"))  # late
    item = shown(events_api, hotel_id)
    assert item is not None and item["deleted"] is True and item["version"] == 3
    found = events_api.hotels("GET", "/hotels", query={"city": "deletopolis"})
    assert found.status == 200 and found.body == {"items": []}


def test_booking_events_leave_the_hotels_item_as_it_was(events_api: ApiClient) -> None:
    hotel_id = f"proj-{next(_n)}"
    put(events_api, "HotelCreated", hotel_event(hotel_id, 1))
    before = shown(events_api, hotel_id)
    booking = f"bk-{hotel_id}"
    put(events_api, "BookingConfirmed", stay(hotel_id, booking))
    put(events_api, "BookingCancelled", stay(hotel_id, booking, previousStatus="CONFIRMED"))
    put(events_api, "BookingConfirmed", stay(f"{hotel_id}-unknown", f"{booking}-2"))
    assert shown(events_api, hotel_id) == before
    assert projection(events_api).get(f"{hotel_id}-unknown") is None


def awaiting_approval(api: ApiClient, city: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A one-room hotel in ``city`` and a booking of it that awaits the manager's approval."""
    hotel = api.create_hotel(city=city, rooms=1)
    stored = api.saga.store.hotels.get(hotel["hotelId"])
    assert stored is not None
    req = api.saga.request(stored)
    api.saga.start(req)
    api.saga.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    return hotel, req


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.APPROVE])
def test_a_room_held_in_the_saga_is_not_offered_until_released(
    events_api: ApiClient, decision: Decision
) -> None:
    # Given a hotel with one room and a booking of it awaiting the manager's approval
    city = f"Holdville{next(_n)}"
    hotel, req = awaiting_approval(events_api, city)
    saga = events_api.saga
    those_nights = {"city": city, "checkIn": req["checkIn"], "checkOut": req["checkOut"]}

    def offered() -> bool:
        resp = events_api.hotels("GET", "/hotels", query=those_nights)
        assert resp.status == 200, resp.body
        return hotel["hotelId"] in {h["hotelId"] for h in resp.body["items"]}

    def on_its_page() -> dict[str, Any]:
        """What the hotel's own page is told for those nights (GET /hotels/{id} with dates)."""
        query = {k: those_nights[k] for k in ("checkIn", "checkOut")}
        resp = events_api.hotels("GET", f"/hotels/{hotel['hotelId']}", query=query)
        assert resp.status == 200, resp.body
        return dict(resp.body["availability"])

    # Then search does not offer it for those nights (the hold counts), nor for a
    # stay that overlaps one of them, yet offers it on other nights; its page says so too
    assert not offered()
    assert on_its_page() == {
        "checkIn": req["checkIn"],
        "checkOut": req["checkOut"],
        "nights": 2,
        "rooms": 1,
        "roomsLeft": 0,
        "available": False,
    }
    other = dt.date.fromisoformat(req["checkOut"]) + dt.timedelta(days=3)
    elsewhere = those_nights | {
        "checkIn": other.isoformat(),
        "checkOut": (other + dt.timedelta(days=1)).isoformat(),
    }
    found = events_api.hotels("GET", "/hotels", query=elsewhere).body["items"]
    assert [h["hotelId"] for h in found] == [hotel["hotelId"]]
    # When the manager decides
    saga.decide(req["bookingId"], decision)
    saga.wait_done(req["bookingId"])
    # Then a rejection gives the room back to search and to the hotel's page at once; an
    # approval keeps it taken
    assert offered() is (decision is Decision.REJECT)
    released = decision is Decision.REJECT
    assert (on_its_page()["roomsLeft"], on_its_page()["available"]) == (int(released), released)


def test_search_reads_the_projection_not_the_hotels_table(events_api: ApiClient) -> None:
    city = f"Ghosttown{next(_n)}"
    hotel = events_api.saga.hotel()
    # Changed in the write model behind the stream's back (no version bump: no event)...
    events_api.cloud.client("dynamodb").update_item(
        TableName=events_api.stack.ref("HotelsTable"),
        Key={"hotelId": {"S": hotel.hotelId}},
        UpdateExpression="SET city = :c",
        ExpressionAttributeValues={":c": {"S": city}},
    )
    # ... search does not see it; the hotel's own page (the write model) does.
    assert events_api.hotels("GET", "/hotels", query={"city": city}).body == {"items": []}
    page = events_api.hotels("GET", f"/hotels/{hotel.hotelId}")
    assert page.body["city"] == city


def test_search_features_through_the_api(events_api: ApiClient) -> None:
    tag = f"Zq{next(_n)}"
    made = [
        events_api.create_hotel(city=f"{tag}Ávila", name="Casa Ñandú", stars=3, pricePerNight="90"),
        events_api.create_hotel(
            city=f"{tag}avila", name="Torre Real", stars=5, pricePerNight="200"
        ),
        events_api.create_hotel(city=f"{tag}Avilés", name="Casa Mar", stars=4, pricePerNight="120"),
    ]
    ids = [h["hotelId"] for h in made]

    def pages(**query: str) -> list[list[str]]:
        """Every page, as a client reads them: a page read within its budget may hold fewer
        than ``limit`` (other tests' hotels share the indexes), its nextToken reads on."""
        found: list[list[str]] = []
        while True:
            resp = events_api.hotels("GET", "/hotels", query=query)
            assert resp.status == 200, resp.body
            found.append([h["hotelId"] for h in resp.body["items"]])
            if "nextToken" not in resp.body:
                return found
            assert len(found) < 200, "the pages never end"
            query = {**query, "nextToken": resp.body["nextToken"]}

    def search(**query: str) -> list[str]:
        return [hotel for page in pages(**query) for hotel in page]

    assert set(search(city=f"{tag.upper()}AVI")) == set(ids)
    assert set(search(city=f"{tag}ÁVILA")) == {ids[0], ids[1]}
    assert search(city=tag, name="nandu") == [ids[0]]
    assert search(city=tag, minStars="4", sort="price") == [ids[2], ids[1]]
    assert search(city=tag, maxPrice="150", sort="stars") == [ids[2], ids[0]]
    assert search(city=tag, sort="name") == [ids[2], ids[0], ids[1]]

    by_two = pages(city=tag, sort="price", limit="2")
    assert [hotel for page in by_two for hotel in page] == [ids[0], ids[2], ids[1]]
    assert all(len(page) <= 2 for page in by_two)

    bad = events_api.hotels("GET", "/hotels", query={"city": tag, "nextToken": "nope"})
    assert bad.status == 400 and "nextToken" in bad.field_errors


@pytest.mark.parametrize(
    ("query", "field"),
    [({"sort": "cheapest"}, "sort"), ({"rooms": "0"}, "rooms"), ({"limit": "101"}, "limit")],
)
def test_bad_search_options_are_400(
    events_api: ApiClient, query: dict[str, str], field: str
) -> None:
    resp = events_api.hotels("GET", "/hotels", query=query)
    assert resp.status == 400 and field in resp.field_errors


def test_the_admin_list_reads_the_write_model(events_api: ApiClient) -> None:
    hotel = events_api.create_hotel()
    listed = events_api.hotels("GET", "/admin/hotels", claims=ADMIN)
    assert listed.status == 200
    mine = next(h for h in listed.body["items"] if h["hotelId"] == hotel["hotelId"])
    assert mine["managerEmail"] == hotel["managerEmail"]
    assert events_api.hotels("GET", "/admin/hotels").status == 401


def test_rebuild_gives_back_the_same_search(events_api: ApiClient) -> None:
    _, req = awaiting_approval(events_api, "Rebuildia")
    saga = events_api.saga
    saga.decide(req["bookingId"], Decision.APPROVE)
    saga.wait_done(req["bookingId"])
    query = {"city": "rebuildia", "checkIn": req["checkIn"], "checkOut": req["checkOut"]}
    before_all = events_api.hotels("GET", "/hotels", query={"city": "rebuildia"}).body
    before_free = events_api.hotels("GET", "/hotels", query=query).body
    assert before_free == {"items": []}  # its one room is taken by the confirmed stay

    names = {
        "hotels": events_api.stack.ref("HotelsTable"),
        "bookings": events_api.stack.ref("BookingsTable"),
        "search": events_api.stack.ref("SearchTable"),
    }
    removed, applied = rebuild(events_api.cloud.client("dynamodb"), names)
    assert removed > 0 and applied > 0
    assert events_api.hotels("GET", "/hotels", query={"city": "rebuildia"}).body == before_all
    assert events_api.hotels("GET", "/hotels", query=query).body == before_free


def test_the_rebuild_command_finds_the_local_stack_tables(
    events_api: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `make rebuild-projection` runs against `make run`, here against this session's stack.
    hotel = events_api.create_hotel(city="Clitown")
    before = events_api.hotels("GET", "/hotels", query={"city": "clitown"}).body
    argv = ["--endpoint", events_api.cloud.endpoint, "--stack-name", events_api.stack.name]
    assert main([*argv, "--region", events_api.cloud.region]) == 0
    assert f"{events_api.stack.ref('SearchTable')}: removed" in capsys.readouterr().out
    after = events_api.hotels("GET", "/hotels", query={"city": "clitown"}).body
    assert after == before and [h["hotelId"] for h in after["items"]] == [hotel["hotelId"]]
