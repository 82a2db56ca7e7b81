"""The stack's event bus exists as template.yaml declares it, and archives what it carries."""

from __future__ import annotations

import json
import uuid

from devstack.run import LocalStack


def test_the_stack_has_a_domain_event_bus_whose_archive_keeps_each_event(
    local_stack: LocalStack,
) -> None:
    assert local_stack.stack is not None
    outputs = local_stack.stack.outputs
    events = local_stack.cloud.client("events")
    bus = events.describe_event_bus(Name=outputs["EventBusName"])
    assert bus["Arn"] == outputs["EventBusArn"]
    (archive,) = events.list_archives(EventSourceArn=bus["Arn"])["Archives"]
    before = events.describe_archive(ArchiveName=archive["ArchiveName"])["EventCount"]

    events.put_events(
        Entries=[
            {
                "EventBusName": outputs["EventBusName"],
                "Source": "hotel-booking.hotels",
                "DetailType": "HotelCreated",
                "Detail": json.dumps({"hotelId": str(uuid.uuid4())}),
            }
        ]
    )

    after = events.describe_archive(ArchiveName=archive["ArchiveName"])
    assert after["EventCount"] == before + 1
    assert after["RetentionDays"] == 30
