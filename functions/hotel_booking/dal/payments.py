"""The payments table: one payment per booking, refunded at most once."""

from __future__ import annotations

from hotel_booking.dal.items import Table, to_item, values
from hotel_booking.models import Payment, PaymentStatus


class PaymentsTable(Table):
    def get(self, booking_id: str) -> Payment | None:
        item = self._get(bookingId=booking_id)
        return Payment.model_validate(item) if item else None

    def put(self, payment: Payment) -> Payment:
        """Store a new payment; if one exists for the booking, keep and return that one."""
        if self._write_if(
            "put_item", Item=to_item(payment), ConditionExpression="attribute_not_exists(bookingId)"
        ):
            return payment
        existing = self.get(payment.bookingId)
        assert existing is not None
        return existing

    def mark_refunded(self, booking_id: str) -> bool:
        return self._write_if(
            "update_item",
            Key={"bookingId": {"S": booking_id}},
            UpdateExpression="SET #s = :refunded, refundedAt = :at",
            ConditionExpression="#s = :recorded",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(
                refunded=PaymentStatus.REFUNDED, recorded=PaymentStatus.RECORDED, at=self._clock()
            ),
        )
