"""Every change publishes its event exactly once, and a change that did not commit publishes
nothing: the real path on the local engine (table write -> stream -> EventPublisherFunction ->
the bus), read back through a rule of our own, every event checked against its schema."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from botocore.exceptions import ClientError

from hotel_booking.models import BookingStatus, Decision
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN
from tests.fixtures.waiting import eventually
from tests.integration.events.conftest import BusTap

SCHEMAS = Path(__file__).resolve().parents[3] / "events" / "schemas"


def checked(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each event valid against the schema of its detail-type; returned as they came."""
    for event in events:
        schema = json.loads((SCHEMAS / f"{event['detail-type']}.json").read_text())
        jsonschema.validate(event["detail"], schema)
        assert event["source"] == schema["x-source"]
    return events


def about(events: list[dict[str, Any]], key: str, value: str) -> list[dict[str, Any]]:
    return [e for e in events if e["detail"].get(key) == value]


def test_hotel_created_updated_deleted_once_each(events_api: ApiClient, tap: BusTap) -> None:
    hotel = events_api.create_hotel(city="Évora", name="Tap Hotel")
    hotel_id = hotel["hotelId"]
    changed = events_api.hotels(
        "PUT", f"/hotels/{hotel_id}", body={"stars": 5, "pricePerNight": "99.50"}, claims=ADMIN
    )
    assert changed.status == 200, changed.body
    assert events_api.hotels("DELETE", f"/hotels/{hotel_id}", claims=ADMIN).status == 204

    seen = checked(about(tap.drain(), "hotelId", hotel_id))
    assert [(e["detail-type"], e["detail"]["version"]) for e in seen] == [
        ("HotelCreated", 1),
        ("HotelUpdated", 2),
        ("HotelDeleted", 3),
    ]
    assert seen[0]["detail"]["city"] == "Évora" and "managerEmail" not in seen[0]["detail"]
    assert seen[1]["detail"]["stars"] == 5 and seen[1]["detail"]["pricePerNight"] == "99.50"
    assert len({e["detail"]["eventId"] for e in seen}) == 3


def test_booking_outcomes_once_each(events_api: ApiClient, tap: BusTap) -> None:
    saga = events_api.saga
    hotel = saga.hotel(rooms=3)
    confirmed, rejected, declined = (
        saga.request(hotel),
        saga.request(hotel),
        saga.request(hotel, token="tok_chargeDeclined"),
    )
    for req in (confirmed, rejected, declined):
        saga.start(req)
    saga.wait_status(confirmed["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.wait_status(rejected["bookingId"], BookingStatus.AWAITING_APPROVAL)
    saga.decide(confirmed["bookingId"], Decision.APPROVE)
    saga.decide(rejected["bookingId"], Decision.REJECT, "a wedding")
    for req in (confirmed, rejected, declined):
        saga.wait_done(req["bookingId"])
    # The cancellation saga marks a booking CANCELLED (bumping its version) like this:
    saga.store.bookings._write(
        "update_item",
        Key={"bookingId": {"S": confirmed["bookingId"]}},
        UpdateExpression="SET #s = :c ADD version :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "CANCELLED"}, ":one": {"N": "1"}},
    )

    seen = checked([e for e in tap.drain() if e["source"] == "hotel-booking.bookings"])
    ids = {req["bookingId"] for req in (confirmed, rejected, declined)}
    kinds = Counter((e["detail"]["bookingId"], e["detail-type"]) for e in seen)
    assert kinds == {
        (confirmed["bookingId"], "BookingConfirmed"): 1,
        (confirmed["bookingId"], "BookingCancelled"): 1,
        (rejected["bookingId"], "BookingFailed"): 1,
        (declined["bookingId"], "BookingFailed"): 1,
    }
    failed = {
        e["detail"]["bookingId"]: e["detail"] for e in seen if e["detail-type"] == "BookingFailed"
    }
    assert (failed[rejected["bookingId"]]["status"], failed[rejected["bookingId"]]["reason"]) == (
        "REJECTED",
        "MANAGER_REJECTED",
    )
    assert (failed[declined["bookingId"]]["status"], failed[declined["bookingId"]]["reason"]) == (
        "FAILED",
        "PAYMENT_DECLINED",
    )
    cancelled = next(e for e in seen if e["detail-type"] == "BookingCancelled")["detail"]
    assert cancelled["previousStatus"] == "CONFIRMED"

    # The stream's filter handed the publisher the outcomes only, none of the saga's other
    # writes (in-flight statuses, steps, the notified mark). A write after an outcome that
    # keeps the status (a compensation's step) passes the filter and publishes nothing.
    def delivered() -> dict[str, Counter[str]]:
        statuses: dict[str, Counter[str]] = {booking_id: Counter() for booking_id in ids}
        for inv in list(events_api.cloud.runtime.invocations):
            if inv.function != "EventPublisherFunction":
                continue
            for record in inv.event.get("Records", []):
                image = record.get("dynamodb", {}).get("NewImage", {})
                if image.get("bookingId", {}).get("S") in ids:
                    statuses[image["bookingId"]["S"]][image["status"]["S"]] += 1
        return statuses

    # (an invocation is recorded once it returns, maybe after its event reached the tap)
    eventually(lambda: delivered()[confirmed["bookingId"]]["CANCELLED"] == 1)
    delivered_now = delivered()
    assert delivered_now[confirmed["bookingId"]] == {"CONFIRMED": 1, "CANCELLED": 1}
    assert set(delivered_now[rejected["bookingId"]]) == {"REJECTED"}
    assert set(delivered_now[declined["bookingId"]]) == {"FAILED"}
    confirmation = next(e for e in seen if e["detail-type"] == "BookingConfirmed")["detail"]
    assert confirmation["amount"] == "240.00" and confirmation["rooms"] == 1
    assert cancelled["version"] > confirmation["version"]


def test_a_change_that_did_not_commit_publishes_nothing(events_api: ApiClient, tap: BusTap) -> None:
    saga = events_api.saga
    hotel = saga.hotel()
    tap.drain()
    booking_id = "bk-rolled-back"
    db = events_api.cloud.client("dynamodb")
    # A transaction whose booking write would be an outcome, cancelled by its other item.
    with pytest.raises(ClientError) as refused:
        db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": events_api.stack.ref("BookingsTable"),
                        "Item": {
                            "bookingId": {"S": booking_id},
                            "hotelId": {"S": hotel.hotelId},
                            "checkIn": {"S": "2030-07-01"},
                            "checkOut": {"S": "2030-07-02"},
                            "rooms": {"N": "1"},
                            "status": {"S": "CONFIRMED"},
                            "guest": {"M": {"sub": {"S": "g"}}},
                            "version": {"N": "1"},
                        },
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": events_api.stack.ref("HotelsTable"),
                        "Key": {"hotelId": {"S": hotel.hotelId}},
                        "ConditionExpression": "attribute_not_exists(hotelId)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    # A hotel change that lost the race (stale version) is refused too.
    stale = hotel.model_copy(update={"name": "Stale", "version": 5})
    assert saga.store.hotels.replace(stale) is None

    assert tap.drain() == []
    assert saga.store.bookings.get(booking_id) is None
    assert saga.store.hotels.get(hotel.hotelId) == hotel.model_copy(update={"version": 1})


def test_a_hotel_changed_meanwhile_is_refused_and_publishes_nothing(
    events_api: ApiClient, tap: BusTap
) -> None:
    hotel = events_api.create_hotel()
    read = events_api.saga.store.hotels.get(hotel["hotelId"])
    assert read is not None and read.version == 1
    # Another writer changes it after our read...
    assert events_api.saga.store.hotels.replace(read.model_copy(update={"stars": 2}))
    tap.drain()
    # ... so our write, made from the version we read, is refused and publishes nothing.
    assert events_api.saga.store.hotels.replace(read.model_copy(update={"stars": 5})) is None
    assert tap.drain() == []
    now = events_api.saga.store.hotels.get(hotel["hotelId"])
    assert now is not None and (now.stars, now.version) == (2, 2)
