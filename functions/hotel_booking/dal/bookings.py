"""Booking records as the REST API reads and writes them.

The API writes a booking only once, as PENDING, before it starts the saga; from then on the
saga's steps own the record (``SagaStore.reserve`` takes over a PENDING record that has no
reservation yet). Reads are by id, by hotel (GSI ``byHotel``) or, for a guest, a filtered Scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from hotel_booking.dal.dynamo import from_item, to_item
from hotel_booking.models import Booking, BookingStatus

BY_HOTEL_INDEX = "byHotel"


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class BookingRecords:
    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self.table = table

    def create_pending(self, booking: Booking, request_hash: str) -> bool:
        """Store a new PENDING booking; False when one with that id exists already."""
        item = to_item(booking)
        item["requestHash"] = {"S": request_hash}
        try:
            self._db.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(bookingId)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def get_item(self, booking_id: str) -> dict[str, Any] | None:
        resp = self._db.get_item(
            TableName=self.table, Key={"bookingId": {"S": booking_id}}, ConsistentRead=True
        )
        item = resp.get("Item")
        return from_item(item) if item else None

    def get(self, booking_id: str) -> Booking | None:
        item = self.get_item(booking_id)
        return Booking.model_validate(item) if item else None

    def set_execution_arn(self, booking_id: str, execution_arn: str) -> None:
        """Note the saga's execution; a record already gone (the saga recreates it) is fine."""
        try:
            self._db.update_item(
                TableName=self.table,
                Key={"bookingId": {"S": booking_id}},
                UpdateExpression="SET executionArn = if_not_exists(executionArn, :arn)",
                ConditionExpression="attribute_exists(bookingId)",
                ExpressionAttributeValues={":arn": {"S": execution_arn}},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def discard_unstarted(self, booking_id: str) -> None:
        """Remove a PENDING record whose saga never started (so it blocks nothing)."""
        try:
            self._db.delete_item(
                TableName=self.table,
                Key={"bookingId": {"S": booking_id}},
                ConditionExpression="#s = :pending AND attribute_not_exists(executionArn)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":pending": {"S": BookingStatus.PENDING.value}},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def of_hotel(self, hotel_id: str) -> list[Booking]:
        """Newest first (the index sorts by createdAt)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=BY_HOTEL_INDEX,
            KeyConditionExpression="hotelId = :h",
            ExpressionAttributeValues={":h": {"S": hotel_id}},
            ScanIndexForward=False,
        )
        return _bookings(item for page in pages for item in page.get("Items", []))

    def of_guest(self, sub: str) -> list[Booking]:
        pages = self._db.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="guest.#sub = :sub",
            ExpressionAttributeNames={"#sub": "sub"},
            ExpressionAttributeValues={":sub": {"S": sub}},
        )
        return _bookings(item for page in pages for item in page.get("Items", []))

    def all(self) -> list[Booking]:
        pages = self._db.get_paginator("scan").paginate(TableName=self.table)
        return _bookings(item for page in pages for item in page.get("Items", []))


def _bookings(items: Iterable[dict[str, Any]]) -> list[Booking]:
    return [Booking.model_validate(from_item(item)) for item in items]
