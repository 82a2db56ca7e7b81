"""The local SNS refuses what SNS refuses (localaws/aws/sns.py), so a bad subject fails locally
as it would on AWS instead of being delivered."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from localaws.cloud import LocalCloud


@pytest.fixture
def topic(cloud: LocalCloud) -> str:
    arn = cloud.client("sns").create_topic(Name=f"rules-{uuid.uuid4().hex[:8]}")["TopicArn"]
    yield arn
    cloud.client("sns").delete_topic(TopicArn=arn)


@pytest.mark.parametrize(
    "subject",
    ["Ann\nSmith", "Grand\r\nHotel", "tab\there", "nul\x00", "x" * 100, "   "],
    ids=["LF", "CRLF", "tab", "NUL", "100 chars", "blank"],
)
def test_publish_refuses_a_subject_sns_refuses(cloud: LocalCloud, topic: str, subject: str) -> None:
    with pytest.raises(ClientError) as caught:
        cloud.client("sns").publish(TopicArn=topic, Subject=subject, Message="m")
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"
    assert "Subject" in caught.value.response["Error"]["Message"]
    assert cloud.sns_messages(topic) == []


def test_publish_accepts_99_characters_and_unicode(cloud: LocalCloud, topic: str) -> None:
    sns = cloud.client("sns")
    sns.publish(TopicArn=topic, Subject="é" * 99, Message="m")
    assert [m["Subject"] for m in cloud.sns_messages(topic)] == ["é" * 99]


def test_a_topic_takes_at_most_200_filter_policies(cloud: LocalCloud, topic: str) -> None:
    # Given 200 subscriptions with a filter policy each (SNS's default quota per topic)
    sns = cloud.client("sns")
    queue = f"arn:aws:sqs:{cloud.region}:123456789012:q"

    def subscribe(n: int, policy: bool = True) -> dict:
        return sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=f"{queue}{n}",
            Attributes={"FilterPolicy": json.dumps({"hotelId": [f"h{n}"]})} if policy else {},
        )

    for n in range(200):
        subscribe(n)

    # Then the 201st is refused, as SNS refuses it; one without a policy is fine
    with pytest.raises(ClientError) as caught:
        subscribe(200)
    assert caught.value.response["Error"]["Code"] == "FilterPolicyLimitExceeded"
    subscribe(201, policy=False)
