"""The inventory table: rooms left per hotel and night.

A night nobody has booked yet has no row. What a change may do is decided in
``logic/inventory.py`` (a :class:`RoomChange`); this module carries it out, one conditional
update per night, either inside a transaction (a reservation) or night by night (a hotel's
room count).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hotel_booking.dal.items import Table, values
from hotel_booking.models.domain import RoomChange


class InventoryTable(Table):
    def rows(
        self, hotel_id: str, first: dt.date | None = None, last: dt.date | None = None
    ) -> dict[dt.date, int]:
        """``available`` per night that has a row, from ``first`` to ``last`` (inclusive)."""
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
            ConsistentRead=True,
        ):
            if "available" in data:
                rows[dt.date.fromisoformat(str(data["night"]))] = int(data["available"])
        return rows

    def updates(self, change: RoomChange) -> list[dict[str, Any]]:
        """The change as one transaction item per night (for ``transact_write_items``)."""
        return [{"Update": self._update(change, night)} for night in change.nights]

    def apply_each(self, change: RoomChange) -> dt.date | None:
        """Apply the change night by night. If one night refuses it, the nights already changed
        are put back and that night is returned; None when every night moved."""
        done: list[dt.date] = []
        for night in change.nights:
            if not self._write_if("update_item", **_without_table(self._update(change, night))):
                undo = change.model_copy(update={"delta": -change.delta, "guarded": False})
                for changed in done:
                    self._write_if("update_item", **_without_table(self._update(undo, changed)))
                return night
            done.append(night)
        return None

    def delete_all(self, hotel_id: str) -> None:
        for night in self.rows(hotel_id):
            self._write(
                "delete_item", Key={"hotelId": {"S": hotel_id}, "night": {"S": night.isoformat()}}
            )

    def _update(self, change: RoomChange, night: dt.date) -> dict[str, Any]:
        """One night's update: a night without a row starts at ``capacity`` (or is left alone
        when there is none); a guarded take needs ``available >= rooms`` on an existing row."""
        named: dict[str, Any] = {"d": change.delta}
        take = change.guarded and change.delta < 0
        if take:
            named["need"] = -change.delta
        if change.capacity is None:
            update = "SET available = available + :d"
            condition = "attribute_exists(available)" + (" AND available >= :need" if take else "")
        else:
            update = "SET available = if_not_exists(available, :cap) + :d"
            named["cap"] = change.capacity
            condition = "attribute_not_exists(available) OR available >= :need" if take else ""
        return {
            "TableName": self.table,
            "Key": {"hotelId": {"S": change.hotelId}, "night": {"S": night.isoformat()}},
            "UpdateExpression": update,
            "ExpressionAttributeValues": values(**named),
        } | ({"ConditionExpression": condition} if condition else {})


def _without_table(update: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in update.items() if k != "TableName"}
