"""From committed changes to domain events: the publisher behind the write tables' streams.

There is no dual write: the API and the saga only write their tables; DynamoDB Streams hands
every committed change (never a rolled-back transaction's) to EventPublisherFunction, which
maps it here to at most one event and puts it on the bus. A change is retried until the bus
accepted its event (the stream keeps it; failures are reported per record), so an event is
never lost; a retry publishes the same ``eventId`` and consumers drop the duplicate.

Which change is which event:

- hotels: INSERT -> ``HotelCreated``; MODIFY that bumped ``version`` -> ``HotelUpdated``;
  REMOVE -> ``HotelDeleted`` (version one past the deleted record's).
- bookings: a change of ``status`` to CONFIRMED -> ``BookingConfirmed``; to REJECTED, EXPIRED or
  FAILED -> ``BookingFailed``; to CANCELLED -> ``BookingCancelled``. Other writes (steps, the
  notified mark, in-flight statuses) publish nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, get_args

from hotel_booking.logic.ports import EventPublisher
from hotel_booking.models import BookingStatus, Hotel
from hotel_booking.models.domain import to_cents
from hotel_booking.models.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    DomainEvent,
    FailedStatus,
    HotelCreated,
    HotelDeleted,
    HotelUpdated,
)

#: uuid5 namespace of event ids: the same change always gets the same id.
EVENT_ID_NAMESPACE = uuid.UUID("5b0f3c1e-8d1c-4f55-9d0a-6a4f0e7c2b11")

Table = Literal["hotels", "bookings"]


@dataclass(frozen=True)
class Change:
    """One stream record, its images already plain Python (``dal/streams.py``)."""

    table: Table
    kind: Literal["INSERT", "MODIFY", "REMOVE"]
    sequence: str
    at: dt.datetime
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None


def event_id(table: str, key: str, version: int, detail_type: str) -> str:
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{table}/{key}/{version}/{detail_type}"))


def event_for(change: Change) -> DomainEvent | None:
    """The event a committed change makes, or None for a change nobody is told about."""
    if change.table == "hotels":
        return _hotel_event(change)
    return _booking_event(change)


def publish(changes: Sequence[Change], bus: EventPublisher) -> list[str]:
    """Put the events of ``changes`` on the bus; the sequence numbers of the changes to retry
    (a change that cannot be mapped, or whose event the bus did not accept)."""
    failed: list[str] = []
    events: list[tuple[str, DomainEvent]] = []
    for change in changes:
        try:
            event = event_for(change)
        except (ValueError, KeyError, TypeError, ArithmeticError):  # not what we wrote
            failed.append(change.sequence)
            continue
        if event is not None:
            events.append((change.sequence, event))
    refused = set(bus.put([event for _, event in events]))
    failed.extend(seq for seq, event in events if event.detail.eventId in refused)
    return sorted(set(failed), key=lambda s: (len(s), s))


# -- hotels --------------------------------------------------------------------------------
def _hotel_event(change: Change) -> DomainEvent | None:
    if change.kind == "REMOVE":
        old = Hotel.model_validate(change.old)
        version = old.version + 1
        return DomainEvent(
            detailType="HotelDeleted",
            detail=HotelDeleted(
                eventId=event_id("hotels", old.hotelId, version, "HotelDeleted"),
                occurredAt=change.at,
                version=version,
                hotelId=old.hotelId,
            ),
        )
    new = Hotel.model_validate(change.new)
    if change.kind == "MODIFY":
        old_version = int((change.old or {}).get("version", 0))
        if new.version <= old_version:
            return None  # not a change of the hotel (nothing our code writes)
    detail_type: Literal["HotelCreated", "HotelUpdated"] = (
        "HotelCreated" if change.kind == "INSERT" else "HotelUpdated"
    )
    version = new.version  # 0: a record from before versions (created by hand)
    model = HotelCreated if detail_type == "HotelCreated" else HotelUpdated
    return DomainEvent(
        detailType=detail_type,
        detail=model(
            eventId=event_id("hotels", new.hotelId, version, detail_type),
            occurredAt=new.updatedAt,
            version=version,
            **new.facts(),
        ),
    )


# -- bookings ------------------------------------------------------------------------------
_FAILED: frozenset[str] = frozenset(get_args(FailedStatus))


def _booking_event(change: Change) -> DomainEvent | None:
    new = change.new
    if new is None:
        return None  # an unstarted PENDING record discarded: nothing happened to a stay
    old_status = str((change.old or {}).get("status", ""))
    status = str(new.get("status", ""))
    if status == old_status or not (status in _FAILED or status in {"CONFIRMED", "CANCELLED"}):
        return None
    booking_id = str(new["bookingId"])
    version = max(int(new.get("version", 0)), 1)
    facts: dict[str, Any] = {
        "occurredAt": _time(new.get("updatedAt"), change.at),
        "version": version,
        "bookingId": booking_id,
        "hotelId": new["hotelId"],
        "checkIn": new["checkIn"],
        "checkOut": new["checkOut"],
        "rooms": int(new["rooms"]),
        "guestSub": str((new.get("guest") or {}).get("sub", "")),
    }
    event: DomainEvent
    if status == "CONFIRMED":
        amount = new.get("amount")
        event = DomainEvent(
            detailType="BookingConfirmed",
            detail=BookingConfirmed(
                eventId=event_id("bookings", booking_id, version, "BookingConfirmed"),
                amount=None if amount is None else str(to_cents(Decimal(str(amount)))),
                currency=str(new.get("currency", "EUR")),
                **facts,
            ),
        )
    elif status in _FAILED:
        event = DomainEvent(
            detailType="BookingFailed",
            detail=BookingFailed(
                eventId=event_id("bookings", booking_id, version, "BookingFailed"),
                status=BookingStatus(status),
                reason=new.get("reason"),
                **facts,
            ),
        )
    elif status == "CANCELLED":
        event = DomainEvent(
            detailType="BookingCancelled",
            detail=BookingCancelled(
                eventId=event_id("bookings", booking_id, version, "BookingCancelled"),
                previousStatus=old_status,
                **facts,
            ),
        )
    else:
        return None
    return event


def _time(value: Any, default: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return default
    return default
