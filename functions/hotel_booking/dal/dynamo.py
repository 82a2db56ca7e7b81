"""DynamoDB access for hotels, inventory, bookings, payments and approvals.

Every write that a saga step makes is conditional, so a retried or redelivered step finds its
own earlier write and changes nothing twice. Inventory moves in one transaction across all
nights of a stay together with the booking's reservation flag: all nights or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from hotel_booking.config import SagaSettings
from hotel_booking.errors import BookingStateConflict, RoomUnavailable, TransientError
from hotel_booking.models import (
    Approval,
    ApprovalState,
    Booking,
    BookingRequest,
    BookingStatus,
    FailureReason,
    Hotel,
    Payment,
    PaymentStatus,
    ReservationState,
)

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)

_ser = TypeSerializer()
_de = TypeDeserializer()


def _plain(value: Any) -> Any:
    """Python value -> what TypeSerializer accepts (dates as ISO strings, enums by value)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_item(model: BaseModel) -> dict[str, Any]:
    data = _plain(model.model_dump(mode="python", exclude_none=True))
    return {k: _ser.serialize(v) for k, v in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def _values(**values: Any) -> dict[str, Any]:
    return {f":{k}": _ser.serialize(_plain(v)) for k, v in values.items()}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _transient_faults() -> Iterator[None]:
    """Turn DynamoDB's retryable faults into TransientError, which the state machine retries."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _TRANSIENT_CODES:
            raise TransientError(f"DynamoDB {code}: {exc}") from exc
        if code == "TransactionCanceledException" and _reasons(exc) == {"TransactionConflict"}:
            raise TransientError("DynamoDB transaction conflict") from exc
        raise


def _reasons(exc: ClientError) -> set[str]:
    return {r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])} - {"None"}


def _is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class SagaStore:
    """The tables the saga reads and writes, by name, through one low-level client."""

    def __init__(
        self,
        client: Any,
        *,
        hotels_table: str,
        inventory_table: str,
        bookings_table: str,
        payments_table: str,
        approvals_table: str,
    ) -> None:
        self._db = client
        self.hotels_table = hotels_table
        self.inventory_table = inventory_table
        self.bookings_table = bookings_table
        self.payments_table = payments_table
        self.approvals_table = approvals_table

    @classmethod
    def from_settings(cls, client: Any, settings: SagaSettings) -> SagaStore:
        return cls(
            client,
            hotels_table=settings.hotels_table,
            inventory_table=settings.inventory_table,
            bookings_table=settings.bookings_table,
            payments_table=settings.payments_table,
            approvals_table=settings.approvals_table,
        )

    # -- hotels ---------------------------------------------------------------------------
    def put_hotel(self, hotel: Hotel) -> None:
        with _transient_faults():
            self._db.put_item(TableName=self.hotels_table, Item=to_item(hotel))

    def get_hotel(self, hotel_id: str) -> Hotel | None:
        item = self._get(self.hotels_table, {"hotelId": hotel_id})
        return Hotel.model_validate(item) if item else None

    # -- inventory ------------------------------------------------------------------------
    def available_rooms(self, hotel: Hotel, nights: list[dt.date]) -> dict[dt.date, int]:
        """Rooms left per night (a night nobody booked yet has all the hotel's rooms)."""
        left = {night: hotel.rooms for night in nights}
        for night in nights:
            item = self._get(
                self.inventory_table, {"hotelId": hotel.hotelId, "night": night.isoformat()}
            )
            if item and "available" in item:
                left[night] = int(item["available"])
        return left

    # -- bookings -------------------------------------------------------------------------
    def get_booking(self, booking_id: str) -> Booking | None:
        item = self._get(self.bookings_table, {"bookingId": booking_id})
        return Booking.model_validate(item) if item else None

    def get_booking_item(self, booking_id: str) -> dict[str, Any] | None:
        return self._get(self.bookings_table, {"bookingId": booking_id})

    def reserve(
        self,
        request: BookingRequest,
        hotel: Hotel,
        amount: Decimal,
        execution_arn: str,
        state_name: str,
    ) -> Decimal:
        """Take ``rooms`` on every night and mark the booking ROOM_RESERVED, atomically.

        Returns the booking's amount: the one stored by an earlier attempt when this is a retry
        (the price may have changed since), else ``amount``. Raises RoomUnavailable when any
        night has too few rooms left.
        """
        existing = self.get_booking_item(request.bookingId)
        if existing and existing.get("reservation"):
            return Decimal(existing.get("amount", amount))
        at = now()
        items = self._inventory_updates(
            request,
            "SET available = if_not_exists(available, :total) - :n",
            "attribute_not_exists(available) OR available >= :n",
            total=hotel.rooms,
        )
        items.append(
            {
                "Update": {
                    "TableName": self.bookings_table,
                    "Key": {"bookingId": {"S": request.bookingId}},
                    "UpdateExpression": (
                        "SET hotelId = :hotelId, hotelName = :hotelName, guest = :guest, "
                        "checkIn = :checkIn, checkOut = :checkOut, rooms = :rooms, "
                        "amount = :amount, currency = :currency, #s = :status, "
                        "reservation = :reserved, executionArn = :arn, "
                        "createdAt = if_not_exists(createdAt, :at), updatedAt = :at, "
                        "steps = list_append(if_not_exists(steps, :empty), :step)"
                    ),
                    "ConditionExpression": (
                        "attribute_not_exists(bookingId) OR "
                        "(#s = :pending AND attribute_not_exists(reservation))"
                    ),
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": _values(
                        hotelId=hotel.hotelId,
                        hotelName=hotel.name,
                        guest=request.guest.model_dump(),
                        checkIn=request.checkIn,
                        checkOut=request.checkOut,
                        rooms=request.rooms,
                        amount=amount,
                        currency=hotel.currency,
                        status=BookingStatus.ROOM_RESERVED,
                        pending=BookingStatus.PENDING,
                        reserved=ReservationState.RESERVED,
                        arn=execution_arn,
                        at=at,
                        empty=[],
                        step=[{"state": state_name, "at": at}],
                    ),
                }
            }
        )
        try:
            with _transient_faults():
                self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[-1] == "ConditionalCheckFailed":
                again = self.get_booking_item(request.bookingId) or {}
                if again.get("reservation"):
                    return Decimal(again.get("amount", amount))  # a concurrent retry won
                raise BookingStateConflict(
                    f"booking {request.bookingId} is {again.get('status')}, cannot reserve"
                ) from exc
            short = [
                n.isoformat()
                for n, code in zip(request.nights, reasons, strict=False)
                if code == "ConditionalCheckFailed"
            ]
            raise RoomUnavailable(
                f"fewer than {request.rooms} room(s) left at {hotel.hotelId} on "
                f"{', '.join(short) or 'some nights'}"
            ) from exc
        return amount

    def release(self, booking_id: str, state_name: str) -> bool:
        """Give back the rooms this booking took. Returns False when there was nothing to give."""
        item = self.get_booking_item(booking_id)
        if not item or item.get("reservation") != ReservationState.RESERVED:
            return False
        request = BookingRequest.model_validate({**item, "paymentToken": "-"})
        at = now()
        items = self._inventory_updates(
            request, "SET available = available + :n", "attribute_exists(available)"
        )
        items.append(
            {
                "Update": {
                    "TableName": self.bookings_table,
                    "Key": {"bookingId": {"S": booking_id}},
                    "UpdateExpression": (
                        "SET reservation = :released, updatedAt = :at, "
                        "steps = list_append(steps, :step)"
                    ),
                    "ConditionExpression": "reservation = :reserved",
                    "ExpressionAttributeValues": _values(
                        released=ReservationState.RELEASED,
                        reserved=ReservationState.RESERVED,
                        at=at,
                        step=[{"state": state_name, "at": at}],
                    ),
                }
            }
        )
        try:
            with _transient_faults():
                self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            again = self.get_booking_item(booking_id) or {}
            if again.get("reservation") == ReservationState.RELEASED:
                return False  # a concurrent retry released it
            raise
        return True

    def advance(
        self,
        booking_id: str,
        to: BookingStatus,
        allowed_from: set[BookingStatus],
        state_name: str,
        **extra: Any,
    ) -> bool:
        """Move the booking to ``to`` if it is in one of ``allowed_from``; log the step.

        Returns False when the booking was already at ``to`` or beyond it on the happy path
        (a retry or a late redelivery); raises BookingStateConflict when it is anywhere else.
        """
        at = now()
        sets = ["#s = :to", "updatedAt = :at", "steps = list_append(steps, :step)"]
        values = {"to": to, "at": at, "step": [{"state": state_name, "at": at}]}
        for i, (name, value) in enumerate(extra.items()):
            sets.append(f"{name} = :x{i}")
            values[f"x{i}"] = value
        froms = sorted(s.value for s in allowed_from)
        for i, status in enumerate(froms):
            values[f"f{i}"] = status
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.bookings_table,
                    Key={"bookingId": {"S": booking_id}},
                    UpdateExpression="SET " + ", ".join(sets),
                    ConditionExpression=f"#s IN ({', '.join(f':f{i}' for i in range(len(froms)))})",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues=_values(**values),
                )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            current = (self.get_booking_item(booking_id) or {}).get("status")
            if current in BookingStatus.__members__ and BookingStatus(str(current)).reached(to):
                return False
            raise BookingStateConflict(
                f"booking {booking_id} is {current}, cannot become {to.value}"
            ) from exc
        return True

    def record_outcome(
        self,
        request: BookingRequest,
        status: BookingStatus,
        reason: FailureReason,
        detail: str,
        state_name: str,
        execution_arn: str,
    ) -> bool:
        """Write a final failed/rejected/expired status, creating the record if the saga never
        got to write one (e.g. sold out). Returns False if it was already final."""
        at = now()
        finals = sorted(s.value for s in (BookingStatus.CONFIRMED, *_FAILED_FINALS))
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.bookings_table,
                    Key={"bookingId": {"S": request.bookingId}},
                    UpdateExpression=(
                        "SET hotelId = if_not_exists(hotelId, :hotelId), "
                        "guest = if_not_exists(guest, :guest), "
                        "checkIn = if_not_exists(checkIn, :checkIn), "
                        "checkOut = if_not_exists(checkOut, :checkOut), "
                        "rooms = if_not_exists(rooms, :rooms), "
                        "executionArn = if_not_exists(executionArn, :arn), "
                        "createdAt = if_not_exists(createdAt, :at), "
                        "#s = :status, reason = :reason, reasonDetail = :detail, updatedAt = :at, "
                        "steps = list_append(if_not_exists(steps, :empty), :step)"
                    ),
                    ConditionExpression="attribute_not_exists(#s) OR NOT #s IN ("
                    + ", ".join(f":final{i}" for i in range(len(finals)))
                    + ")",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues=_values(
                        hotelId=request.hotelId,
                        guest=request.guest.model_dump(),
                        checkIn=request.checkIn,
                        checkOut=request.checkOut,
                        rooms=request.rooms,
                        arn=execution_arn,
                        at=at,
                        status=status,
                        reason=reason,
                        detail=detail[:1000],
                        empty=[],
                        step=[{"state": state_name, "at": at}],
                        **{f"final{i}": s for i, s in enumerate(finals)},
                    ),
                )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def mark_guest_notified(self, booking_id: str) -> bool:
        """Claim the right to send the guest's outcome message: True exactly once."""
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.bookings_table,
                    Key={"bookingId": {"S": booking_id}},
                    UpdateExpression="SET guestNotifiedAt = :at",
                    ConditionExpression="attribute_exists(bookingId) AND "
                    "attribute_not_exists(guestNotifiedAt)",
                    ExpressionAttributeValues=_values(at=now()),
                )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def unmark_guest_notified(self, booking_id: str) -> None:
        """Undo the claim when the message could not be sent, so a retry sends it."""
        with _transient_faults():
            self._db.update_item(
                TableName=self.bookings_table,
                Key={"bookingId": {"S": booking_id}},
                UpdateExpression="REMOVE guestNotifiedAt",
                ConditionExpression="attribute_exists(bookingId)",
            )

    # -- payments -------------------------------------------------------------------------
    def get_payment(self, booking_id: str) -> Payment | None:
        item = self._get(self.payments_table, {"bookingId": booking_id})
        return Payment.model_validate(item) if item else None

    def put_payment(self, payment: Payment) -> Payment:
        """Store a new payment; if one exists for the booking, keep and return that one."""
        try:
            with _transient_faults():
                self._db.put_item(
                    TableName=self.payments_table,
                    Item=to_item(payment),
                    ConditionExpression="attribute_not_exists(bookingId)",
                )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            existing = self.get_payment(payment.bookingId)
            assert existing is not None
            return existing
        return payment

    def mark_refunded(self, booking_id: str) -> bool:
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.payments_table,
                    Key={"bookingId": {"S": booking_id}},
                    UpdateExpression="SET #s = :refunded, refundedAt = :at",
                    ConditionExpression="#s = :recorded",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues=_values(
                        refunded=PaymentStatus.REFUNDED, recorded=PaymentStatus.RECORDED, at=now()
                    ),
                )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    # -- approvals ------------------------------------------------------------------------
    def get_approval(self, approval_id: str) -> Approval | None:
        item = self._get(self.approvals_table, {"approvalId": approval_id})
        return Approval.model_validate(item) if item else None

    def open_approval(
        self, approval_id: str, booking_id: str, hotel_id: str, token: str, expires: dt.datetime
    ) -> Approval:
        """Create the approval record, or hand a redelivered step's new task token to it."""
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.approvals_table,
                    Key={"approvalId": {"S": approval_id}},
                    UpdateExpression=(
                        "SET bookingId = :b, hotelId = :h, taskToken = :t, "
                        "expiresAt = :e, #s = if_not_exists(#s, :pending)"
                    ),
                    ConditionExpression="attribute_not_exists(approvalId) OR #s = :pending",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues=_values(
                        b=booking_id, h=hotel_id, t=token, e=expires, pending=ApprovalState.PENDING
                    ),
                )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            raise BookingStateConflict(f"approval {approval_id} was already decided") from exc
        approval = self.get_approval(approval_id)
        assert approval is not None
        return approval

    def mark_notified(self, approval_id: str) -> None:
        with _transient_faults():
            self._db.update_item(
                TableName=self.approvals_table,
                Key={"approvalId": {"S": approval_id}},
                UpdateExpression="SET notifiedAt = :at",
                ExpressionAttributeValues=_values(at=now()),
            )

    def close_approval(
        self,
        approval_id: str,
        state: ApprovalState,
        decided_by: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """PENDING -> ``state``, exactly once: True for the caller that made the change."""
        sets = ["#s = :state", "decidedAt = :at"]
        values: dict[str, Any] = {"state": state, "at": now(), "pending": ApprovalState.PENDING}
        if decided_by:
            sets.append("decidedBy = :by")
            values["by"] = decided_by
        if reason:
            sets.append("decisionReason = :why")
            values["why"] = reason
        try:
            with _transient_faults():
                self._db.update_item(
                    TableName=self.approvals_table,
                    Key={"approvalId": {"S": approval_id}},
                    UpdateExpression="SET " + ", ".join(sets),
                    ConditionExpression="attribute_exists(approvalId) AND #s = :pending",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues=_values(**values),
                )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    # -- helpers --------------------------------------------------------------------------
    def _inventory_updates(
        self, request: BookingRequest, update: str, condition: str, **values: Any
    ) -> list[dict[str, Any]]:
        """One conditional update per night of the stay, for a single transaction."""
        return [
            {
                "Update": {
                    "TableName": self.inventory_table,
                    "Key": {"hotelId": {"S": request.hotelId}, "night": {"S": night.isoformat()}},
                    "UpdateExpression": update,
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": _values(n=request.rooms, **values),
                }
            }
            for night in request.nights
        ]

    def _get(self, table: str, key: dict[str, str]) -> dict[str, Any] | None:
        with _transient_faults():
            resp = self._db.get_item(
                TableName=table,
                Key={k: {"S": v} for k, v in key.items()},
                ConsistentRead=True,
            )
        item = resp.get("Item")
        return from_item(item) if item else None


_FAILED_FINALS = (BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.FAILED)
