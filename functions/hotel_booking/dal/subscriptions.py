"""One SNS topic per hotel, its manager's email its one subscriber, with no filter policy.

A topic per hotel keeps clear of SNS's quota of 200 filter policies per topic (a shared topic
filtered per hotel stops at 200 hotels), and deleting the hotel deletes its topic and with it
every subscription. An email subscription stays ``PendingConfirmation`` until the manager
follows the link in SNS's confirmation email; nothing is delivered before, so the admin page
shows the state (``status``) and the manager dashboard is the fallback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from hotel_booking.dal.topics import hotel_topic_arn

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import SubscriptionTypeDef

SubscriptionState = Literal["Confirmed", "PendingConfirmation", "NotSubscribed"]


class HotelTopics:
    PROTOCOL = "email"

    def __init__(self, client: SNSClient, hotel_topic_arn_prefix: str) -> None:
        self._sns = client
        self.prefix = hotel_topic_arn_prefix

    def topic_arn(self, hotel_id: str) -> str:
        return hotel_topic_arn(self.prefix, hotel_id)

    def add(self, email: str, hotel_id: str) -> str:
        """Create the hotel's topic (CreateTopic is idempotent by name) and subscribe ``email``;
        returns the subscription ARN (SNS sends the confirmation email)."""
        name = self.topic_arn(hotel_id).rsplit(":", 1)[1]
        arn = str(self._sns.create_topic(Name=name)["TopicArn"])
        resp = self._sns.subscribe(
            TopicArn=arn, Protocol=self.PROTOCOL, Endpoint=email, ReturnSubscriptionArn=True
        )
        return str(resp["SubscriptionArn"])

    def remove(self, email: str, hotel_id: str) -> None:
        """Stop ``email`` hearing about the hotel (a manager replaced), confirmed or not: a
        pending subscription left behind could still be confirmed from the old email."""
        for sub in self._subscriptions(hotel_id, email):
            arn = str(sub.get("SubscriptionArn", ""))
            if not arn.startswith("arn:"):
                # Pending: the listing hides the ARN; subscribing again hands it back.
                arn = str(
                    self._sns.subscribe(
                        TopicArn=self.topic_arn(hotel_id),
                        Protocol=self.PROTOCOL,
                        Endpoint=str(sub["Endpoint"]),
                        ReturnSubscriptionArn=True,
                    )["SubscriptionArn"]
                )
            self._sns.unsubscribe(SubscriptionArn=arn)

    def close(self, hotel_id: str) -> None:
        """Delete the hotel's topic, and so its subscriptions (no-op when it is gone)."""
        self._sns.delete_topic(TopicArn=self.topic_arn(hotel_id))

    def status(self, email: str, hotel_id: str) -> SubscriptionState:
        subs = self._subscriptions(hotel_id, email)
        if not subs:
            return "NotSubscribed"
        if any(str(s.get("SubscriptionArn", "")).startswith("arn:") for s in subs):
            return "Confirmed"
        return "PendingConfirmation"

    def _subscriptions(self, hotel_id: str, email: str) -> list[SubscriptionTypeDef]:
        wanted = email.casefold()
        try:
            pages = self._sns.get_paginator("list_subscriptions_by_topic").paginate(
                TopicArn=self.topic_arn(hotel_id)
            )
            return [
                sub
                for page in pages
                for sub in page.get("Subscriptions", [])
                if sub.get("Protocol") == self.PROTOCOL
                and str(sub.get("Endpoint", "")).casefold() == wanted
            ]
        except self._sns.exceptions.NotFoundException:
            return []
