"""The domain event bus (EventBridge PutEvents).

PutEvents takes at most 10 entries and 256 KB per call (an entry's size: Source, DetailType,
Detail and Resources in UTF-8 bytes, plus 14 for Time), and it can accept some entries of a
call and refuse others: ``FailedEntryCount`` > 0 with an ``ErrorCode`` on each refused entry,
in the request's order. Refused entries are returned to the caller to be retried; a throttled
or failed call refuses all of its entries. The emulator never refuses a single entry, so the
per-entry handling is tested against a fake (docs/aws-differences.md, "Event bus").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from hotel_booking.config import EVENTS_SERVICE
from hotel_booking.models.events import DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
_TIME_BYTES = 14

logger = Logger(service=EVENTS_SERVICE)


class EventTooLarge(ValueError):
    """One event alone is over PutEvents' 256 KB: it can never be published."""


def entry_size(entry: PutEventsRequestEntryTypeDef) -> int:
    size = _TIME_BYTES if "Time" in entry else 0
    for text in (entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", "")):
        size += len(text.encode())
    size += sum(len(r.encode()) for r in entry.get("Resources", []))
    return size


def batches(
    entries: Sequence[PutEventsRequestEntryTypeDef],
) -> Iterator[list[PutEventsRequestEntryTypeDef]]:
    """Consecutive entries in calls PutEvents accepts (order kept)."""
    batch: list[PutEventsRequestEntryTypeDef] = []
    size = 0
    for entry in entries:
        n = entry_size(entry)
        if n > MAX_REQUEST_BYTES:
            raise EventTooLarge(f"event of {n} bytes is over PutEvents' {MAX_REQUEST_BYTES}")
        if batch and (len(batch) == MAX_ENTRIES or size + n > MAX_REQUEST_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += n
    if batch:
        yield batch


class EventBus:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._events = client
        self.bus_name = bus_name

    def entry(self, event: DomainEvent) -> PutEventsRequestEntryTypeDef:
        return {
            "EventBusName": self.bus_name,
            "Source": event.source,
            "DetailType": event.detailType,
            "Detail": event.detail_json(),
            "Time": event.detail.occurredAt,
        }

    def put(self, events: Sequence[DomainEvent]) -> list[str]:
        refused: list[str] = []
        ids = {id(e): e.detail.eventId for e in events}
        by_entry = [(self.entry(e), ids[id(e)]) for e in events]
        entries = [entry for entry, _ in by_entry]
        offset = 0
        for batch in batches(entries):
            batch_ids = [event_id for _, event_id in by_entry[offset : offset + len(batch)]]
            offset += len(batch)
            try:
                resp = self._events.put_events(Entries=batch)
            except (ClientError, BotoCoreError):
                logger.exception("PutEvents failed", extra={"entries": len(batch)})
                refused.extend(batch_ids)
                continue
            if resp.get("FailedEntryCount", 0):
                for event_id, result in zip(batch_ids, resp.get("Entries", []), strict=False):
                    if result.get("ErrorCode"):
                        logger.warning(
                            "event refused",
                            extra={"eventId": event_id, "error": result.get("ErrorCode")},
                        )
                        refused.append(event_id)
        return refused
