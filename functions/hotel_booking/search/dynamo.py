"""The search projection table (DynamoDB): what ``query`` reads and ``projector`` writes.

Keys are designed for the queries, not for the hotels table's shape:

- a hotel: ``pk = HOTEL#<hotelId>``, ``sk = HOTEL``: its public facts and ``version`` only
  (under 4 KB whatever its bookings: nothing here grows with them). The projector writes it
  under a condition on ``version`` (only a newer version lands), so a duplicate or late event
  changes nothing.
- one GSI per sort (``keys.SORTS``): ``byCity``, ``byPrice``, ``byStars``, ``byName``, each
  keyed ``<sort>Bucket`` (N) + ``<sort>Key`` (S, the order key): a page is a few Queries
  with ``Limit``, bucket after bucket in order (``keys`` says why the order holds). No index
  has a hot partition: the buckets spread the hotels over hundreds of keys.
- the buckets that hold (or once held) a hotel: ``pk = sk = BUCKETS``, a number set per sort.
  A walk skips empty buckets with it (one GetItem). The projector adds a bucket *before* it
  writes the hotel there, and never removes one: a crash between leaves a bucket that costs
  one empty Query, never a hotel a search cannot reach.
- A deleted hotel stays as a tombstone (``deleted``, its version) without the index keys, so
  it leaves every index while still outranking late events about it.

What a night holds comes from the inventory the saga keeps (``dal/inventory.py``), read
eventually consistent per hotel and stay: a room held by a booking still in the saga is not
offered, and is offered again once the saga releases it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from hotel_booking.dal.inventory import InventoryTable
from hotel_booking.models.domain import HotelFacts
from hotel_booking.search import keys
from hotel_booking.search.model import HotelDoc

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestOutputTypeDef, WriteRequestTypeDef

INDEXES = {"city": "byCity", "price": "byPrice", "stars": "byStars", "name": "byName"}
BUCKETS_KEY = {"pk": {"S": "BUCKETS"}, "sk": {"S": "BUCKETS"}}
#: The most a hotel's item may weigh (a test checks the largest fields stay under it).
ITEM_BUDGET = 4096

_ser = TypeSerializer()
_de = TypeDeserializer()


def _v(value: Any) -> dict[str, Any]:
    return dict(_ser.serialize(value))


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def hotel_key(hotel_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"HOTEL#{hotel_id}"}, "sk": {"S": "HOTEL"}}


def index_keys(doc: HotelDoc) -> dict[str, Any]:
    """The hotel's bucket and order key in every sort's index."""
    fields: dict[str, Any] = {}
    for sort in keys.SORTS:
        key = keys.order_key(doc, sort)
        fields[f"{sort}Bucket"] = keys.bucket(sort, key)
        fields[f"{sort}Key"] = key
    return fields


#: BatchWriteItem rounds for one batch, and the pauses between them (seconds): 0.1, 0.2, ...
#: up to 2, each drawn at random below that (full jitter).
BATCH_ATTEMPTS = 8
BATCH_PAUSE = 0.05
BATCH_PAUSE_CAP = 2.0


class WritesNotProcessed(RuntimeError):
    """DynamoDB kept answering part of a batch as unprocessed."""


class SearchTable:
    def __init__(self, client: DynamoDBClient, table: str, inventory_table: str = "") -> None:
        self._db = client
        self.table = table
        self._inventory = InventoryTable(client, inventory_table)

    # -- reads (SearchStore) --------------------------------------------------------------
    def walk(
        self, sort: str, prefix: str, after: str | None, budget: int, chunk: int
    ) -> Iterator[HotelDoc]:
        index = INDEXES[sort]
        bucket_name, key_name = f"{sort}Bucket", f"{sort}Key"
        start = keys.bucket(sort, after) if after is not None else -1
        allowed = keys.prefix_buckets(prefix) if prefix else None
        left = budget
        for number in self.buckets(sort):
            if number < start or (allowed is not None and number not in allowed):
                continue
            condition = "#b = :b"
            names = {"#b": bucket_name}
            named: dict[str, Any] = {":b": _v(number)}
            if after is not None and number == start:
                condition += " AND #k > :after"
                named[":after"] = _v(after)
            elif prefix:
                condition += " AND begins_with(#k, :p)"
                named[":p"] = _v(prefix)
            if len(named) > 1:
                names["#k"] = key_name
            request: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": named,
            }
            while left > 0:
                page = self._db.query(**request, Limit=min(left, chunk))
                for item in page.get("Items", []):
                    left -= 1
                    doc = doc_of(_plain(item))
                    if prefix and not keys.order_key(doc, sort).startswith(prefix):
                        return  # past the prefix: the keys that follow are too
                    yield doc
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            if left <= 0:
                return

    def buckets(self, sort: str) -> list[int]:
        """The buckets of ``sort``'s index that may hold a hotel, in order."""
        item = self._db.get_item(TableName=self.table, Key=BUCKETS_KEY).get("Item", {})
        return sorted(int(n) for n in item.get(sort, {}).get("NS", []))

    def held(self, hotel_id: str, nights: list[dt.date]) -> dict[dt.date, int]:
        if not nights:
            return {}
        return self._inventory.rows(hotel_id, min(nights), max(nights), consistent=False)

    def get(self, hotel_id: str) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self.table, Key=hotel_key(hotel_id), ConsistentRead=True)
        return _plain(item["Item"]) if "Item" in item else None

    # -- writes (the projector) -----------------------------------------------------------
    def put_hotel(self, doc: HotelDoc) -> bool:
        """Show ``doc``; False when the projection holds this version or a newer one."""
        indexed = index_keys(doc)
        self._db.update_item(
            TableName=self.table,
            Key=BUCKETS_KEY,
            UpdateExpression="ADD " + ", ".join(f"#{s} :{s}" for s in keys.SORTS),
            ExpressionAttributeNames={f"#{s}": s for s in keys.SORTS},
            ExpressionAttributeValues={
                f":{s}": {"NS": [str(indexed[f"{s}Bucket"])]} for s in keys.SORTS
            },
        )
        # The picture is set or removed below: a hotel without one keeps no imageKey.
        fields: dict[str, Any] = {**doc.model_dump(exclude={"imageKey"}), **indexed}
        sets = [f"#{k} = :{k}" for k in fields]
        removes = ["deleted"] + ([] if doc.imageKey else ["imageKey"])
        values = {f":{k}": _v(v) for k, v in fields.items()}
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
        index_attributes = ", ".join(f"{s}Bucket, {s}Key" for s in keys.SORTS)
        return self._write_if(
            "update_item",
            Key=hotel_key(hotel_id),
            UpdateExpression="SET #version = :version, deleted = :yes, hotelId = :id "
            f"REMOVE {index_attributes}",
            ConditionExpression="attribute_not_exists(#version) OR #version < :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={
                ":version": _v(version),
                ":yes": _v(True),
                ":id": _v(hotel_id),
            },
        )

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
        """BatchWriteItem, its UnprocessedItems (a throttled partition's) sent again after an
        exponential, jittered pause as AWS asks, ``BATCH_ATTEMPTS`` times at most."""
        pending: Mapping[str, Sequence[WriteRequestTypeDef | WriteRequestOutputTypeDef]]
        pending = {self.table: requests}
        for attempt in range(BATCH_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(BATCH_PAUSE_CAP, BATCH_PAUSE * 2**attempt)))
            pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
        left = sum(len(writes) for writes in pending.values())
        raise WritesNotProcessed(
            f"{left} of {len(requests)} writes to {self.table} still unprocessed after "
            f"{BATCH_ATTEMPTS} attempts (the table is throttled): run it again"
        )

    def _write_if(self, operation: Literal["put_item", "update_item"], **kwargs: Any) -> bool:
        try:
            getattr(self._db, operation)(TableName=self.table, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def doc_of(item: dict[str, Any]) -> HotelDoc:
    return HotelDoc.model_validate(
        {k: item[k] for k in HotelFacts.model_fields if k in item} | {"version": item["version"]}
    )
