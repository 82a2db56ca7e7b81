"""Email subscriptions on the notification topics, one per person, narrowed by a filter policy.

SNS keeps a single subscription per topic, protocol and endpoint, so a person who should hear
about several things has one subscription whose filter policy lists all of them. The topics'
messages carry the attribute each policy filters on (see ``dal/topics.py``):

- manager topic, attribute ``hotelId``: a manager of two hotels has
  ``{"hotelId": ["h1", "h2"]}``;
- guest topic, attribute ``email``: a guest has ``{"email": ["guest@example.com"]}``.
"""

from __future__ import annotations

import json
from typing import Any


class EmailSubscriptions:
    PROTOCOL = "email"

    def __init__(self, client: Any, topic_arn: str, attribute: str) -> None:
        self._sns = client
        self.topic_arn = topic_arn
        self.attribute = attribute

    def add(self, email: str, value: str) -> str:
        """Make ``email`` hear about messages whose attribute is ``value``; returns the
        subscription ARN. Nothing changes when it hears about them already."""
        arn = self._find(email)
        if arn is None:
            resp = self._sns.subscribe(
                TopicArn=self.topic_arn,
                Protocol=self.PROTOCOL,
                Endpoint=email,
                Attributes={"FilterPolicy": json.dumps({self.attribute: [value]})},
                ReturnSubscriptionArn=True,
            )
            return str(resp["SubscriptionArn"])
        values = self._values(arn)
        if values is not None and value not in values:
            self._set_values(arn, [*values, value])
        return arn

    def remove(self, email: str, value: str) -> None:
        """Stop ``email`` hearing about ``value``; unsubscribe when nothing is left."""
        arn = self._find(email)
        if arn is None:
            return
        values = self._values(arn)
        if values is None or value not in values:
            return  # not ours to change (no filter policy: someone subscribed it to everything)
        rest = [v for v in values if v != value]
        if rest:
            self._set_values(arn, rest)
        else:
            self._sns.unsubscribe(SubscriptionArn=arn)

    # -- internals ------------------------------------------------------------------------
    def _find(self, email: str) -> str | None:
        wanted = email.casefold()
        for page in self._sns.get_paginator("list_subscriptions_by_topic").paginate(
            TopicArn=self.topic_arn
        ):
            for sub in page.get("Subscriptions", []):
                if sub.get("Protocol") != self.PROTOCOL:
                    continue
                if str(sub.get("Endpoint", "")).casefold() != wanted:
                    continue
                arn = str(sub.get("SubscriptionArn", ""))
                if arn.startswith("arn:"):
                    return arn
                # Not confirmed yet: the listing hides the ARN; subscribing again (no
                # attributes) hands back the existing subscription's ARN.
                resp = self._sns.subscribe(
                    TopicArn=self.topic_arn,
                    Protocol=self.PROTOCOL,
                    Endpoint=str(sub["Endpoint"]),
                    ReturnSubscriptionArn=True,
                )
                return str(resp["SubscriptionArn"])
        return None

    def _values(self, arn: str) -> list[str] | None:
        """The values in the filter policy; None when there is no policy (hears everything)."""
        values = self._policy(arn).get(self.attribute)
        return [str(v) for v in values] if isinstance(values, list) else None

    def _policy(self, arn: str) -> dict[str, Any]:
        attributes = self._sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        policy = json.loads(attributes.get("FilterPolicy") or "{}")
        return policy if isinstance(policy, dict) else {}

    def _set_values(self, arn: str, values: list[str]) -> None:
        """Change only this attribute's list in the policy (other keys someone added stay)."""
        policy = {**self._policy(arn), self.attribute: values}
        self._sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
        )


def manager_subscriptions(client: Any, manager_topic_arn: str) -> EmailSubscriptions:
    """Managers hear about the hotels they manage."""
    return EmailSubscriptions(client, manager_topic_arn, "hotelId")


def guest_subscriptions(client: Any, guest_topic_arn: str) -> EmailSubscriptions:
    """Guests hear about their own bookings (the outcome messages carry their email)."""
    return EmailSubscriptions(client, guest_topic_arn, "email")
