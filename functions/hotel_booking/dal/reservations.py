"""Reserving and releasing rooms: the saga's two transactions across inventory and bookings.

Inventory moves in one transaction across all nights of a stay together with the booking's
reservation flag: all nights or none. What moves is the inventory rules' :class:`RoomChange`;
a reservation's transaction also checks that the hotel is still at the version its room
count was read at.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from hotel_booking.clock import Clock, utc_now
from hotel_booking.dal.bookings import (
    BUMP,
    ONE,
    BookingsTable,
    hotel_status,
    month_shard,
    stay_attributes,
)
from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.dal.inventory import InventoryTable
from hotel_booking.dal.items import (
    TRANSACTION_CANCELED,
    assignments,
    cancellation_reasons,
    error_code,
    transient_faults,
    values,
)
from hotel_booking.errors import BookingStateConflict, HotelChangedMeanwhile, RoomUnavailable
from hotel_booking.models import BookingStatus, ReservationState
from hotel_booking.models.domain import RoomChange
from hotel_booking.models.saga import BookingRequest, Reservation, StepEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

_CONDITION_FAILED = "ConditionalCheckFailed"


class Reservations:
    def __init__(
        self,
        client: DynamoDBClient,
        hotels: HotelsTable,
        inventory: InventoryTable,
        bookings: BookingsTable,
        clock: Clock = utc_now,
    ) -> None:
        self._db = client
        self._hotels = hotels
        self._inventory = inventory
        self._bookings = bookings
        self._clock = clock

    def reserve(
        self, request: BookingRequest, priced: Reservation, take: RoomChange, step: StepEvent
    ) -> Decimal:
        """Take the rooms and mark the booking ROOM_RESERVED at ``priced``, atomically.

        Returns the booking's amount: the one stored by a concurrent attempt that won, else
        ``priced.amount``. Raises RoomUnavailable when a night has too few rooms left, and
        HotelChangedMeanwhile when the hotel is no longer at ``take.hotelVersion``.
        """
        at = self._clock()
        sets, names, written = assignments(
            **stay_attributes(request),
            **priced.model_dump(include={"hotelName", "amount", "currency"}),
            status=BookingStatus.ROOM_RESERVED,
            hotelStatus=hotel_status(request.hotelId, BookingStatus.ROOM_RESERVED),
            reservation=ReservationState.RESERVED,
            executionArn=step.executionArn,
            updatedAt=at,
        )
        booking: UpdateTypeDef = {
            "TableName": self._bookings.table,
            "Key": {"bookingId": {"S": request.bookingId}},
            "UpdateExpression": "SET "
            + ", ".join(sets)
            + ", createdAt = if_not_exists(createdAt, :updatedAt), "
            "monthShard = if_not_exists(monthShard, :monthShard), "
            "steps = list_append(if_not_exists(steps, :empty), :step)" + BUMP,
            "ConditionExpression": (
                "attribute_not_exists(bookingId) OR "
                "(#status = :pending AND attribute_not_exists(reservation))"
            ),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": written
            | values(
                pending=BookingStatus.PENDING,
                empty=[],
                step=[{"state": step.stateName, "at": at}],
                monthShard=month_shard(request.bookingId, at),
            )
            | ONE,
        }
        hotel: list[TransactWriteItemTypeDef] = (
            []
            if take.hotelVersion is None
            else [self._hotels.unchanged(take.hotelId, take.hotelVersion)]
        )
        refused = self._transact([*self._inventory.updates(take), *hotel, {"Update": booking}])
        if refused is None:
            return priced.amount
        reasons = cancellation_reasons(refused)
        # A retried step finds its own reservation made: whatever else the transaction met
        # (the last room is the one it took; the hotel changed since), it is done. Read only
        # when refused, so a reservation costs no read before its transaction.
        again = self._bookings.get(request.bookingId) if _CONDITION_FAILED in reasons else None
        if again is not None and again.reservation is not None:
            return again.amount if again.amount is not None else priced.amount
        if hotel and len(reasons) >= 2 and reasons[-2] == _CONDITION_FAILED:
            raise HotelChangedMeanwhile(
                f"hotel {take.hotelId} changed since its room count was read"
            ) from refused
        if reasons and reasons[-1] == _CONDITION_FAILED:
            raise BookingStateConflict(
                f"booking {request.bookingId} is {again.status if again else None}, cannot reserve"
            ) from refused
        short = [
            n.isoformat()
            for n, code in zip(take.nights, reasons, strict=False)
            if code == _CONDITION_FAILED
        ]
        raise RoomUnavailable(
            f"fewer than {request.rooms} room(s) left at {request.hotelId} on "
            f"{', '.join(short) or 'some nights'}"
        ) from refused

    def release(self, booking_id: str, give_back: RoomChange, state_name: str) -> bool:
        """Give the rooms back and mark the reservation RELEASED, atomically. False when a
        concurrent retry released it first."""
        at = self._clock()
        booking: UpdateTypeDef = {
            "TableName": self._bookings.table,
            "Key": {"bookingId": {"S": booking_id}},
            "UpdateExpression": (
                "SET reservation = :released, updatedAt = :at, steps = list_append(steps, :step)"
                + BUMP
            ),
            "ConditionExpression": "reservation = :reserved",
            "ExpressionAttributeValues": values(
                released=ReservationState.RELEASED,
                reserved=ReservationState.RESERVED,
                at=at,
                step=[{"state": state_name, "at": at}],
            )
            | ONE,
        }
        refused = self._transact([*self._inventory.updates(give_back), {"Update": booking}])
        if refused is None:
            return True
        again = self._bookings.get(booking_id)
        if again is not None and again.reservation is ReservationState.RELEASED:
            return False  # a concurrent retry released it
        raise refused

    def _transact(self, items: Sequence[TransactWriteItemTypeDef]) -> ClientError | None:
        """None when the transaction went through; the cancellation when it was refused."""
        try:
            with transient_faults():
                self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) != TRANSACTION_CANCELED:
                raise
            return exc
        return None
