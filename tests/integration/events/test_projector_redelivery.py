"""SearchProjectorFunction behind its queue, as Lambda's SQS poller runs it
(localaws.events.pollers):
a failing invocation is redelivered after the visibility timeout and, after the queue's
maxReceiveCount (5) receives, the message lands in SearchProjectorDeadLetterQueue; with
ReportBatchItemFailures, a batch with one bad message redelivers that message only."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from hotel_booking.search.dynamo import SearchTable
from localaws.engine.lambdas import Invocation
from tests.fixtures.api_client import ApiClient
from tests.fixtures.waiting import eventually

MAX_RECEIVES = 5  # SearchProjectorQueue's RedrivePolicy


@pytest.fixture
def projector(events_api: ApiClient) -> Iterator[ApiClient]:
    """The projector's queue hides a message for 1 s instead of 60 s (redeliveries in
    seconds); restored after the test, with the DLQ emptied and no fault left over."""
    sqs, stack = events_api.cloud.client("sqs"), events_api.stack
    url = stack.ref("SearchProjectorQueue")
    events_api.cloud.events.wait_quiet()
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    drain(events_api, "SearchProjectorDeadLetterQueue")
    try:
        yield events_api
    finally:
        events_api.cloud.runtime.clear_faults()
        sqs.set_queue_attributes(QueueUrl=url, Attributes=before["Attributes"])
        drain(events_api, "SearchProjectorDeadLetterQueue")


def drain(api: ApiClient, queue: str) -> list[dict[str, Any]]:
    sqs, url = api.cloud.client("sqs"), api.stack.ref(queue)
    got: list[dict[str, Any]] = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages", []):
        for message in messages:
            got.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def put_hotel_event(api: ApiClient, hotel_id: str, **overrides: Any) -> None:
    detail = {
        "eventId": str(uuid.uuid4()),
        "occurredAt": "2030-06-15T10:00:00Z",
        "version": 1,
        "hotelId": hotel_id,
        "name": f"Redelivered {hotel_id}",
        "city": "Évora",
        "stars": 3,
        "pricePerNight": "70.00",
        "currency": "EUR",
        "rooms": 2,
        **overrides,
    }
    resp = api.cloud.client("events").put_events(
        Entries=[
            {
                "EventBusName": api.stack.outputs["EventBusName"],
                "Source": "hotel-booking.hotels",
                "DetailType": "HotelCreated",
                "Detail": json.dumps(detail),
            }
        ]
    )
    assert resp["FailedEntryCount"] == 0


def deliveries(api: ApiClient, hotel_id: str) -> list[tuple[Invocation, dict[str, Any]]]:
    """Each invocation of the projector that carried this hotel's event, with its record."""
    out = []
    for invocation in list(api.cloud.runtime.invocations):
        if invocation.function != "SearchProjectorFunction" or not invocation.event:
            continue
        for record in invocation.event.get("Records", []):
            if json.loads(record["body"])["detail"]["hotelId"] == hotel_id:
                out.append((invocation, record))
    return out


def receive_counts(api: ApiClient, hotel_id: str) -> list[str]:
    return [r["attributes"]["ApproximateReceiveCount"] for _, r in deliveries(api, hotel_id)]


def projected(api: ApiClient, hotel_id: str) -> dict[str, Any] | None:
    return SearchTable(api.cloud.client("dynamodb"), api.stack.ref("SearchTable")).get(hotel_id)


def test_a_failing_projector_gets_the_event_again_until_it_succeeds(
    projector: ApiClient,
) -> None:
    hotel_id = f"redeliver-{uuid.uuid4().hex[:8]}"
    function = projector.stack.ref("SearchProjectorFunction")
    projector.cloud.runtime.inject_fault(function, "ProjectionUnavailable", times=2)

    put_hotel_event(projector, hotel_id)

    eventually(lambda: projected(projector, hotel_id), timeout=60)
    projector.cloud.events.wait_quiet()
    outcomes = [i.error_type for i, _ in deliveries(projector, hotel_id)]
    assert outcomes == ["ProjectionUnavailable", "ProjectionUnavailable", None]
    assert receive_counts(projector, hotel_id) == ["1", "2", "3"]
    assert drain(projector, "SearchProjectorDeadLetterQueue") == []


def test_an_event_the_projector_always_fails_lands_in_the_dlq_after_max_receives(
    projector: ApiClient,
) -> None:
    hotel_id = f"dead-{uuid.uuid4().hex[:8]}"
    function = projector.stack.ref("SearchProjectorFunction")
    projector.cloud.runtime.inject_fault(function, "ProjectionUnavailable", times=MAX_RECEIVES)

    put_hotel_event(projector, hotel_id)

    dead = eventually(lambda: drain(projector, "SearchProjectorDeadLetterQueue"), timeout=60)
    assert [(d["detail-type"], d["detail"]["hotelId"]) for d in dead] == [
        ("HotelCreated", hotel_id)
    ]
    projector.cloud.events.wait_quiet()
    assert receive_counts(projector, hotel_id) == [str(n) for n in range(1, MAX_RECEIVES + 1)]
    assert {i.error_type for i, _ in deliveries(projector, hotel_id)} == {"ProjectionUnavailable"}
    assert projected(projector, hotel_id) is None


def test_one_bad_event_in_a_batch_is_the_only_one_redelivered(projector: ApiClient) -> None:
    lam = projector.cloud.client("lambda")
    mapping = projector.stack.ref("SearchProjectorMapping")
    tag = uuid.uuid4().hex[:8]
    good, bad, other = f"good-{tag}", f"bad-{tag}", f"other-{tag}"
    lam.update_event_source_mapping(UUID=mapping, Enabled=False)
    try:
        put_hotel_event(projector, good)
        put_hotel_event(projector, bad, stars="nine")  # fails the event schema every time
        put_hotel_event(projector, other)
    finally:
        lam.update_event_source_mapping(UUID=mapping, Enabled=True)

    dead = eventually(lambda: drain(projector, "SearchProjectorDeadLetterQueue"), timeout=60)
    projector.cloud.events.wait_quiet()

    # The three came in one batch; only the bad one was reported, and only it came back.
    (first, _), *_ = deliveries(projector, good)
    in_first = [json.loads(r["body"])["detail"]["hotelId"] for r in first.event["Records"]]
    assert in_first == [good, bad, other]
    bad_record = next(r for r in first.event["Records"] if bad in r["body"])
    assert first.result == {"batchItemFailures": [{"itemIdentifier": bad_record["messageId"]}]}
    assert receive_counts(projector, good) == ["1"]
    assert receive_counts(projector, other) == ["1"]
    assert receive_counts(projector, bad) == [str(n) for n in range(1, MAX_RECEIVES + 1)]
    later = [i for i, _ in deliveries(projector, bad)][1:]
    assert all(len(i.event["Records"]) == 1 for i in later)  # alone each time
    assert [d["detail"]["hotelId"] for d in dead] == [bad]
    assert projected(projector, good) is not None and projected(projector, other) is not None
    assert projected(projector, bad) is None
