"""dal/topics.py against fake clients: where each audience's message goes (issue 9 item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from hotel_booking.dal.subscriptions import HotelTopics
from hotel_booking.dal.topics import Topics
from hotel_booking.errors import NotificationError

PREFIX = "arn:aws:sns:eu-west-2:123456789012:stack-hotel-"


class FakeSns:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> dict[str, str]:
        self.published.append(kwargs)
        return {"MessageId": "m-1"}


class FakeSes:
    def __init__(self, error: str | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.error = error

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "no"}}, "SendEmail")
        self.sent.append(kwargs)
        return {"MessageId": "e-1"}


def topics(sns: FakeSns, ses: FakeSes) -> Topics:
    return Topics(
        sns,
        ses,
        hotel_topic_arn_prefix=PREFIX,
        ops_topic_arn="arn:ops",
        sender_email="bookings@example.com",
    )


def test_the_manager_is_told_on_the_hotels_own_topic_without_filter_attributes_needed() -> None:
    sns = FakeSns()
    topics(sns, FakeSes()).to_manager("ht_1", "bk_1", "Approval needed", "body")
    (sent,) = sns.published
    assert sent["TopicArn"] == PREFIX + "ht_1"


def test_the_guest_is_emailed_by_ses_from_the_sender_identity() -> None:
    ses = FakeSes()
    assert topics(FakeSns(), ses).to_guest("g@example.com", "bk_1", "CONFIRMED", "S", "B") == "e-1"
    (sent,) = ses.sent
    assert sent["FromEmailAddress"] == "bookings@example.com"
    assert sent["Destination"] == {"ToAddresses": ["g@example.com"]}
    assert sent["Content"]["Simple"]["Subject"]["Data"] == "S"
    assert sent["Content"]["Simple"]["Body"]["Text"]["Data"] == "B"


def test_an_email_ses_refuses_for_good_does_not_fail_the_step() -> None:
    # In the SES sandbox an unverified recipient is MessageRejected: the booking's outcome
    # must stand (a confirmed stay is not refunded for want of an email).
    assert topics(FakeSns(), FakeSes("MessageRejected")).to_guest("g@x", "bk", "C", "S", "B") == ""


def test_other_ses_errors_are_retried_by_the_state_machine() -> None:
    with pytest.raises(NotificationError):
        topics(FakeSns(), FakeSes("TooManyRequestsException")).to_guest("g@x", "bk", "C", "S", "B")


# -- each hotel's topic and its manager (dal/subscriptions.py) --------------------------------
class FakeTopicSns:
    """SNS as HotelTopics sees it: listings hide a pending subscription's ARN."""

    class exceptions:
        class NotFoundException(Exception):
            pass

    def __init__(self) -> None:
        self.topics: dict[str, list[dict[str, str]]] = {}
        self.unsubscribed: list[str] = []

    def create_topic(self, Name: str) -> dict[str, str]:
        arn = PREFIX.rsplit(":", 1)[0] + ":" + Name
        self.topics.setdefault(arn, [])
        return {"TopicArn": arn}

    def subscribe(self, TopicArn: str, Protocol: str, Endpoint: str, **_: Any) -> dict[str, str]:
        subs = self.topics[TopicArn]
        for sub in subs:
            if sub["Endpoint"] == Endpoint:
                return {"SubscriptionArn": sub["arn"]}
        arn = f"{TopicArn}:{len(subs)}"
        subs.append({"Endpoint": Endpoint, "Protocol": Protocol, "arn": arn, "confirmed": ""})
        return {"SubscriptionArn": arn}

    def confirm(self, topic: str, email: str) -> None:
        for sub in self.topics[topic]:
            if sub["Endpoint"] == email:
                sub["confirmed"] = "yes"

    def get_paginator(self, name: str) -> Any:
        assert name == "list_subscriptions_by_topic"
        fake = self

        class Pages:
            def paginate(self, TopicArn: str) -> list[dict[str, Any]]:
                if TopicArn not in fake.topics:
                    raise fake.exceptions.NotFoundException(TopicArn)
                listed = [
                    {
                        "Endpoint": s["Endpoint"],
                        "Protocol": s["Protocol"],
                        "SubscriptionArn": s["arn"] if s["confirmed"] else "PendingConfirmation",
                    }
                    for s in fake.topics[TopicArn]
                ]
                return [{"Subscriptions": listed}]

        return Pages()

    def unsubscribe(self, SubscriptionArn: str) -> None:
        self.unsubscribed.append(SubscriptionArn)
        for subs in self.topics.values():
            subs[:] = [s for s in subs if s["arn"] != SubscriptionArn]

    def delete_topic(self, TopicArn: str) -> None:
        self.topics.pop(TopicArn, None)


def test_a_hotels_manager_is_pending_then_confirmed_and_the_topic_goes_with_the_hotel() -> None:
    sns = FakeTopicSns()
    managers = HotelTopics(sns, PREFIX)
    managers.add("m@example.com", "ht_1")
    assert list(sns.topics) == [PREFIX + "ht_1"]  # the hotel's own topic, named by its id
    assert managers.status("M@example.com", "ht_1") == "PendingConfirmation"
    sns.confirm(PREFIX + "ht_1", "m@example.com")
    assert managers.status("m@example.com", "ht_1") == "Confirmed"
    assert managers.status("other@example.com", "ht_1") == "NotSubscribed"
    managers.close("ht_1")
    assert sns.topics == {}
    assert managers.status("m@example.com", "ht_1") == "NotSubscribed"


def test_a_replaced_manager_is_unsubscribed_even_before_confirming() -> None:
    # A pending subscription left behind could still be confirmed from the old address.
    sns = FakeTopicSns()
    managers = HotelTopics(sns, PREFIX)
    arn = managers.add("old@example.com", "ht_2")
    managers.add("new@example.com", "ht_2")
    managers.remove("old@example.com", "ht_2")
    assert sns.unsubscribed == [arn]
    assert [s["Endpoint"] for s in sns.topics[PREFIX + "ht_2"]] == ["new@example.com"]
