"""The stack's CloudWatch alarms as support staff need them: which are firing, why, and the
runbook section each names (docs/operations.md#alarms).

On AWS they come from ``DescribeAlarms`` (metric and composite alarms); on the local stack
from its alarm evaluator, which moto's CloudWatch does not replace (it keeps no composites).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

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
