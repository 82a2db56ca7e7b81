"""A stack of its own for the event tests, and a tap on its bus (a rule -> a test queue)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from localaws.cloud import LocalCloud
from tests.conftest import TEMPLATE
from tests.fixtures.api_client import ApiClient


class BusTap:
    """Every event the stack's bus carries from now on, as consumers receive it."""

    def __init__(self, cloud: LocalCloud, bus: str, name: str) -> None:
        self.cloud = cloud
        self.sqs = cloud.client("sqs")
        events = cloud.client("events")
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events.put_rule(
            Name=name,
            EventBusName=bus,
            EventPattern=json.dumps({"source": [{"prefix": "hotel-booking."}]}),
        )
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])

    def drain(self) -> list[dict[str, Any]]:
        """What arrived since the last drain (after every change made so far was published)."""
        self.cloud.events.wait_quiet()
        got: list[dict[str, Any]] = []
        while True:
            resp = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            messages = resp.get("Messages", [])
            if not messages:
                return got
            for message in messages:
                got.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(scope="session")
def events_api(cloud: LocalCloud) -> ApiClient:
    stack = cloud.deploy(TEMPLATE, stack_name="events", parameters={"AllowedOrigin": "*"})
    return ApiClient(cloud, stack)


@pytest.fixture
def tap(events_api: ApiClient, request: pytest.FixtureRequest) -> Iterator[BusTap]:
    name = f"tap-{abs(hash(request.node.nodeid)) % 10**8}"
    tap = BusTap(events_api.cloud, events_api.stack.outputs["EventBusName"], name)
    tap.drain()
    yield tap
