"""The hotels table (the write model). Public search reads the search projection instead
(``hotel_booking.search``); a Scan here serves the admin pages and rebuilding that projection.

Every write carries the hotel's ``version``: created at 1, each change exactly one more,
under a condition on the version that was read, so two concurrent changes cannot both commit
(and the events published from the table's stream never share a version)."""

from __future__ import annotations

from hotel_booking.dal.items import Table, to_item, values
from hotel_booking.models import Hotel


class HotelsTable(Table):
    def get(self, hotel_id: str) -> Hotel | None:
        item = self._get(hotelId=hotel_id)
        return Hotel.model_validate(item) if item else None

    def all(self) -> list[Hotel]:
        return [Hotel.model_validate(item) for item in self._pages("scan")]

    def create(self, hotel: Hotel) -> None:
        self._write(
            "put_item", Item=to_item(hotel), ConditionExpression="attribute_not_exists(hotelId)"
        )

    def replace(self, hotel: Hotel) -> bool:
        """Overwrite the hotel as it was read (``hotel.version``) with ``hotel`` at the next
        version; False when it was deleted or changed meanwhile."""
        condition = "attribute_exists(hotelId) AND version = :read"
        if hotel.version == 1:  # also a record written before versions existed
            condition = (
                "attribute_exists(hotelId) AND (attribute_not_exists(version) OR version = :read)"
            )
        return self._write_if(
            "put_item",
            Item=to_item(hotel.model_copy(update={"version": hotel.version + 1})),
            ConditionExpression=condition,
            ExpressionAttributeValues=values(read=hotel.version),
        )

    def set_manager_sub(self, hotel_id: str, manager_email: str, manager_sub: str) -> bool:
        """Name the manager of a hotel stored before managers were users; False when the
        hotel changed meanwhile (gone, a manager already named, another email). It is a
        change like any other: the next version, so an Admin's concurrent replace of the
        version read before it fails instead of dropping the manager."""
        return self._write_if(
            "update_item",
            Key={"hotelId": {"S": hotel_id}},
            UpdateExpression="SET managerSub = :sub, version = if_not_exists(version, :one) + :one",
            ConditionExpression=(
                "attribute_exists(hotelId) AND attribute_not_exists(managerSub) "
                "AND managerEmail = :email"
            ),
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
