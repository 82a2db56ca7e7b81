"""What the console and the CLI show of executions: a list row, a page, one run in full, the
states it visited and its history events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from support_console.formatting import iso, rounded


# ---------------------------------------------------------------------------------- list
@dataclass
class ExecutionSummary:
    """One row of the list: the execution, joined with its booking record (if any)."""

    booking_id: str
    execution_arn: str
    status: str
    start: dt.datetime
    stop: dt.datetime | None
    hotel_id: str | None = None
    hotel_name: str | None = None
    booking_status: str | None = None
    reason: str | None = None
    #: How it ended: the error of a failed one (its Fail state), the Succeed state of one
    #: that succeeded; None while it runs.
    outcome: str | None = None
    #: Why support should look at it: "failed", "alerted" (operations were emailed), "stuck",
    #: "timed out", "aborted"; None when nothing is wrong.
    attention: str | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from start to stop; for a running execution, until now."""
        end = self.stop or (dt.datetime.now(dt.UTC) if self.status == "RUNNING" else None)
        return None if end is None else max(0.0, (end - self.start).total_seconds())

    def to_json(self) -> dict[str, Any]:
        data = {
            "bookingId": self.booking_id,
            "executionArn": self.execution_arn,
            "status": self.status,
            "startDate": iso(self.start),
            "stopDate": iso(self.stop),
            "durationSeconds": rounded(self.duration),
            "hotelId": self.hotel_id,
            "hotelName": self.hotel_name,
            "outcome": self.outcome,
            "attention": self.attention,
        }
        if self.booking_status is not None:  # read with the whole record (one execution)
            data |= {"bookingStatus": self.booking_status, "reason": self.reason}
        return data


@dataclass
class ExecutionPage:
    executions: list[ExecutionSummary]
    next_token: str | None
    timings: dict[str, float] = field(default_factory=dict)  # ms: list, join

    def to_json(self) -> dict[str, Any]:
        return {
            "executions": [e.to_json() for e in self.executions],
            "count": len(self.executions),
            "nextToken": self.next_token,
        }


# ------------------------------------------------------------------------------- one run
@dataclass
class StateVisit:
    """One state entered by the execution, with what happened inside it."""

    name: str
    type: str
    entered: dt.datetime
    exited: dt.datetime | None = None
    attempts: int = 0
    errors: list[tuple[str, str | None]] = field(default_factory=list)
    outcome: str = "running"  # succeeded | failed | running | waiting | ended
    error: str | None = None
    cause: str | None = None

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "entered": iso(self.entered),
            "exited": iso(self.exited),
            "attempts": self.attempts,
            "outcome": self.outcome,
            "error": self.error,
            "cause": self.cause,
        }


@dataclass
class HistoryEvent:
    """One event of the history, with the state it belongs to and its payloads."""

    id: int
    timestamp: dt.datetime
    elapsed_ms: float
    type: str
    state: str | None
    summary: str
    details: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "timestamp": iso(self.timestamp),
            "elapsedMs": round(self.elapsed_ms, 1),
            "type": self.type,
            "state": self.state,
            "summary": self.summary,
            "details": self.details,
        }


@dataclass
class Path:
    """The states an execution went through, read from its history."""

    visits: list[StateVisit]
    events: list[HistoryEvent]
    failed_state: str | None  # where the error happened (e.g. RecordPayment)
    end_state: str | None  # the Succeed/Fail state it finished in (e.g. PaymentDeclined)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.visits]

    @property
    def transitions(self) -> set[tuple[str, str]]:
        return {(a.name, b.name) for a, b in zip(self.visits, self.visits[1:], strict=False)}


@dataclass
class ExecutionDetail:
    summary: ExecutionSummary
    definition: dict[str, Any]
    path: Path
    booking: dict[str, Any] | None
    input: str | None
    output: str | None
    error: str | None
    cause: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary.to_json(),
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "path": [v.to_json() for v in self.path.visits],
            "failedState": self.path.failed_state,
            "endState": self.path.end_state,
            "booking": self.booking,
            "events": [e.to_json() for e in self.path.events],
            "definition": self.definition,
        }
