"""The hotels table (the write model). Public search reads the search projection instead
(``hotel_booking.search``); a Scan here serves the admin pages and rebuilding that projection.

Every write carries the hotel's ``version``: created at 1, each write exactly one more, under
a condition on the version that was read (optimistic locking), so two concurrent changes cannot
both commit, the events published from the table's stream never share a version, and a
reservation can condition its transaction on the hotel being unchanged since it read the room
count (:meth:`HotelsTable.unchanged`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypedDict

from hotel_booking.dal.items import Table, from_item, to_item, transient_faults, values
from hotel_booking.errors import TransientError
from hotel_booking.models import Hotel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

BY_MANAGER = "byManager"
#: Seconds to wait before trying a write again that met a transaction on the same item.
_CONFLICT_PAUSES = (0.02, 0.05, 0.1)


class HotelsTable(Table):
    _sleep = staticmethod(time.sleep)

    def get(self, hotel_id: str, consistent: bool = True) -> Hotel | None:
        item = self._get(consistent, hotelId=hotel_id)
        return Hotel.model_validate(item) if item else None

    def all(self) -> list[Hotel]:
        return [Hotel.model_validate(item) for item in self._pages("scan")]

    def page(self, limit: int, after: str | None = None) -> tuple[list[Hotel], str | None]:
        """At most ``limit`` hotels (one Scan page, in the table's order) after the hotel id
        ``after``, and the id to continue after (None at the end)."""
        with transient_faults():
            resp = (
                self._db.scan(
                    TableName=self.table, Limit=limit, ExclusiveStartKey={"hotelId": {"S": after}}
                )
                if after
                else self._db.scan(TableName=self.table, Limit=limit)
            )
        last = resp.get("LastEvaluatedKey", {}).get("hotelId", {}).get("S")
        return [Hotel.model_validate(from_item(i)) for i in resp.get("Items", [])], last

    def managed_by(self, manager_sub: str) -> list[str]:
        """The ids of the hotels this user manages (index ``byManager``: eventually
        consistent, a hotel just assigned may be missing for a moment)."""
        return [
            str(item["hotelId"])
            for item in self._pages(
                "query",
                IndexName=BY_MANAGER,
                KeyConditionExpression="managerSub = :m",
                ExpressionAttributeValues=values(m=manager_sub),
            )
        ]

    def create(self, hotel: Hotel) -> None:
        self._write(
            "put_item", Item=to_item(hotel), ConditionExpression="attribute_not_exists(hotelId)"
        )

    def replace(self, hotel: Hotel) -> Hotel | None:
        """Overwrite the hotel as it was at ``hotel.version``; the stored hotel (one version
        on), or None when it was deleted or changed meanwhile.

        A reservation's transaction that checks this hotel at the same moment makes DynamoDB
        refuse the write (``TransactionConflictException``); it lasts milliseconds, so the
        write is tried again a few times before the fault is let through."""
        stored = hotel.model_copy(update={"version": hotel.version + 1})
        for pause in _CONFLICT_PAUSES:
            try:
                return self._put_at_version(stored, hotel.version)
            except TransientError:
                self._sleep(pause)
        return self._put_at_version(stored, hotel.version)

    def _put_at_version(self, stored: Hotel, version: int) -> Hotel | None:
        if self._write_if("put_item", Item=to_item(stored), **_at_version(version)):
            return stored
        return None

    def unchanged(self, hotel_id: str, version: int) -> TransactWriteItemTypeDef:
        """A transaction item that holds only while the hotel is still at ``version``."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": {"hotelId": {"S": hotel_id}},
                **_at_version(version),
            }
        }

    def set_manager_sub(self, hotel_id: str, manager_email: str, manager_sub: str) -> bool:
        """Name the manager of a hotel stored before managers were users; False when the
        hotel changed meanwhile (gone, a manager already named, another email). Bumps the
        ``version`` like every write, so an Admin's change read before it cannot undo it."""
        return self._write_if(
            "update_item",
            Key={"hotelId": {"S": hotel_id}},
            UpdateExpression="SET managerSub = :sub ADD #version :one",
            ConditionExpression=(
                "attribute_exists(hotelId) AND attribute_not_exists(managerSub) "
                "AND managerEmail = :email"
            ),
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={
                ":sub": {"S": manager_sub},
                ":email": {"S": manager_email},
                ":one": {"N": "1"},
            },
        )

    def delete(self, hotel_id: str) -> bool:
        """False when there was nothing to delete."""
        return self._write_if(
            "delete_item",
            Key={"hotelId": {"S": hotel_id}},
            ConditionExpression="attribute_exists(hotelId)",
        )


class _Condition(TypedDict):
    """A conditional write's arguments (spread into a write or a transaction item)."""

    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, Any]


def _at_version(version: int) -> _Condition:
    """The condition "exists, still at ``version``" (an item written before versions
    existed is at version 0)."""
    condition = "attribute_exists(hotelId) AND #version = :v"
    if version == 0:
        condition = (
            "attribute_exists(hotelId) AND (attribute_not_exists(#version) OR #version = :v)"
        )
    return {
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": values(v=version),
    }
