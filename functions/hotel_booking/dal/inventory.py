"""The inventory table: rooms held per hotel and night (``held``).

A night nobody has booked yet has no row (it holds nothing). What a change may do is decided
in ``logic/inventory.py`` (a :class:`RoomChange`); this module turns it into one conditional
update per night for the transaction in ``dal/reservations.py``. A row never depends on the
hotel's room count, so a new room count moves no row.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hotel_booking.dal.items import Table, values
from hotel_booking.models.domain import RoomChange

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef


class InventoryTable(Table):
    def rows(
        self,
        hotel_id: str,
        first: dt.date | None = None,
        last: dt.date | None = None,
        consistent: bool = True,
    ) -> dict[dt.date, int]:
        """Rooms ``held`` per night that has a row, from ``first`` to ``last`` (inclusive).
        Search reads them eventually consistent (half the cost; a hint, not a guard)."""
        condition = "hotelId = :h"
        bounds: dict[str, Any] = {"h": hotel_id}
        if first is not None and last is not None:
            condition += " AND night BETWEEN :a AND :b"
            bounds |= {"a": first.isoformat(), "b": last.isoformat()}
        elif first is not None:
            condition += " AND night >= :a"
            bounds["a"] = first.isoformat()
        rows: dict[dt.date, int] = {}
        for data in self._pages(
            "query",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values(**bounds),
            ConsistentRead=consistent,
        ):
            if "held" in data:
                rows[dt.date.fromisoformat(str(data["night"]))] = int(data["held"])
        return rows

    def updates(self, change: RoomChange) -> list[TransactWriteItemTypeDef]:
        """The change as one transaction item per night (for ``transact_write_items``)."""
        return [{"Update": self._update(change, night)} for night in change.nights]

    def delete_all(self, hotel_id: str) -> None:
        for night in self.rows(hotel_id):
            self._write(
                "delete_item", Key={"hotelId": {"S": hotel_id}, "night": {"S": night.isoformat()}}
            )

    def _update(self, change: RoomChange, night: dt.date) -> UpdateTypeDef:
        """One night's update. A take starts a night without a row at zero and refuses a
        night that would hold more than ``limit``; a release needs the row it gives back to."""
        named: dict[str, Any] = {"d": change.delta}
        if change.delta > 0:
            update = "SET held = if_not_exists(held, :zero) + :d"
            named["zero"] = 0
            condition = None
            if change.limit is not None:
                condition = "attribute_not_exists(held) OR held <= :most"
                named["most"] = change.limit - change.delta
        else:
            update = "SET held = held + :d"
            condition = "attribute_exists(held)"
        item: UpdateTypeDef = {
            "TableName": self.table,
            "Key": {"hotelId": {"S": change.hotelId}, "night": {"S": night.isoformat()}},
            "UpdateExpression": update,
            "ExpressionAttributeValues": values(**named),
        }
        if condition:
            item["ConditionExpression"] = condition
        return item
