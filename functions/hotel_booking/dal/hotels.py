"""What the hotels API reads and writes: hotel records, inventory rows and pictures in S3."""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from hotel_booking.dal.dynamo import from_item, to_item
from hotel_booking.models import Hotel


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class HotelTable:
    """The hotels table. A Scan is fine for search: a hotel chain has hundreds, not millions."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self.table = table

    def all(self) -> list[Hotel]:
        hotels: list[Hotel] = []
        for page in self._db.get_paginator("scan").paginate(TableName=self.table):
            hotels.extend(Hotel.model_validate(from_item(item)) for item in page.get("Items", []))
        return hotels

    def get(self, hotel_id: str) -> Hotel | None:
        resp = self._db.get_item(
            TableName=self.table, Key={"hotelId": {"S": hotel_id}}, ConsistentRead=True
        )
        item = resp.get("Item")
        return Hotel.model_validate(from_item(item)) if item else None

    def create(self, hotel: Hotel) -> None:
        self._db.put_item(
            TableName=self.table,
            Item=to_item(hotel),
            ConditionExpression="attribute_not_exists(hotelId)",
        )

    def replace(self, hotel: Hotel) -> bool:
        """Overwrite an existing hotel; False when it was deleted meanwhile."""
        try:
            self._db.put_item(
                TableName=self.table,
                Item=to_item(hotel),
                ConditionExpression="attribute_exists(hotelId)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def delete(self, hotel_id: str) -> bool:
        """False when there was nothing to delete."""
        try:
            self._db.delete_item(
                TableName=self.table,
                Key={"hotelId": {"S": hotel_id}},
                ConditionExpression="attribute_exists(hotelId)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True


class Inventory:
    """Rooms left per hotel and night, as ReserveRoom and ReleaseRoom keep them.

    A night nobody has booked yet has no row (it has all the hotel's rooms); a row's
    ``available`` was computed from the hotel's room count when its first booking came in,
    so changing that count must move every existing row by the same amount.
    """

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self.table = table

    def rows(self, hotel_id: str, from_night: dt.date | None = None) -> dict[dt.date, int]:
        """``available`` per night that has a row, from ``from_night`` on."""
        condition = "hotelId = :h"
        values: dict[str, Any] = {":h": {"S": hotel_id}}
        if from_night is not None:
            condition += " AND night >= :n"
            values[":n"] = {"S": from_night.isoformat()}
        rows: dict[dt.date, int] = {}
        for page in self._db.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        ):
            for item in page.get("Items", []):
                data = from_item(item)
                if "available" in data:
                    rows[dt.date.fromisoformat(str(data["night"]))] = int(data["available"])
        return rows

    def adjust(
        self, hotel_id: str, delta: int, from_night: dt.date, guarded: bool = True
    ) -> dt.date | None:
        """Add ``delta`` rooms to every existing night from ``from_night`` on.

        Guarded, each row is changed with a condition that keeps it at zero or more; if one
        cannot be (more rooms booked that night than would remain), the rows already changed
        are put back and that night is returned. None when every row moved.
        """
        done: list[dt.date] = []
        for night in sorted(self.rows(hotel_id, from_night)):
            if not self._add(hotel_id, night, delta, guarded):
                for changed in done:
                    self._add(hotel_id, changed, -delta, guarded=False)
                return night
            done.append(night)
        return None

    def delete_all(self, hotel_id: str) -> None:
        for night in self.rows(hotel_id):
            self._db.delete_item(
                TableName=self.table,
                Key={"hotelId": {"S": hotel_id}, "night": {"S": night.isoformat()}},
            )

    def _add(self, hotel_id: str, night: dt.date, delta: int, guarded: bool = True) -> bool:
        args: dict[str, Any] = {
            "TableName": self.table,
            "Key": {"hotelId": {"S": hotel_id}, "night": {"S": night.isoformat()}},
            "UpdateExpression": "SET available = available + :d",
            "ExpressionAttributeValues": {":d": {"N": str(delta)}},
            "ConditionExpression": "attribute_exists(available)",
        }
        if guarded and delta < 0:
            args["ConditionExpression"] += " AND available >= :cut"
            args["ExpressionAttributeValues"][":cut"] = {"N": str(-delta)}
        try:
            self._db.update_item(**args)
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True


class PictureStore:
    """Hotel pictures in a private bucket, shown to browsers through presigned GET URLs."""

    URL_SECONDS = 3600

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def url(self, key: str) -> str:
        """Signed locally: no request to S3."""
        return str(
            self._s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.URL_SECONDS,
            )
        )
