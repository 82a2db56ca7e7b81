"""The stack's CloudWatch alarms as support staff need them: which are firing, why, and the
runbook section each names (docs/operations.md#alarms).

    python -m support_console alarms [--stack-name S] [--aws] [--state ALARM] [--json]

They come from ``DescribeAlarms`` (metric and composite alarms). The local console's page
reads the local stack's alarm evaluator instead: moto 5.2.5 keeps no composite alarms, so
locally this command lists the metric alarms only (with the states the evaluator set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from support_console.cli import _common, clients, unreadable

LOCAL_STACK = "hotel-booking"  # the stack `make run` deploys
STATES = ("ALARM", "INSUFFICIENT_DATA", "OK")

_RUNBOOK = re.compile(r"docs/operations\.md#([a-z0-9-]+)")
#: Firing first, then no data, then fine.
_ORDER = {"ALARM": 0, "INSUFFICIENT_DATA": 1, "OK": 2}


@dataclass(frozen=True)
class AlarmRow:
    name: str
    state: str  # ALARM, OK or INSUFFICIENT_DATA
    reason: str
    description: str
    composite: bool
    updated: str  # ISO 8601, UTC; "" before the first evaluation

    @property
    def runbook(self) -> str | None:
        """The runbook section the description names (its anchor), if any."""
        match = _RUNBOOK.search(self.description)
        return match.group(1) if match else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "runbook": self.runbook}


def sorted_rows(rows: Iterable[AlarmRow]) -> list[AlarmRow]:
    return sorted(rows, key=lambda r: (_ORDER.get(r.state, 3), r.name))


def from_describe(cloudwatch: Any, prefix: str | None = None) -> list[AlarmRow]:
    """Every alarm ``DescribeAlarms`` lists (whose name starts with ``prefix``)."""
    rows = []
    args: dict[str, Any] = {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
    if prefix:
        args["AlarmNamePrefix"] = prefix
    for page in cloudwatch.get_paginator("describe_alarms").paginate(**args):
        for kind, composite in (("MetricAlarms", False), ("CompositeAlarms", True)):
            for a in page.get(kind, []):
                updated = a.get("StateUpdatedTimestamp")
                rows.append(
                    AlarmRow(
                        a["AlarmName"],
                        a.get("StateValue", "INSUFFICIENT_DATA"),
                        a.get("StateReason", ""),
                        a.get("AlarmDescription", ""),
                        composite,
                        updated.astimezone(dt.UTC).isoformat() if updated else "",
                    )
                )
    return sorted_rows(rows)


def render(rows: list[AlarmRow]) -> str:
    width = max([len(r.name) for r in rows] + [5])
    lines = [f"{'ALARM':{width}} {'STATE':17} {'SINCE':20} RUNBOOK"]
    lines.append(f"{'-' * width} {'-' * 17} {'-' * 20} {'-' * 30}")
    for r in rows:
        name = f"{r.name}{' (composite)' if r.composite else ''}"
        runbook = f"docs/operations.md#{r.runbook}" if r.runbook else ""
        lines.append(f"{name:{width}} {r.state:17} {r.updated[:19]:20} {runbook}")
        if r.state == "ALARM":
            lines.append(f"{'':{width}}   {r.reason}")
    firing = sum(r.state == "ALARM" for r in rows)
    lines.append(f"{firing} of {len(rows)} alarms in ALARM")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_console alarms",
        description="The stack's CloudWatch alarms, firing first, with the runbook section "
        "each names (locally: metric alarms only, moto keeps no composites).",
        parents=[_common()],
    )
    parser.add_argument("--state", choices=STATES, help="only alarms in this state")
    args = parser.parse_args(argv)
    try:
        client, _ = clients(args)
        rows = from_describe(client("cloudwatch"), f"{args.stack_name or LOCAL_STACK}-")
    except (LookupError, BotoCoreError, ClientError) as exc:
        return unreadable(args, exc)
    rows = [r for r in rows if args.state in (None, r.state)]
    if args.json:
        print(json.dumps({"alarms": [r.to_json() for r in rows]}, indent=1))
    else:
        print(render(rows))
    return 0
