"""dal/topics.py against fake clients: where each audience's message goes (issue 9 item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

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
