"""The search projection table (DynamoDB): what ``query`` reads and ``projector`` writes.

Keys are designed for the queries, not for the hotels table's shape:

- a hotel: ``pk = HOTEL#<hotelId>``, ``sk = HOTEL``; the projector writes it under a condition
  on ``version`` (only a newer version lands), so a duplicate or late event changes nothing.
- GSI ``byCity``: ``cityBucket`` (first character of the folded city) + ``cityKey`` (folded
  city ``#`` hotelId): a city prefix is one Query, ``begins_with(cityKey, prefix)``.
- GSI ``byPrice``: ``listing`` (``HOTEL``) + ``price``: no city given, hotels cheapest first,
  ``price <= maxPrice`` in the key condition. One partition: fine for thousands of hotels,
  beyond that shard ``listing`` (docs/architecture.md).
- A deleted hotel stays as a tombstone (``deleted``, its version) without the index keys, so
  it leaves both indexes while still outranking late events about it.
- Per-night hints live on the hotel item (``booked``: night -> rooms confirmed stays take).
  A booking's nights are counted once and released once: the marker items ``pk =
  STAY#<bookingId>``, ``sk = TAKEN | RELEASED`` are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from hotel_booking.search.model import HotelDoc
from hotel_booking.search.text import fold

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestOutputTypeDef, WriteRequestTypeDef

BY_CITY = "byCity"
BY_PRICE = "byPrice"
LISTED = "HOTEL"
#: How long a stay marker outlives its event (SQS keeps a message at most 14 days).
MARKER_DAYS = 30

_ser = TypeSerializer()
_de = TypeDeserializer()
_DOC_FIELDS = ("hotelId", "name", "city", "stars", "pricePerNight", "currency", "rooms", "imageKey")


def _v(value: Any) -> dict[str, Any]:
    return dict(_ser.serialize(value))


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def hotel_key(hotel_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"HOTEL#{hotel_id}"}, "sk": {"S": "HOTEL"}}


class SearchTable:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    # -- reads (SearchStore) --------------------------------------------------------------
    def candidates(self, city_prefix: str | None, max_price: Decimal | None) -> Iterable[HotelDoc]:
        if city_prefix:
            items = self._query(
                IndexName=BY_CITY,
                KeyConditionExpression="cityBucket = :b AND begins_with(cityKey, :p)",
                ExpressionAttributeValues={":b": _v(city_prefix[0]), ":p": _v(city_prefix)},
            )
        elif max_price is not None:
            items = self._query(
                IndexName=BY_PRICE,
                KeyConditionExpression="listing = :l AND price <= :max",
                ExpressionAttributeValues={":l": _v(LISTED), ":max": _v(max_price)},
            )
        else:
            items = self._query(
                IndexName=BY_PRICE,
                KeyConditionExpression="listing = :l",
                ExpressionAttributeValues={":l": _v(LISTED)},
            )
        for item in items:
            yield doc_of(item)

    def get(self, hotel_id: str) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self.table, Key=hotel_key(hotel_id), ConsistentRead=True)
        return _plain(item["Item"]) if "Item" in item else None

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in self._db.get_paginator("query").paginate(TableName=self.table, **kwargs):
            for item in page.get("Items", []):
                yield _plain(item)

    # -- writes (the projector) -----------------------------------------------------------
    def put_hotel(self, doc: HotelDoc) -> bool:
        """Show ``doc``; False when the projection holds this version or a newer one."""
        city = fold(doc.city)
        fields: dict[str, Any] = {
            "hotelId": doc.hotelId,
            "name": doc.name,
            "city": doc.city,
            "stars": doc.stars,
            "pricePerNight": doc.pricePerNight,
            "currency": doc.currency,
            "rooms": doc.rooms,
            "version": doc.version,
            "cityBucket": city[:1] or "-",
            "cityKey": f"{city}#{doc.hotelId}",
            "listing": LISTED,
            "price": doc.pricePerNight,
        }
        sets = [f"#{k} = :{k}" for k in fields] + ["booked = if_not_exists(booked, :empty)"]
        removes = ["deleted"] + ([] if doc.imageKey else ["imageKey"])
        values = {f":{k}": _v(v) for k, v in fields.items()} | {":empty": {"M": {}}}
        names = {f"#{k}": k for k in fields}
        if doc.imageKey:
            sets.append("imageKey = :image")
            values[":image"] = _v(doc.imageKey)
        return self._write_if(
            "update_item",
            Key=hotel_key(doc.hotelId),
            UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
            ConditionExpression="attribute_not_exists(#version) OR #version < :version",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def delete_hotel(self, hotel_id: str, version: int) -> bool:
        """Leave a tombstone at ``version``; False when a newer version is there already."""
        return self._write_if(
            "update_item",
            Key=hotel_key(hotel_id),
            UpdateExpression="SET #version = :version, deleted = :yes, hotelId = :id "
            "REMOVE cityBucket, cityKey, listing, price",
            ConditionExpression="attribute_not_exists(#version) OR #version < :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={
                ":version": _v(version),
                ":yes": _v(True),
                ":id": _v(hotel_id),
            },
        )

    def count_nights(
        self, booking_id: str, hotel_id: str, nights: list[dt.date], rooms: int, effect: str
    ) -> bool:
        """Add ``rooms`` to each night (``effect`` TAKEN) or take them off (RELEASED), once per
        booking and effect; False when it was counted before."""
        if not nights:
            return False
        # The item may not exist yet (a booking event before its hotel's): give it a map.
        self._db.update_item(
            TableName=self.table,
            Key=hotel_key(hotel_id),
            UpdateExpression="SET booked = if_not_exists(booked, :empty)",
            ExpressionAttributeValues={":empty": {"M": {}}},
        )
        delta = rooms if effect == "TAKEN" else -rooms
        names = {f"#n{i}": night.isoformat() for i, night in enumerate(nights)}
        sets = [
            f"booked.#n{i} = if_not_exists(booked.#n{i}, :zero) + :d" for i in range(len(nights))
        ]
        expires = int(dt.datetime.now(dt.UTC).timestamp()) + MARKER_DAYS * 86400
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": {
                                "pk": {"S": f"STAY#{booking_id}"},
                                "sk": {"S": effect},
                                "expiresAt": _v(expires),
                            },
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": hotel_key(hotel_id),
                            "UpdateExpression": "SET " + ", ".join(sets),
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": {":zero": _v(0), ":d": _v(delta)},
                        }
                    },
                ]
            )
        except ClientError as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def clear(self) -> int:
        """Delete every item (before a rebuild); how many there were."""
        count = 0
        for page in self._db.get_paginator("scan").paginate(
            TableName=self.table, ProjectionExpression="pk, sk"
        ):
            keys: list[WriteRequestTypeDef] = [
                {"DeleteRequest": {"Key": item}} for item in page.get("Items", [])
            ]
            for start in range(0, len(keys), 25):
                self._batch(keys[start : start + 25])
            count += len(keys)
        return count

    def _batch(self, requests: list[WriteRequestTypeDef]) -> None:
        pending: Mapping[str, Sequence[WriteRequestTypeDef | WriteRequestOutputTypeDef]]
        pending = {self.table: requests}
        while pending:
            pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def _write_if(self, operation: Literal["put_item", "update_item"], **kwargs: Any) -> bool:
        try:
            getattr(self._db, operation)(TableName=self.table, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def doc_of(item: dict[str, Any]) -> HotelDoc:
    booked = {str(k): int(v) for k, v in (item.get("booked") or {}).items()}
    return HotelDoc.model_validate(
        {k: item[k] for k in _DOC_FIELDS if k in item}
        | {"version": item["version"], "booked": booked}
    )
