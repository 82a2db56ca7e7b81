"""SNS publishing: one method per audience, message attributes for subscription filters."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hotel_booking.errors import NotificationError


class Topics:
    def __init__(
        self, client: Any, *, manager_topic_arn: str, guest_topic_arn: str, ops_topic_arn: str
    ) -> None:
        self._sns = client
        self.manager_topic_arn = manager_topic_arn
        self.guest_topic_arn = guest_topic_arn
        self.ops_topic_arn = ops_topic_arn

    def to_manager(self, hotel_id: str, booking_id: str, subject: str, body: str) -> str:
        """Filtered per hotel (attribute ``hotelId``), so each manager hears only their hotels."""
        return self._publish(
            self.manager_topic_arn,
            subject,
            body,
            {"hotelId": hotel_id, "bookingId": booking_id, "kind": "approval-request"},
        )

    def to_guest(self, email: str, booking_id: str, status: str, subject: str, body: str) -> str:
        """Filtered per recipient (attribute ``email``)."""
        return self._publish(
            self.guest_topic_arn,
            subject,
            body,
            {"email": email, "bookingId": booking_id, "status": status, "kind": "booking-outcome"},
        )

    def to_operations(self, booking_id: str, subject: str, body: str) -> str:
        return self._publish(
            self.ops_topic_arn,
            subject,
            body,
            {"bookingId": booking_id, "kind": "alert", "severity": "high"},
        )

    def _publish(self, topic: str, subject: str, body: str, attributes: dict[str, str]) -> str:
        try:
            resp = self._sns.publish(
                TopicArn=topic,
                Subject=subject,  # made sendable by logic.messages.safe_subject
                Message=body,
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise NotificationError(f"SNS publish to {topic} failed: {exc}") from exc
        return str(resp["MessageId"])
