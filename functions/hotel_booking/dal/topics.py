"""Notifications: the manager's approval requests on their hotel's SNS topic, the guest's
outcome email through SES, and operations alerts on the operations topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from hotel_booking.errors import NotificationError

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

logger = Logger()


def hotel_topic_arn(prefix: str, hotel_id: str) -> str:
    """Each hotel has its own topic, named ``<stack>-hotel-<hotelId>`` (see dal/subscriptions)."""
    return f"{prefix}{hotel_id}"


class Topics:
    def __init__(
        self,
        sns: SNSClient,
        ses: SESV2Client,
        *,
        hotel_topic_arn_prefix: str,
        ops_topic_arn: str,
        sender_email: str,
    ) -> None:
        self._sns = sns
        self._ses = ses
        self.hotel_topic_arn_prefix = hotel_topic_arn_prefix
        self.ops_topic_arn = ops_topic_arn
        self.sender_email = sender_email

    def to_manager(self, hotel_id: str, booking_id: str, subject: str, body: str) -> str:
        """The hotel's own topic: its manager is its one subscriber (no filter policy)."""
        return self._publish(
            hotel_topic_arn(self.hotel_topic_arn_prefix, hotel_id),
            subject,
            body,
            {"hotelId": hotel_id, "bookingId": booking_id, "kind": "approval-request"},
        )

    def to_guest(self, email: str, booking_id: str, status: str, subject: str, body: str) -> str:
        """One SES email to the guest: nothing to subscribe to or confirm first.

        SES refusing this message for good (``MessageRejected``: in the SES sandbox, a
        recipient that is not verified) must not undo the booking it reports on: it is logged
        as an error and the outcome stands (the guest sees it on the site). Anything else is a
        NotificationError, which the state machine retries."""
        try:
            resp = self._ses.send_email(
                FromEmailAddress=self.sender_email,
                Destination={"ToAddresses": [email]},
                Content={
                    "Simple": {
                        "Subject": {"Data": subject, "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                    }
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "MessageRejected":
                logger.error(
                    "SES refused the guest's email",
                    extra={"bookingId": booking_id, "status": status, "error": str(exc)},
                )
                return ""
            raise NotificationError(f"SES email for booking {booking_id} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise NotificationError(f"SES email for booking {booking_id} failed: {exc}") from exc
        return str(resp["MessageId"])

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
