"""The events page (/console/events, its JSON, `python -m support_console events`): events put on
the stack's bus, newest first with their ids, and a consumer queue on the bus with its DLQ's
depth. The consumer is this test's own rule and queues, so the page must find it by itself."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from devstack.run import LocalStack
from support_console.__main__ import run
from tests.e2e.browser.conftest import DESKTOP
from tests.support_console.test_browser import in_chromium, shot


@dataclass(frozen=True)
class Consumer:
    rule: str
    queue: str
    dlq: str
    source: str
    event_ids: list[str]  # in the order they were put
    hotel_ids: list[str]


@pytest.fixture(scope="module")
def consumer(local_stack: LocalStack) -> Iterator[Consumer]:
    """A rule on the stack's bus → a queue whose redrive policy names a DLQ (one receive);
    three events put, then one message received twice so that it lands in the DLQ."""
    assert local_stack.stack is not None
    bus = local_stack.stack.outputs["EventBusName"]
    events, sqs = local_stack.cloud.client("events"), local_stack.cloud.client("sqs")
    tag = uuid.uuid4().hex[:8]
    source = f"test.busview.{tag}"
    dlq_url = sqs.create_queue(QueueName=f"busview-{tag}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName=f"busview-{tag}", Attributes={"RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = f"busview-{tag}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])

    hotel_ids, event_ids = [], []
    for version in (1, 2, 3):
        hotel_id = str(uuid.uuid4())
        detail = {"hotelId": hotel_id, "version": version, "name": "<b>Grand</b>"}
        (entry,) = events.put_events(
            Entries=[
                {
                    "EventBusName": bus,
                    "Source": source,
                    "DetailType": "HotelCreated" if version == 1 else "HotelUpdated",
                    "Detail": json.dumps(detail),
                }
            ]
        )["Entries"]
        hotel_ids.append(hotel_id)
        event_ids.append(entry["EventId"])
    # a consumer that fails: received once and not deleted, the next receive moves it aside
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)
    yield Consumer(rule, f"busview-{tag}", f"busview-{tag}-dlq", source, event_ids, hotel_ids)
    events.remove_targets(Rule=rule, EventBusName=bus, Ids=["queue"])
    events.delete_rule(Name=rule, EventBusName=bus)


def _api(stack: LocalStack) -> dict[str, Any]:
    resp = requests.get(f"{stack.web_url}/console/api/events", timeout=30)
    assert resp.status_code == 200
    return dict(resp.json())


def test_json_lists_the_events_newest_first_with_their_ids(
    local_stack: LocalStack, consumer: Consumer
) -> None:
    body = _api(local_stack)
    assert local_stack.stack is not None
    assert body["bus"] == local_stack.stack.outputs["EventBusName"]
    mine = [e for e in body["events"] if e["source"] == consumer.source]
    assert [e["event_id"] for e in mine] == consumer.event_ids[::-1]
    assert [e["aggregate_id"] for e in mine] == consumer.hotel_ids[::-1]
    assert [e["detail_type"] for e in mine] == ["HotelUpdated", "HotelUpdated", "HotelCreated"]
    assert [e["version"] for e in mine] == [3, 2, 1]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", e["time"]) for e in mine)


def test_json_finds_the_consumer_queue_and_its_dlq_depth(
    local_stack: LocalStack, consumer: Consumer
) -> None:
    (found,) = [c for c in _api(local_stack)["consumers"] if c["rule"] == consumer.rule]
    assert found["queue"] == consumer.queue
    assert found["dlq"] == consumer.dlq
    # three delivered: one moved to the DLQ, one in flight, one waiting
    assert found["depth"] == {"visible": 1, "in_flight": 1, "delayed": 0}
    assert found["dlq_depth"]["visible"] == 1
    assert found["dlqMessages"] == 1


def test_page_shows_events_and_highlights_the_non_empty_dlq(
    local_stack: LocalStack, consumer: Consumer
) -> None:
    resp = requests.get(f"{local_stack.web_url}/console/events", timeout=30)
    assert resp.status_code == 200
    page = resp.text
    row = re.search(rf'<tr data-queue="{consumer.queue}" class="dlq-full">(.*?)</tr>', page, re.S)
    assert row is not None
    assert consumer.dlq in row.group(1)
    positions = [page.index(f'data-event-id="{i}"') for i in consumer.event_ids]
    assert positions == sorted(positions, reverse=True)  # newest first
    assert all(h in page for h in consumer.hotel_ids)
    assert "<script" not in page and "style=" not in page
    listing = requests.get(f"{local_stack.web_url}/console/", timeout=30).text
    assert 'href="/console/events"' in listing


def test_cli_prints_the_same(
    local_stack: LocalStack, consumer: Consumer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "events",
        "--endpoint",
        local_stack.aws_url,
        "--console",
        f"{local_stack.web_url}/console",
    ]
    assert run(args) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith(consumer.rule + " "))
    assert re.split(r"\s{2,}", line.strip()) == [
        consumer.rule,
        consumer.queue,
        "1",
        "1",
        consumer.dlq,
        "1",
        "DLQ NOT EMPTY",
    ]
    for event_id, hotel_id in zip(consumer.event_ids, consumer.hotel_ids, strict=True):
        assert any(event_id in line and hotel_id in line for line in out.splitlines())
    assert out.index(consumer.event_ids[2]) < out.index(consumer.event_ids[0])

    assert run([*args, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body == {**_api(local_stack), "bus": body["bus"]}


def test_events_page_in_chromium(local_stack: LocalStack, consumer: Consumer) -> None:
    def steps(page: Any) -> None:
        from playwright.sync_api import expect

        page.goto(f"{local_stack.web_url}/console/")
        page.get_by_role("link", name="Events on the bus").click()
        expect(page.get_by_role("heading", name="Events on the bus")).to_be_visible()
        expect(page.locator(f'tr[data-queue="{consumer.queue}"]')).to_have_class("dlq-full")
        first = page.locator("#events tbody tr", has_text=consumer.source).first
        expect(first).to_contain_text(consumer.event_ids[-1])
        shot(page, "events")

    in_chromium(DESKTOP, steps, "events")


def test_cli_with_only_the_aws_endpoint_names_the_stack_and_mixes_in_no_other_console(
    local_stack: LocalStack,
    consumer: Consumer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only AWS_PORT is known: the console of that stack may be on any port, and the one on
    # `make run`'s default port may be another stack's; its events must not be shown as these.
    monkeypatch.delenv("WEB_PORT", raising=False)
    monkeypatch.setenv("AWS_PORT", local_stack.aws_url.rsplit(":", 1)[1])
    assert run(["events"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(f"(stack at http://localhost:{local_stack.ports.aws})")
    assert "recent events not shown" in out and "--console" in out
    assert not any(event_id in out for event_id in consumer.event_ids)
    assert any(line.startswith(consumer.rule + " ") for line in out.splitlines())
