"""Which committed change becomes which event (no AWS): exactly one event per change that
people care about, the same eventId for the same change, and every event valid against its
published JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hotel_booking.dal.bus import MAX_REQUEST_BYTES, EventBus, EventTooLarge, batches
from hotel_booking.logic.publishing import Change, event_for, publish
from hotel_booking.models import BookingStatus
from hotel_booking.models.events import DETAIL_TYPES, DomainEvent, schema
from localaws.provision.template import load_template
from tests.fixtures.samples import HOTEL, NOW

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "events" / "schemas"
AT = dt.datetime(2030, 6, 15, 11, 0, tzinfo=dt.UTC)


def hotel_image(version: int, **changes: Any) -> dict[str, Any]:
    return HOTEL.model_dump(mode="json") | {"version": version} | changes


def booking_image(status: str, version: int, **more: Any) -> dict[str, Any]:
    return {
        "bookingId": "b1",
        "hotelId": "h1",
        "guest": {"sub": "g", "name": "G", "email": "g@example.com"},
        "checkIn": "2030-07-01",
        "checkOut": "2030-07-03",
        "rooms": 2,
        "status": status,
        "amount": "200",
        "currency": "EUR",
        "updatedAt": NOW.isoformat(),
        "version": version,
        **more,
    }


def change(table: str, kind: str, old: Any = None, new: Any = None, seq: str = "1") -> Change:
    return Change(table=table, kind=kind, sequence=seq, at=AT, old=old, new=new)  # type: ignore[arg-type]


def valid(event: DomainEvent) -> dict[str, Any]:
    """The detail as published, checked against the committed schema of its type."""
    detail = json.loads(event.detail_json())
    jsonschema.validate(detail, json.loads((SCHEMAS / f"{event.detailType}.json").read_text()))
    return detail


# -- hotels --------------------------------------------------------------------------------
def test_hotel_insert_update_and_delete_are_created_updated_deleted() -> None:
    created = event_for(change("hotels", "INSERT", new=hotel_image(1)))
    updated = event_for(change("hotels", "MODIFY", hotel_image(1), hotel_image(2, stars=5)))
    deleted = event_for(change("hotels", "REMOVE", old=hotel_image(2)))
    assert created and updated and deleted
    assert [e.detailType for e in (created, updated, deleted)] == [
        "HotelCreated",
        "HotelUpdated",
        "HotelDeleted",
    ]
    assert [e.source for e in (created, updated, deleted)] == ["hotel-booking.hotels"] * 3
    assert valid(created) | {} == {
        "eventId": created.detail.eventId,
        "occurredAt": NOW.isoformat().replace("+00:00", "Z"),
        "version": 1,
        "hotelId": "h1",
        "name": "Sea View",
        "city": "Lisbon",
        "stars": 4,
        "pricePerNight": "100.00",
        "currency": "EUR",
        "rooms": 3,
    }  # no manager email on the bus
    assert valid(updated)["stars"] == 5 and valid(updated)["version"] == 2
    # A delete outranks the last version it removed.
    assert valid(deleted) == {
        "eventId": deleted.detail.eventId,
        "occurredAt": AT.isoformat().replace("+00:00", "Z"),
        "version": 3,
        "hotelId": "h1",
    }
    assert len({created.detail.eventId, updated.detail.eventId, deleted.detail.eventId}) == 3


def test_a_retried_change_has_the_same_event_id() -> None:
    first = event_for(change("hotels", "MODIFY", hotel_image(1), hotel_image(2), seq="7"))
    again = event_for(change("hotels", "MODIFY", hotel_image(1), hotel_image(2), seq="7"))
    assert first and again and first.detail.eventId == again.detail.eventId


def test_a_hotel_write_that_did_not_bump_the_version_publishes_nothing() -> None:
    assert event_for(change("hotels", "MODIFY", hotel_image(2), hotel_image(2))) is None


# -- bookings ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "detail_type"),
    [
        ("AWAITING_APPROVAL", "CONFIRMED", "BookingConfirmed"),
        ("AWAITING_APPROVAL", "REJECTED", "BookingFailed"),
        ("AWAITING_APPROVAL", "EXPIRED", "BookingFailed"),
        ("PAYMENT_RECORDED", "FAILED", "BookingFailed"),
        (None, "FAILED", "BookingFailed"),  # sold out: the record is written once, failed
        ("CONFIRMED", "CANCELLED", "BookingCancelled"),
    ],
)
def test_a_booking_reaching_an_outcome_publishes_its_event(
    old: str | None, new: str, detail_type: str
) -> None:
    before = booking_image(old, 4) if old else None
    after = booking_image(new, 5, reason="MANAGER_REJECTED" if new == "REJECTED" else None)
    event = event_for(change("bookings", "MODIFY" if old else "INSERT", before, after))
    assert event is not None and event.detailType == detail_type
    assert event.source == "hotel-booking.bookings"
    detail = valid(event)
    assert detail["bookingId"] == "b1" and detail["hotelId"] == "h1" and detail["version"] == 5
    if detail_type == "BookingFailed":
        assert detail["status"] == new
    if new == "REJECTED":
        assert detail["reason"] == "MANAGER_REJECTED"
    if detail_type == "BookingCancelled":
        assert detail["previousStatus"] == "CONFIRMED"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, "PENDING"),
        ("PENDING", "ROOM_RESERVED"),
        ("ROOM_RESERVED", "PAYMENT_RECORDED"),
        ("PAYMENT_RECORDED", "AWAITING_APPROVAL"),
        ("CONFIRMED", "CONFIRMED"),  # the guest-notified mark, a step logged: same status
    ],
)
def test_in_flight_steps_and_other_writes_publish_nothing(old: str | None, new: str) -> None:
    before = booking_image(old, 1) if old else None
    assert event_for(change("bookings", "MODIFY", before, booking_image(new, 2))) is None


def test_the_bookings_stream_filter_passes_exactly_the_statuses_that_publish() -> None:
    """BookingChangesMapping's FilterCriteria (template.yaml) hands the publisher only changes
    whose new status it may publish for: a publishing status left out of the filter would lose
    its events; one in the filter that never publishes would cost invocations for nothing."""
    mapping = load_template(ROOT / "template.yaml", "eu-west-2").cfn["Resources"][
        "BookingChangesMapping"
    ]["Properties"]
    (only,) = mapping["FilterCriteria"]["Filters"]
    pattern = json.loads(only["Pattern"])
    assert list(pattern) == ["dynamodb"] and list(pattern["dynamodb"]) == ["NewImage"]
    filtered = pattern["dynamodb"]["NewImage"]["status"]["S"]
    publishing = {
        new
        for new in BookingStatus
        for old in [None, *BookingStatus]
        if event_for(
            change(
                "bookings",
                "MODIFY" if old else "INSERT",
                booking_image(old, 4) if old else None,
                booking_image(new, 5, reason="MANAGER_REJECTED" if new == "REJECTED" else None),
            )
        )
        is not None
    }
    assert len(filtered) == len(set(filtered))
    assert set(filtered) == publishing


def test_a_discarded_unstarted_booking_publishes_nothing() -> None:
    assert event_for(change("bookings", "REMOVE", old=booking_image("PENDING", 1))) is None


# -- publishing ----------------------------------------------------------------------------
class FakeBus:
    def __init__(self, refuse: set[str] | None = None) -> None:
        self.refuse = refuse or set()
        self.put_calls: list[list[DomainEvent]] = []

    def put(self, events: Sequence[DomainEvent]) -> list[str]:
        self.put_calls.append(list(events))
        return [e.detail.eventId for e in events if e.detail.eventId in self.refuse]


def test_publish_reports_the_changes_whose_events_the_bus_refused() -> None:
    changes = [
        change("hotels", "INSERT", new=hotel_image(1, hotelId=f"h{i}"), seq=str(10 + i))
        for i in range(3)
    ]
    refused = event_for(changes[1])
    assert refused is not None
    bus = FakeBus(refuse={refused.detail.eventId})
    assert publish(changes, bus) == ["11"]
    assert len(bus.put_calls[0]) == 3


def test_an_unreadable_change_is_reported_not_published() -> None:
    bad = change("bookings", "MODIFY", booking_image("AWAITING_APPROVAL", 1), {"status": "X"})
    broken = change("hotels", "INSERT", new={"hotelId": "h1"}, seq="2")
    bus = FakeBus()
    assert publish([bad, broken], bus) == ["2"]  # "X" is nobody's business; h1 is unreadable


# -- PutEvents limits ----------------------------------------------------------------------
class FakeEvents:
    """PutEvents as AWS answers it when some entries fail (the emulator never does)."""

    def __init__(self, fail_every: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail_every = fail_every

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        results = []
        for i, _ in enumerate(Entries):
            if self.fail_every and i % self.fail_every == 0:
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": f"e{i}"})
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}


def events(n: int) -> list[DomainEvent]:
    made = [
        event_for(change("hotels", "INSERT", new=hotel_image(1, hotelId=f"h{i}"))) for i in range(n)
    ]
    return [e for e in made if e is not None]


def test_put_events_sends_at_most_ten_entries_per_call() -> None:
    client = FakeEvents()
    assert EventBus(client, "bus").put(events(23)) == []
    assert [len(c) for c in client.calls] == [10, 10, 3]
    assert {e["EventBusName"] for c in client.calls for e in c} == {"bus"}


def test_failed_entries_are_returned_by_event_id() -> None:
    client = FakeEvents(fail_every=4)
    sent = events(10)
    refused = EventBus(client, "bus").put(sent)
    assert refused == [sent[i].detail.eventId for i in (0, 4, 8)]


def test_put_events_calls_stay_under_256_kb() -> None:
    big = {"Source": "s", "DetailType": "t", "Detail": "x" * 100_000}
    assert [len(b) for b in batches([big] * 5)] == [2, 2, 1]
    with pytest.raises(EventTooLarge):
        list(batches([{"Source": "s", "DetailType": "t", "Detail": "x" * MAX_REQUEST_BYTES}]))


# -- schemas -------------------------------------------------------------------------------
@pytest.mark.parametrize("detail_type", sorted(DETAIL_TYPES))
def test_committed_schemas_are_the_models(detail_type: str) -> None:
    # Regenerate with: cd functions && python -m hotel_booking.models.events ../events/schemas
    committed = json.loads((SCHEMAS / f"{detail_type}.json").read_text())
    assert committed == json.loads(json.dumps(schema(detail_type)))
