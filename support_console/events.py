"""Events on the stack's bus and the queues that consume them, with their depths.

A consumer is any SQS queue that a rule on the bus targets (found by ListRules and
ListTargetsByRule, so a new projector appears without a change here), with its redrive
policy's dead-letter queue. A non-empty DLQ is what support staff must notice.

Recent events are the local emulator's (it keeps the last 200 put on a custom bus). AWS keeps
no such list to read: there, look in the bus's archive (replay it) or add a rule that targets a
CloudWatch Logs group.

    python -m support_console events [--stack-name S] [--aws] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from support_console.cli import _common, _endpoint, clients, table, unreadable

LOCAL_STACK = "hotel-booking"  # the stack `make run` deploys
BUS_SUFFIX = "-events"  # template.yaml HotelBookingBus: ${AWS::StackName}-events
ON_AWS = (
    "Recent events are kept by the local stack only. On AWS, look in the bus's archive "
    "(EventBridge > Archives: replay into a rule) or add a rule whose target is a CloudWatch "
    "Logs group."
)
_DEPTHS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


@dataclass(frozen=True)
class BusEvent:
    """One event put on the bus, as the console shows it."""

    event_id: str
    source: str
    detail_type: str
    aggregate_id: str | None
    version: Any
    time: str

    @classmethod
    def from_feed(cls, row: dict[str, Any]) -> BusEvent:
        return cls(
            event_id=str(row["eventId"]),
            source=str(row.get("source") or ""),
            detail_type=str(row.get("detailType") or ""),
            aggregate_id=row.get("aggregateId"),
            version=row.get("version"),
            time=str(row.get("time") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Depth:
    visible: int
    in_flight: int
    delayed: int

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


@dataclass(frozen=True)
class Consumer:
    """A queue that a rule on the bus sends to, and its dead-letter queue."""

    rule: str
    queue: str
    depth: Depth
    dlq: str | None
    dlq_depth: Depth | None

    @property
    def dlq_messages(self) -> int:
        return self.dlq_depth.total if self.dlq_depth else 0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "dlqMessages": self.dlq_messages}


@dataclass(frozen=True)
class BusView:
    """What the console's events page reads: consumers always, recent events when known."""

    bus: str
    consumers: Callable[[], list[Consumer]]
    recent: Callable[[], list[BusEvent]] | None = None


def _depth(sqs: Any, url: str) -> Depth:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_DEPTHS))["Attributes"]
    visible, in_flight, delayed = (int(attrs.get(name, 0)) for name in _DEPTHS)
    return Depth(visible, in_flight, delayed)


def _queue_url(sqs: Any, arn: str) -> str:
    _, _, _, _, account, name = arn.split(":", 5)
    return str(sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def consumers(events: Any, sqs: Any, bus: str) -> list[Consumer]:
    """Every SQS queue targeted by a rule on ``bus``, with its DLQ, and their depths."""
    found: list[Consumer] = []
    for page in events.get_paginator("list_rules").paginate(EventBusName=bus):
        for rule in page["Rules"]:
            targets = events.get_paginator("list_targets_by_rule").paginate(
                Rule=rule["Name"], EventBusName=bus
            )
            for target in (t for p in targets for t in p["Targets"]):
                if target["Arn"].split(":")[2] != "sqs":
                    continue
                url = _queue_url(sqs, target["Arn"])
                redrive = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])[
                    "Attributes"
                ].get("RedrivePolicy")
                dlq_arn = json.loads(redrive)["deadLetterTargetArn"] if redrive else None
                dlq_url = _queue_url(sqs, dlq_arn) if dlq_arn else None
                found.append(
                    Consumer(
                        rule=rule["Name"],
                        queue=target["Arn"].rsplit(":", 1)[1],
                        depth=_depth(sqs, url),
                        dlq=dlq_arn.rsplit(":", 1)[1] if dlq_arn else None,
                        dlq_depth=_depth(sqs, dlq_url) if dlq_url else None,
                    )
                )
    return sorted(found, key=lambda c: (c.rule, c.queue))


def find_bus(events: Any, stack_name: str | None) -> str:
    """The stack's bus, ``<stack>-events``; without a stack name, the only such bus or the one
    `make run` deploys."""
    if stack_name:
        return f"{stack_name}{BUS_SUFFIX}"
    names: list[str] = []
    token: dict[str, str] = {}
    while True:  # botocore has no paginator for ListEventBuses
        page = events.list_event_buses(**token)
        names += [b["Name"] for b in page["EventBuses"] if b["Name"].endswith(BUS_SUFFIX)]
        if not page.get("NextToken"):
            break
        token = {"NextToken": page["NextToken"]}
    if len(names) > 1:
        names = [n for n in names if n == f"{LOCAL_STACK}{BUS_SUFFIX}"]
    if len(names) != 1:
        raise LookupError("no single event bus <stack>-events found; pass --stack-name")
    return names[0]


def render(
    bus: str,
    found: list[Consumer],
    recent: list[BusEvent] | None,
    where: str | None = None,
    missing: str = "",
) -> str:
    rows = [
        [
            c.rule,
            c.queue,
            str(c.depth.visible),
            str(c.depth.in_flight),
            c.dlq or "-",
            str(c.dlq_messages) if c.dlq else "-",
            "DLQ NOT EMPTY" if c.dlq_messages else "",
        ]
        for c in found
    ]
    out = [f"Consumers of {bus}" + (f" (stack at {where})" if where else ""), ""]
    out.append(
        table(["RULE", "QUEUE", "VISIBLE", "IN FLIGHT", "DLQ", "DLQ DEPTH", ""], rows, {2, 3, 5})
        if rows
        else "no SQS queue is the target of a rule on this bus"
    )
    out += ["", "Recent events (newest first)", ""]
    if recent is None:
        out.append(missing or ON_AWS)
    elif not recent:
        out.append("no event put on the bus since the stack started")
    else:
        event_rows = [
            [
                e.time,
                e.detail_type,
                e.source,
                e.aggregate_id or "-",
                str(e.version or "-"),
                e.event_id,
            ]
            for e in recent
        ]
        out.append(
            table(["TIME (UTC)", "TYPE", "SOURCE", "AGGREGATE", "VERSION", "EVENT ID"], event_rows)
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_console events",
        description="The queues that consume the stack's bus, with their depths and DLQs; "
        "locally, the events recently put on it too.",
        parents=[_common()],
    )
    parser.add_argument(
        "--console",
        help="the local console, for recent events (default http://localhost:$WEB_PORT/console)",
    )
    args = parser.parse_args(argv)
    try:
        client, _ = clients(args)
        events, sqs = client("events"), client("sqs")
        bus = find_bus(events, args.stack_name)
        found = consumers(events, sqs, bus)
    except (LookupError, BotoCoreError, ClientError) as exc:
        return unreadable(args, exc)
    base, missing = (None, "") if args.aws else _console_of(args)
    recent = _local_recent(base) if base else None
    if args.json:
        print(
            json.dumps(
                {
                    "bus": bus,
                    "consumers": [c.to_json() for c in found],
                    "events": [e.to_json() for e in recent] if recent is not None else None,
                },
                indent=1,
            )
        )
    else:
        print(render(bus, found, recent, None if args.aws else _endpoint(args), missing))
    return 0


def _console_of(args: argparse.Namespace) -> tuple[str | None, str]:
    """The console of the same stack the consumers were read from, or None and why not.

    Given only the AWS endpoint (``AWS_PORT`` or ``--endpoint``), the console's port cannot be
    derived from it: guessing 8080 mixed another stack's events into this one's consumers."""
    if args.console:
        return args.console, ""
    if "WEB_PORT" in os.environ:
        return f"http://localhost:{os.environ['WEB_PORT']}/console", ""
    if args.endpoint or os.environ.get("AWS_PORT", "4566") != "4566":
        return None, (
            f"recent events not shown: the console of the stack at {_endpoint(args)} is not "
            "known; pass --console http://localhost:<WEB_PORT>/console or set WEB_PORT"
        )
    return "http://localhost:8080/console", ""  # `make run`'s defaults, both of them


def _local_recent(base: str) -> list[BusEvent] | None:
    """The local stack's recent events, from its console's JSON: they live in the emulator's
    memory, not behind an AWS API (None when the console cannot be reached)."""
    try:
        with urllib.request.urlopen(f"{base.rstrip('/')}/api/events", timeout=5) as response:
            rows = json.load(response).get("events") or []
    except (OSError, ValueError):
        print(f"note: recent events unavailable: could not read {base}", file=sys.stderr)
        return None
    return [BusEvent(**row) for row in rows]
