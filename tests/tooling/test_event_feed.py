"""The emulator's feed of recent bus events: what PutEvents accepted onto a custom bus, newest
first, bounded; the default bus and rejected entries are left out."""

from __future__ import annotations

import json

from localaws.events.eventbridge import EventFeed


def entry(bus: str, detail: dict[str, object]) -> dict[str, str]:
    return {"EventBusName": bus, "Source": "s", "DetailType": "T", "Detail": json.dumps(detail)}


def test_keeps_the_newest_events_on_custom_buses_with_their_aggregate() -> None:
    feed = EventFeed(size=3, aggregate_keys=("bookingId", "hotelId"))
    arn = "arn:aws:events:eu-west-2:123456789012:event-bus/app-events"
    feed.record(
        [
            entry("app-events", {"hotelId": "h1", "version": 1}),
            entry("default", {"hotelId": "h0"}),
            entry("app-events", {"hotelId": "rejected"}),
        ],
        [{"EventId": "e1"}, {"EventId": "e0"}, {"ErrorCode": "InternalException"}],
    )
    feed.record(
        [entry(arn, {"bookingId": "b1", "hotelId": "h1"}), entry("app-events", {}), entry("x", [])],
        [{"EventId": "e2"}, {"EventId": "e3"}, {"EventId": "e4"}],
    )
    recent = feed.recent()
    assert [e["eventId"] for e in recent] == ["e4", "e3", "e2"]  # e1 fell off the end
    assert [e["aggregateId"] for e in recent] == [None, None, "b1"]
    assert recent[2]["bus"] == "app-events" and recent[2]["aggregate"] == "bookingId"
