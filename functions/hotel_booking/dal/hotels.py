"""The hotels table. A Scan is fine for search: a hotel chain has hundreds, not millions."""

from __future__ import annotations

from hotel_booking.dal.items import Table, to_item
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
        """Overwrite an existing hotel; False when it was deleted meanwhile."""
        return self._write_if(
            "put_item", Item=to_item(hotel), ConditionExpression="attribute_exists(hotelId)"
        )

    def set_manager_sub(self, hotel_id: str, manager_email: str, manager_sub: str) -> bool:
        """Name the manager of a hotel stored before managers were users; False when the
        hotel changed meanwhile (gone, a manager already named, another email)."""
        return self._write_if(
            "update_item",
            Key={"hotelId": {"S": hotel_id}},
            UpdateExpression="SET managerSub = :sub",
            ConditionExpression=(
                "attribute_exists(hotelId) AND attribute_not_exists(managerSub) "
                "AND managerEmail = :email"
            ),
            ExpressionAttributeValues={":sub": {"S": manager_sub}, ":email": {"S": manager_email}},
        )

    def delete(self, hotel_id: str) -> bool:
        """False when there was nothing to delete."""
        return self._write_if(
            "delete_item",
            Key={"hotelId": {"S": hotel_id}},
            ConditionExpression="attribute_exists(hotelId)",
        )
