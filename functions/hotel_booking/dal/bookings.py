"""The bookings table: the record people see, written by the API once and by the saga after.

The API writes a booking only once, as PENDING, before it starts the saga; from then on the
saga's steps own the record (``dal/reservations.py`` takes over a PENDING record that has no
reservation yet). Every saga write is conditional, so a retried step changes nothing twice, and
every write bumps ``version`` (``BUMP``): the events published from the table's stream carry it.

Reads are by id (consistent) or, newest first, from a GSI: ``byGuest`` (``guestSub``),
``byHotel`` (``hotelId``), ``byHotelStatus`` (``hotelStatus`` = ``<hotelId>#<status>``) and
``byMonth`` (``monthShard`` = ``<YYYY-MM>#<shard>``: every booking, for an Admin), each sorted
by ``createdAt``. So every write that sets ``status`` also sets ``hotelStatus``
(:func:`hotel_status`), and every write that may create the item sets ``monthShard``
(:func:`month_shard`). GSIs are eventually consistent: a list may lag a write by a moment;
whatever decides something reads the item by id.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import zlib
from collections.abc import Iterator
from typing import Any

from hotel_booking.dal.items import Table, assignments, to_item, values
from hotel_booking.errors import BookingStateConflict
from hotel_booking.models import Booking, BookingStatus, FailureReason, Stay
from hotel_booking.models.domain import ListPosition, Stretch
from hotel_booking.models.saga import Outcome, Transition

BY_HOTEL_INDEX = "byHotel"
#: Appended to every UpdateExpression on the table: each committed change has its own version.
BUMP = " ADD version :one"
ONE = values(one=1)
BY_GUEST_INDEX = "byGuest"
BY_HOTEL_STATUS_INDEX = "byHotelStatus"
BY_MONTH_INDEX = "byMonth"
#: A month's bookings spread over this many ``byMonth`` partitions (a partition takes at most
#: 1,000 WCU a second, and every write of a booking is written again in the index).
SHARDS = 4
#: The product took no booking before this month: the walk over every booking ends there.
FIRST_MONTH = dt.date(2026, 1, 1)
#: How many months one request walks at most (each costs SHARDS queries, even when empty).
MONTHS_PER_READ = 3


def stay_attributes(stay: Stay) -> dict[str, Any]:
    """What a booking record says about the stay, besides its key (and the guest's sub, top
    level, as the ``byGuest`` index needs it)."""
    return stay.model_dump(include=set(Stay.model_fields) - {"bookingId"}) | {
        "guestSub": stay.guest.sub
    }


def hotel_status(hotel_id: str, status: BookingStatus) -> str:
    """The ``byHotelStatus`` index's partition key."""
    return f"{hotel_id}#{status.value}"


def month_shard(booking_id: str, created_at: dt.datetime) -> str:
    """The ``byMonth`` index's partition key: the month the booking was made (UTC) and a shard
    fixed by its id."""
    month = created_at.astimezone(dt.UTC).strftime("%Y-%m")
    return f"{month}#{zlib.crc32(booking_id.encode()) % SHARDS}"


def index_attributes(booking: Booking) -> dict[str, Any]:
    """The attributes only the indexes need, besides the record's own fields."""
    return {
        "guestSub": {"S": booking.guest.sub},
        "hotelStatus": {"S": hotel_status(booking.hotelId, booking.status)},
        "monthShard": {"S": month_shard(booking.bookingId, booking.createdAt)},
    }


def read_cap(count: int) -> int:
    """The most items :meth:`BookingsTable.of_everyone` reads for a page of ``count``."""
    return 2 * count + SHARDS * _chunk(count)


def _chunk(count: int) -> int:
    return math.ceil((count + 1) / SHARDS) + 1


_FINAL = (
    BookingStatus.CONFIRMED,
    BookingStatus.REJECTED,
    BookingStatus.EXPIRED,
    BookingStatus.FAILED,
    BookingStatus.CANCELLED,
)


class BookingsTable(Table):
    # -- reads ----------------------------------------------------------------------------
    def get(self, booking_id: str, consistent: bool = True) -> Booking | None:
        item = self._get(consistent, bookingId=booking_id)
        return Booking.model_validate(item) if item else None

    def of_hotel(
        self,
        hotel_id: str,
        status: BookingStatus | None = None,
        before: ListPosition | None = None,
        count: int | None = None,
    ) -> list[Booking]:
        """A hotel's bookings (in ``status``), newest first: see :meth:`_newest`."""
        if status is None:
            return self._newest(BY_HOTEL_INDEX, "hotelId", hotel_id, before, count)
        key = hotel_status(hotel_id, status)
        return self._newest(BY_HOTEL_STATUS_INDEX, "hotelStatus", key, before, count)

    def of_guest(
        self,
        sub: str,
        status: BookingStatus | None = None,
        hotel_id: str | None = None,
        before: ListPosition | None = None,
        count: int | None = None,
    ) -> list[Booking]:
        """A guest's bookings (in ``status``, at ``hotel_id``), newest first: see
        :meth:`_newest`."""
        only = {"status": status.value} if status else {}
        if hotel_id is not None:
            only["hotelId"] = hotel_id
        return self._newest(BY_GUEST_INDEX, "guestSub", sub, before, count, only)

    def of_everyone(
        self, status: BookingStatus | None, before: ListPosition | None, count: int
    ) -> Stretch:
        """Every booking (in ``status``), newest first, strictly after ``before``: the
        ``byMonth`` shards of a month merged, month after month back to FIRST_MONTH.

        Bounded whatever the table's size: reads at most :func:`read_cap` items (all statuses
        count: a status is filtered after the read, as a FilterExpression would be billed) and
        MONTHS_PER_READ months. Stops once more than ``count`` match and the next one is not
        tied on ``createdAt``; on the budget, ``resume`` says where the next read starts."""
        month = _month_of(_newest_after(before) if before else self._clock())
        found: list[Booking] = []
        consumed = 0
        last: Booking | None = None
        for _ in range(MONTHS_PER_READ):
            if month < FIRST_MONTH:
                return Stretch(found, None)
            shards = [
                self._query_newest(
                    BY_MONTH_INDEX, "monthShard", f"{month:%Y-%m}#{s}", before, _chunk(count)
                )
                for s in range(SHARDS)
            ]
            for booking in heapq.merge(*shards, key=lambda b: b.createdAt, reverse=True):
                tied = last is not None and booking.createdAt == last.createdAt
                if len(found) > count and not tied:
                    return Stretch(found, None)
                if consumed >= 2 * count and not tied:
                    assert last is not None
                    return Stretch(found, ListPosition(last.createdAt, ""))
                consumed += 1
                last = booking
                if before is not None and booking.position >= before:
                    continue
                if status in (None, booking.status):
                    found.append(booking)
            month = _month_of(month - dt.timedelta(days=1))
        start = dt.datetime.combine(_next_month(month), dt.time(), dt.UTC)
        return Stretch(found, None if month < FIRST_MONTH else ListPosition(start, ""))

    def _newest(
        self,
        index: str,
        key: str,
        value: str,
        before: ListPosition | None,
        count: int | None,
        only: dict[str, str] | None = None,
    ) -> list[Booking]:
        """Query ``index`` newest first (``only``: attributes that must match); only bookings
        strictly after ``before`` in that order.
        With ``count``: stop once more than ``count`` were found and the next one is not tied
        with the last on ``createdAt`` (so a merge of several lists can order ties by id and
        knows whether there is more); without: every one."""
        found: list[Booking] = []
        page = count + 1 if count else None
        for booking in self._query_newest(index, key, value, before, page, only):
            if before is not None and booking.position >= before:
                continue
            if (
                count is not None
                and len(found) > count
                and booking.createdAt != found[-1].createdAt
            ):
                break
            found.append(booking)
        return found

    def _query_newest(
        self,
        index: str,
        key: str,
        value: str,
        before: ListPosition | None,
        page: int | None,
        only: dict[str, str] | None = None,
    ) -> Iterator[Booking]:
        """The bookings under ``value`` in ``index``, newest first, from ``before``'s
        ``createdAt`` on (ties included), fetched ``page`` items a call as they are consumed."""
        condition = "#k = :k"
        named: dict[str, Any] = {"k": value}
        if before is not None:
            condition += " AND createdAt <= :before"
            named["before"] = before.createdAt
        names = {"#k": key}
        filters = []
        for i, (name, wanted) in enumerate((only or {}).items()):
            filters.append(f"#f{i} = :f{i}")
            names[f"#f{i}"] = name
            named[f"f{i}"] = wanted
        for item in self._pages(
            "query",
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values(**named),
            ScanIndexForward=False,
            **({"FilterExpression": " AND ".join(filters)} if filters else {}),
            **({"PaginationConfig": {"PageSize": page}} if page else {}),
        ):
            yield Booking.model_validate(item)

    # -- once, after deploying the byMonth index (issue 23) over older bookings -----------
    def add_month_shards(self, apply: bool) -> tuple[int, int]:
        """Give ``monthShard`` to every booking written before the ``byMonth`` index, from its
        own ``createdAt`` (a function of the item: running it twice changes nothing). Returns
        how many had none and how many were written (none unless ``apply``)."""
        missing = written = 0
        for item in self._pages(
            "scan",
            FilterExpression="attribute_not_exists(monthShard)",
            ProjectionExpression="bookingId, createdAt",
        ):
            missing += 1
            at = dt.datetime.fromisoformat(item["createdAt"])
            written += apply and self._write_if(
                "update_item",
                Key={"bookingId": {"S": item["bookingId"]}},
                UpdateExpression="SET monthShard = :ms",
                ConditionExpression="attribute_not_exists(monthShard) AND createdAt = :at",
                ExpressionAttributeValues=values(
                    ms=month_shard(item["bookingId"], at), at=item["createdAt"]
                ),
            )
        return missing, written

    # -- the API's writes -----------------------------------------------------------------
    def create_pending(self, booking: Booking, request_hash: str) -> bool:
        """Store a new PENDING booking; False when one with that id exists already."""
        item = to_item(
            booking.model_copy(update={"requestHash": request_hash, "version": 1})
        ) | index_attributes(booking)
        return self._write_if(
            "put_item", Item=item, ConditionExpression="attribute_not_exists(bookingId)"
        )

    def discard_unstarted(self, booking_id: str) -> None:
        """Remove a PENDING record whose saga never started (so it blocks nothing)."""
        self._write_if(
            "delete_item",
            Key={"bookingId": {"S": booking_id}},
            ConditionExpression="#s = :pending AND attribute_not_exists(executionArn)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(pending=BookingStatus.PENDING),
        )

    # -- the saga's writes ----------------------------------------------------------------
    def advance(self, booking_id: str, hotel_id: str, move: Transition) -> bool:
        """Carry ``move`` out in one conditional write (its claim as
        :meth:`mark_guest_notified` would make it; its cancel guard against
        :meth:`request_early_cancellation`).

        ``hotel_id`` is the step input's (the index key needs it; no read of the item first):
        the condition checks it is the booking's. Returns False when the booking was already at
        ``move.to`` or beyond it on the happy path (a retry or a late redelivery); raises
        BookingStateConflict when it is anywhere else (or the guest asked to cancel).
        """
        to, step, at = move.to, move.step, self._clock()
        sets = [
            "#s = :to",
            "updatedAt = :at",
            "steps = list_append(steps, :step)",
            "hotelStatus = :hs",
        ]
        named: dict[str, Any] = {
            "to": to,
            "at": at,
            "step": [{"state": step, "at": at}],
            "hs": hotel_status(hotel_id, to),
            "hotel": hotel_id,
        }
        if move.claim_guest_notice:
            sets.append("guestNotifiedAt = :at")
        for i, (name, value) in enumerate(move.extra.items()):
            sets.append(f"{name} = :x{i}")
            named[f"x{i}"] = value
        froms = sorted(s.value for s in move.since)
        named |= {f"f{i}": status for i, status in enumerate(froms)}
        if self._change(
            booking_id,
            ", ".join(sets),
            f"hotelId = :hotel AND #s IN ({', '.join(f':f{i}' for i in range(len(froms)))})"
            + (
                " AND attribute_not_exists(cancelRequestedAt)"
                if move.unless_cancel_requested
                else ""
            ),
            **named,
        ):
            return True
        current = self.get(booking_id)
        if current is not None and current.status.reached(to):
            return False
        raise BookingStateConflict(
            f"booking {booking_id} is {current.status if current else None}, "
            f"cannot become {to.value}"
        )

    def record_outcome(
        self, stay: Stay, outcome: Outcome, state_name: str, execution_arn: str
    ) -> bool:
        """Write a final failed/rejected/expired status, creating the record if the saga never
        got to write one (e.g. sold out). Returns False if it was already final."""
        at = self._clock()
        kept, kept_names, kept_values = assignments(
            keep_existing=True,
            **stay_attributes(stay),
            executionArn=execution_arn,
            createdAt=at,
            monthShard=month_shard(stay.bookingId, at),
        )
        finals = sorted(s.value for s in _FINAL)
        return self._write_if(
            "update_item",
            Key={"bookingId": {"S": stay.bookingId}},
            UpdateExpression="SET "
            + ", ".join(kept)
            + ", #s = :status, hotelStatus = :hs, reason = :reason, reasonDetail = :detail, "
            "updatedAt = :at, "
            "steps = list_append(if_not_exists(steps, :empty), :step)" + BUMP,
            ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
            + ", ".join(f":final{i}" for i in range(len(finals)))
            + ")",
            ExpressionAttributeNames={"#s": "status", **kept_names},
            ExpressionAttributeValues=kept_values
            | values(
                at=at,
                status=outcome.status,
                hs=hotel_status(stay.hotelId, outcome.status),
                reason=outcome.reason,
                detail=outcome.detail[:1000],
                empty=[],
                one=1,
                step=[{"state": state_name, "at": at}],
                **{f"final{i}": s for i, s in enumerate(finals)},
            )
            | ONE,
        )

    # -- cancellation -------------------------------------------------------------------
    def request_cancellation(
        self, booking_id: str, hotel_id: str, refund_cents: int, by: str, at: dt.datetime
    ) -> bool:
        """CONFIRMED -> CANCELLING with the policy's refund; False if it was not CONFIRMED."""
        return self._move(
            booking_id,
            hotel_id,
            BookingStatus.CONFIRMED,
            BookingStatus.CANCELLING,
            "refundCents = :refund, cancelRequestedBy = :by, cancelRequestedAt = :at, "
            "updatedAt = :at",
            refund=refund_cents,
            by=by,
            at=at,
        )

    def request_early_cancellation(
        self, booking_id: str, hotel_id: str, by: str, at: dt.datetime
    ) -> bool:
        """The guest asks to cancel before the hotel was asked (room held, payment under way or
        taken): the saga's next step sees it and ends the booking CANCELLED through its own
        compensations. False when the booking is no longer at that stage."""
        return self._change(
            booking_id,
            "cancelRequestedBy = :by, cancelRequestedAt = :at, updatedAt = :at",
            "hotelId = :hotel AND #s IN (:held, :paid)",
            hotel=hotel_id,
            held=BookingStatus.ROOM_RESERVED,
            paid=BookingStatus.PAYMENT_RECORDED,
            by=by,
            at=at,
        )

    def note_payment_retrying(self, booking_id: str, until: dt.datetime) -> None:
        """The gateway is unavailable and the saga retries until ``until`` (kept from the first
        failure): the guest's page says so. Only while the room is held and unpaid."""
        self._change(
            booking_id,
            "paymentRetryUntil = if_not_exists(paymentRetryUntil, :until), updatedAt = :now",
            "#s = :held",
            until=until,
            now=self._clock(),
            held=BookingStatus.ROOM_RESERVED,
        )

    def mark_cancelled(self, booking_id: str, hotel_id: str, detail: str, step: str) -> bool:
        """CANCELLING -> CANCELLED (reason GUEST_CANCELLED, version bumped): the change the
        stream-based publisher turns into BookingCancelled. False when already done."""
        at = self._clock()
        return self._move(
            booking_id,
            hotel_id,
            BookingStatus.CANCELLING,
            BookingStatus.CANCELLED,
            "reason = :reason, reasonDetail = :detail, updatedAt = :at, "
            "steps = list_append(steps, :step)",
            reason=FailureReason.GUEST_CANCELLED,
            detail=detail[:1000],
            at=at,
            step=[{"state": step, "at": at}],
        )

    def _change(self, booking_id: str, sets: str, condition: str, **named: Any) -> bool:
        """One conditional UpdateItem that ``SET``s ``sets`` and bumps ``version`` (``#s``
        names ``status``, ``:name`` the ``named`` values); False when ``condition`` failed."""
        return self._write_if(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression=f"SET {sets}" + BUMP,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(**named) | ONE,
        )

    def _move(
        self,
        booking_id: str,
        hotel_id: str,
        since: BookingStatus,
        to: BookingStatus,
        sets: str,
        **named: Any,
    ) -> bool:
        """``since`` -> ``to`` (and ``hotelStatus``) with ``sets``; ``hotel_id`` is the
        caller's (the index key needs it), the condition checks it is the booking's."""
        return self._change(
            booking_id,
            f"#s = :to, hotelStatus = :hs, {sets}",
            "hotelId = :hotel AND #s = :since",
            hotel=hotel_id,
            since=since,
            to=to,
            hs=hotel_status(hotel_id, to),
            **named,
        )

    def claim(self, booking_id: str, attribute: str) -> bool:
        """Claim the right to send one message (``attribute`` records when): True once."""
        return self._write_if(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression="SET #a = :at",
            ConditionExpression="attribute_exists(bookingId) AND attribute_not_exists(#a)",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues=values(at=self._clock()),
        )

    def unclaim(self, booking_id: str, attribute: str) -> None:
        """Undo a claim whose message could not be sent, so a retry sends it."""
        self._write(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression="REMOVE #a",
            ConditionExpression="attribute_exists(bookingId)",
            ExpressionAttributeNames={"#a": attribute},
        )

    def mark_guest_notified(self, booking_id: str) -> bool:
        """Claim the right to send the guest's outcome message: True exactly once."""
        return self._write_if(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression="SET guestNotifiedAt = :at" + BUMP,
            ConditionExpression="attribute_exists(bookingId) AND "
            "attribute_not_exists(guestNotifiedAt)",
            ExpressionAttributeValues=values(at=self._clock()) | ONE,
        )

    def unmark_guest_notified(self, booking_id: str) -> None:
        """Undo the claim when the message could not be sent, so a retry sends it."""
        self._write(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression="REMOVE guestNotifiedAt" + BUMP,
            ConditionExpression="attribute_exists(bookingId)",
            ExpressionAttributeValues=ONE,
        )


def _newest_after(before: ListPosition) -> dt.datetime:
    """The latest ``createdAt`` a booking after ``before`` can have (a position with no id
    stands before every booking made at its instant)."""
    return before.createdAt - dt.timedelta(microseconds=0 if before.bookingId else 1)


def _month_of(at: dt.datetime | dt.date) -> dt.date:
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC)
    return dt.date(at.year, at.month, 1)


def _next_month(month: dt.date) -> dt.date:
    return _month_of(month + dt.timedelta(days=31))
