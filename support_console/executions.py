"""Read what support staff need about booking executions: shared by the console and the CLI.

Three things, all read-only:

- **list** executions of the booking state machine, newest first (``ListExecutions`` pages of up
  to 1000, never one history per execution), joined with their booking records by a batched
  read of the bookings table (``BatchGetItem``, 100 keys a call);
- **one** execution in full: describe, the state machine definition it ran, the whole event
  history, and the booking record;
- from that history, the **path** of states it took, which state failed and how it ended.

The clients are plain boto3 clients, so the same code reads the local stack or a real account.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from support_console.history import events as history_events
from support_console.history import short_cause

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
MAX_PAGE = 1000  # ListExecutions' largest page
BATCH_GET_KEYS = 100  # BatchGetItem's limit
DEFAULT_STACK = "hotel-booking"  # what `make run` deploys
STATE_MACHINE_SUFFIXES = ("-booking", "BookingStateMachine")
#: The cancellation saga's executions are named ``cancel-<bookingId>`` (hotel_booking.logic.ids).
CANCELLATION_PREFIX = "cancel-"
TABLE_SUFFIX = "BookingsTable"
HOTELS_SUFFIX = "HotelsTable"
# What the list reads of each booking record: only its hotel. On the local stack every
# attribute read costs (moto serialises ~0.25 ms per attribute per item), and 1,000 rows must
# load in under a second; the execution page reads the whole record.
LIST_PROJECTION = "bookingId, hotelId"
FINAL_CACHE_SIZE = 100_000
HOTEL_NAME_TTL = 30.0  # seconds

_FAILURE_EVENTS = {
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
}
_SUCCESS_EVENTS = {"LambdaFunctionSucceeded", "TaskSucceeded"}
_ATTEMPT_EVENTS = {"LambdaFunctionScheduled", "TaskScheduled"}
_EXECUTION_END = {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}

# The order in which the booking record is shown; anything else follows.
BOOKING_FIELDS = (
    "bookingId",
    "status",
    "reason",
    "reasonDetail",
    "amount",
    "currency",
    "hotelName",
    "hotelId",
    "guest",
    "checkIn",
    "checkOut",
    "rooms",
    "reservation",
    "createdAt",
    "updatedAt",
    "executionArn",
    "steps",
)


class NotFound(LookupError):
    """No such execution."""


# ------------------------------------------------------------------------------ resources
@dataclass(frozen=True)
class Resources:
    """Where a deployment's executions and booking records are."""

    state_machine_arn: str
    bookings_table: str
    hotels_table: str | None = None  # for hotel names in the list; optional
    #: The cancellation saga of the same deployment, if it has one.
    cancellation_state_machine_arn: str | None = None
    #: What goes before the bookingId in an execution's name ("" for the booking saga).
    name_prefix: str = ""

    def execution_arn(self, booking_id: str) -> str:
        """The execution name is made from the bookingId, so its ARN is known without a lookup."""
        base = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        return f"{base}:{self.name_prefix}{booking_id}"

    def cancellations(self) -> Resources | None:
        """The same deployment seen through its cancellation state machine (None: it has none)."""
        if not self.cancellation_state_machine_arn:
            return None
        return replace(
            self,
            state_machine_arn=self.cancellation_state_machine_arn,
            cancellation_state_machine_arn=None,
            name_prefix=CANCELLATION_PREFIX,
        )


def find_resources(sfn: Any, dynamodb: Any, stack_name: str | None = None) -> Resources:
    """Find the booking state machine and the bookings table by name.

    With ``stack_name``: the names that stack gives them (``<stack>-booking``,
    ``<stack>-BookingsTable``). Without: the ones whose names end like that; if several
    deployments match, the one `make run` deploys (stack ``hotel-booking``) wins, otherwise
    the caller has to say which.
    """
    machines = {m["name"]: m["stateMachineArn"] for m in _state_machines(sfn)}
    tables = list(_tables(dynamodb))
    if stack_name:
        wanted = {f"{stack_name}{suffix}" for suffix in STATE_MACHINE_SUFFIXES}
        machine = [arn for name, arn in machines.items() if name in wanted]
        table = [t for t in tables if t == f"{stack_name}-{TABLE_SUFFIX}"]
        where = f"for stack {stack_name!r}"
    else:
        machine = [arn for name, arn in machines.items() if name.endswith(STATE_MACHINE_SUFFIXES)]
        table = [t for t in tables if t.endswith(TABLE_SUFFIX)]
        where = "(names ending in -booking / BookingsTable)"
        if len(machine) > 1 or len(table) > 1:
            machine = [a for a in machine if a.split(":")[-1].startswith(f"{DEFAULT_STACK}-")]
            table = [t for t in table if t.startswith(f"{DEFAULT_STACK}-")]
    found_machines = sorted(n for n in machines if n.endswith(STATE_MACHINE_SUFFIXES))
    found_tables = sorted(t for t in tables if t.endswith(TABLE_SUFFIX))
    if len(machine) != 1:
        raise LookupError(
            f"no single booking state machine {where}; found: {', '.join(found_machines) or 'none'}"
            " (pass --stack-name or --state-machine-arn)"
        )
    if len(table) != 1:
        raise LookupError(
            f"no single bookings table {where}; found: {', '.join(found_tables) or 'none'}"
            " (pass --stack-name or --bookings-table)"
        )
    hotels = f"{table[0].removesuffix(TABLE_SUFFIX)}{HOTELS_SUFFIX}"
    booking_name = machine[0].split(":")[-1]
    cancellation = machines.get(f"{booking_name.removesuffix('-booking')}-cancellation")
    return Resources(
        machine[0],
        table[0],
        hotels if hotels in tables else None,
        cancellation if booking_name.endswith("-booking") else None,
    )


def resources_from_stack(cloudformation: Any, stack_name: str) -> Resources:
    """A real deployment: the physical ids CloudFormation gave BookingStateMachine and
    BookingsTable (the table's name carries a random suffix on AWS)."""
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    missing = [x for x in ("BookingStateMachine", "BookingsTable") if x not in ids]
    if missing:
        raise LookupError(f"stack {stack_name!r} has no {' or '.join(missing)}")
    return Resources(
        ids["BookingStateMachine"],
        ids["BookingsTable"],
        ids.get("HotelsTable"),
        ids.get("CancellationStateMachine"),
    )


def console_url(region: str, execution_arn: str) -> str:
    """The execution's page in the AWS Step Functions console."""
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{execution_arn}"
    )


def _state_machines(sfn: Any) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"maxResults": 1000}
    while True:
        page = sfn.list_state_machines(**kwargs)
        yield from page["stateMachines"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


def _tables(dynamodb: Any) -> Iterator[str]:
    kwargs: dict[str, Any] = {"Limit": 100}
    while True:
        page = dynamodb.list_tables(**kwargs)
        yield from page["TableNames"]
        if not page.get("LastEvaluatedTableName"):
            return
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]


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
            "durationSeconds": _round(self.duration),
            "hotelId": self.hotel_id,
            "hotelName": self.hotel_name,
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


# ------------------------------------------------------------------------------ reading
class Inspector:
    """Reads executions and booking records of one deployment."""

    def __init__(self, sfn: Any, dynamodb: Any, resources: Resources) -> None:
        self.sfn = sfn
        self.dynamodb = dynamodb
        self.resources = resources
        # A finished execution's booking keeps its hotel: read it once. (Rows of running
        # executions are read every time; a booking is written before its saga starts.)
        self._final_hotels: dict[str, str | None] = {}
        self._hotel_names: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def list_executions(
        self, status: str | None = None, limit: int = MAX_PAGE, next_token: str | None = None
    ) -> ExecutionPage:
        """Up to ``limit`` executions, newest first; ``next_token`` continues a listing."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        limit = max(1, min(limit, 10 * MAX_PAGE))
        started = time.perf_counter()
        rows: list[ExecutionSummary] = []
        token = next_token
        while len(rows) < limit:
            kwargs: dict[str, Any] = {
                "stateMachineArn": self.resources.state_machine_arn,
                "maxResults": min(MAX_PAGE, limit - len(rows)),
            }
            if status:
                kwargs["statusFilter"] = status
            if token:
                kwargs["nextToken"] = token
            page = self.sfn.list_executions(**kwargs)
            rows += [_summary(e, self.resources.name_prefix) for e in page["executions"]]
            token = page.get("nextToken")
            if not token:
                break
        rows.sort(key=lambda r: r.start, reverse=True)
        listed = time.perf_counter()
        self._join_bookings(rows)
        timings = {
            "list": (listed - started) * 1000,
            "join": (time.perf_counter() - listed) * 1000,
        }
        return ExecutionPage(rows, token, timings)

    def warm(self, pages: int = 10) -> int:
        """Read ahead the hotels of finished executions not read yet, newest first, 100 at a
        time, until a page has nothing new; how many were read. Run now and then in the
        background, it keeps the list's first load as fast as the next ones."""
        read, token = 0, None
        for _ in range(pages):
            kwargs: dict[str, Any] = {
                "stateMachineArn": self.resources.state_machine_arn,
                "maxResults": BATCH_GET_KEYS,
            }
            if token:
                kwargs["nextToken"] = token
            page = self.sfn.list_executions(**kwargs)
            finished = [
                _summary(e, self.resources.name_prefix)
                for e in page["executions"]
                if e["status"] != "RUNNING"
            ]
            with self._lock:
                new = [r for r in finished if r.booking_id not in self._final_hotels]
            if new:
                self._join_bookings(new)
                read += len(new)
            token = page.get("nextToken")
            if not token or (finished and not new):
                break
        return read

    def booking(self, booking_id: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(
            TableName=self.resources.bookings_table,
            Key={"bookingId": {"S": booking_id}},
            ConsistentRead=True,
        ).get("Item")
        return plain(item) if item else None

    def execution(self, booking_id: str) -> ExecutionDetail:
        arn = self.resources.execution_arn(booking_id)
        try:
            desc = self.sfn.describe_execution(executionArn=arn)
        except Exception as exc:  # ExecutionDoesNotExist, InvalidArn (a name AWS would refuse)
            if _error_code(exc) in {"ExecutionDoesNotExist", "InvalidArn", "InvalidName"}:
                raise NotFound(booking_id) from exc
            raise
        definition = self._definition(arn)
        events = list(history_events(self.sfn, arn))
        summary = _summary(desc, self.resources.name_prefix)
        booking = self.booking(booking_id)
        if booking:
            summary.hotel_id = booking.get("hotelId")
            summary.hotel_name = booking.get("hotelName")
            if summary.hotel_id and not summary.hotel_name:
                summary.hotel_name = self._names({summary.hotel_id}).get(summary.hotel_id)
            summary.booking_status = booking.get("status")
            summary.reason = booking.get("reason")
        return ExecutionDetail(
            summary=summary,
            definition=definition,
            path=read_path(events, definition, desc["status"]),
            booking=booking,
            input=desc.get("input"),
            output=desc.get("output"),
            error=desc.get("error"),
            cause=desc.get("cause"),
        )

    # -- internals ------------------------------------------------------------------------
    def _definition(self, execution_arn: str) -> dict[str, Any]:
        """The definition this execution ran (it may be older than the state machine's)."""
        try:
            text = self.sfn.describe_state_machine_for_execution(executionArn=execution_arn)[
                "definition"
            ]
        except Exception:  # no permission for it: the current definition will do
            text = self.sfn.describe_state_machine(
                stateMachineArn=self.resources.state_machine_arn
            )["definition"]
        data = json.loads(text)
        return data if isinstance(data, dict) else {}

    def _join_bookings(self, rows: Sequence[ExecutionSummary]) -> None:
        """Each row's hotel: BatchGetItem, 100 keys a call (a few calls at once), then the
        hotels' names in one more call; what a finished execution's booking said is kept."""
        with self._lock:
            known = {
                r.booking_id: self._final_hotels[r.booking_id]
                for r in rows
                if r.booking_id in self._final_hotels
            }
        wanted = list(dict.fromkeys(r.booking_id for r in rows if r.booking_id not in known))
        batches = [wanted[i : i + BATCH_GET_KEYS] for i in range(0, len(wanted), BATCH_GET_KEYS)]
        found: dict[str, str | None] = {}
        if batches:
            with ThreadPoolExecutor(max_workers=min(4, len(batches))) as pool:
                for records in pool.map(self._batch_get, batches):
                    found.update({k: v.get("hotelId") for k, v in records.items()})
        hotels = {**known, **found}
        names = self._names({h for h in hotels.values() if h})
        for row in rows:
            row.hotel_id = hotels.get(row.booking_id)
            row.hotel_name = names.get(row.hotel_id) if row.hotel_id else None
        with self._lock:
            if len(self._final_hotels) > FINAL_CACHE_SIZE:
                self._final_hotels.clear()
            for row in rows:
                if row.status != "RUNNING" and row.booking_id in wanted:
                    self._final_hotels[row.booking_id] = found.get(row.booking_id)

    def _names(self, hotel_ids: set[str]) -> dict[str, str | None]:
        """Hotel names (a hotel can be renamed: kept for HOTEL_NAME_TTL seconds)."""
        table = self.resources.hotels_table
        if not table or not hotel_ids:
            return {}
        now = time.monotonic()
        with self._lock:
            names = {h: self._hotel_names[h] for h in hotel_ids if h in self._hotel_names}
        stale = sorted(h for h in hotel_ids if h not in names or now - names[h][0] > HOTEL_NAME_TTL)
        fresh: dict[str, tuple[float, str | None]] = {h: (now, None) for h in stale}
        for i in range(0, len(stale), BATCH_GET_KEYS):
            records = self._batch_get_from(
                table, "hotelId", stale[i : i + BATCH_GET_KEYS], "hotelId, #n", {"#n": "name"}
            )
            fresh |= {h: (now, r.get("name")) for h, r in records.items()}
        with self._lock:
            self._hotel_names |= fresh
        return {h: v[1] for h, v in {**names, **fresh}.items()}

    def _batch_get(self, booking_ids: list[str]) -> dict[str, dict[str, Any]]:
        return self._batch_get_from(
            self.resources.bookings_table, "bookingId", booking_ids, LIST_PROJECTION, None
        )

    def _batch_get_from(
        self,
        table: str,
        key: str,
        ids: list[str],
        projection: str,
        names: dict[str, str] | None,
    ) -> dict[str, dict[str, Any]]:
        request: dict[str, Any] = {
            table: {"Keys": [{key: {"S": i}} for i in ids], "ProjectionExpression": projection}
        }
        if names:
            request[table]["ExpressionAttributeNames"] = names
        found: dict[str, dict[str, Any]] = {}
        for attempt in range(8):  # unprocessed keys (throttling) are asked for again
            resp = self.dynamodb.batch_get_item(RequestItems=request)
            for item in resp.get("Responses", {}).get(table, []):
                record = plain(item)
                found[str(record[key])] = record
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        return found


# --------------------------------------------------------------------------- the path
def read_path(
    raw_events: Iterable[dict[str, Any]], definition: dict[str, Any], status: str
) -> Path:
    """Walk the history once: the states visited in order, what failed, every event's row."""
    states: dict[str, Any] = definition.get("States", {})
    visits: list[StateVisit] = []
    rows: list[HistoryEvent] = []
    current: StateVisit | None = None
    first: dt.datetime | None = None
    for event in raw_events:
        kind: str = event["type"]
        ts: dt.datetime = event["timestamp"]
        first = first or ts
        details = _details(event)
        if kind.endswith("StateEntered"):
            name = str(details.get("name"))
            state_type = states.get(name, {}).get("Type") or kind.removesuffix("StateEntered")
            current = StateVisit(name, state_type, ts)
            if state_type in {"Fail", "Succeed"}:
                current.outcome = "ended"
            visits.append(current)
        elif kind.endswith("StateExited") and current is not None:
            current.exited = ts
            if current.outcome in {"running", "waiting"}:
                current.outcome = "succeeded"
        elif kind in _ATTEMPT_EVENTS and current is not None:
            current.attempts += 1
            current.outcome = "running"
        elif kind == "TaskSubmitted" and current is not None:
            current.outcome = "waiting"
        elif kind in _SUCCESS_EVENTS and current is not None:
            current.outcome = "running"  # until the state exits
            current.error = current.cause = None
        elif kind in _FAILURE_EVENTS and current is not None:
            error = details.get("error") or kind
            cause = details.get("cause")
            current.errors.append((error, cause))
            current.outcome = "failed"
            current.error, current.cause = error, cause
        elif (
            kind in _EXECUTION_END
            and current is not None
            and current.exited is None
            and current.type not in {"Fail", "Succeed"}
        ):
            # Timed out, aborted or a runtime error while inside a state.
            current.outcome = "failed"
            current.error = details.get("error") or kind.removeprefix("Execution")
            current.cause = details.get("cause")
        rows.append(_row(event, kind, details, first, current))
    failed = next((v.name for v in visits if v.outcome == "failed"), None)
    ended = status in FINISHED and bool(visits)
    end_state = visits[-1].name if ended else None
    if failed is None and status in {"FAILED", "TIMED_OUT", "ABORTED"} and visits:
        failed = visits[-1].name
    return Path(visits, rows, failed, end_state)


def _row(
    event: dict[str, Any],
    kind: str,
    details: dict[str, Any],
    first: dt.datetime,
    current: StateVisit | None,
) -> HistoryEvent:
    payloads = {
        key: str(details[key])
        for key in ("input", "output", "error", "cause", "resource", "parameters")
        if details.get(key) not in (None, "")
    }
    state = details.get("name") or (
        current.name if current is not None and not kind.startswith("Execution") else None
    )
    return HistoryEvent(
        id=int(event["id"]),
        timestamp=event["timestamp"],
        elapsed_ms=(event["timestamp"] - first).total_seconds() * 1000,
        type=kind,
        state=state,
        summary=_event_summary(kind, details, current),
        details=payloads,
    )


def _event_summary(kind: str, details: dict[str, Any], current: StateVisit | None) -> str:
    if "error" in details or kind in _FAILURE_EVENTS:
        text = str(details.get("error") or kind)
        cause = short_cause(details.get("cause"))
        return f"{text}: {cause}" if cause else text
    if kind in _ATTEMPT_EVENTS:
        resource = str(details.get("resource") or "")
        if kind == "TaskScheduled":
            params = _json_or_none(details.get("parameters"))
            if isinstance(params, dict) and params.get("FunctionName"):
                resource = f"{resource} {params['FunctionName']}"
        attempt = current.attempts if current is not None else 1
        # A function ARN, qualified or not (the saga calls the `live` alias): the function.
        name = (
            resource.split(":function:", 1)[1].split(":")[0]
            if ":function:" in resource
            else resource
        )
        return f"{name} (attempt {attempt})" if attempt > 1 else name
    if kind == "TaskSubmitted":
        return "waiting for the task token"
    if kind in _SUCCESS_EVENTS:
        return short_cause(details.get("output"), 100)
    return ""


# ------------------------------------------------------------------------------ helpers
def _summary(data: dict[str, Any], prefix: str = "") -> ExecutionSummary:
    return ExecutionSummary(
        booking_id=data["name"].removeprefix(prefix),
        execution_arn=data["executionArn"],
        status=data["status"],
        start=data["startDate"],
        stop=data.get("stopDate"),
    )


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails")), {})


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _json_or_none(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


_deserializer = TypeDeserializer()


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as JSON-ready Python: numbers as int when whole, else as their text."""
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


def format_time(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def display_value(value: Any) -> str:
    """A record's value as people read it: timestamps in UTC to the millisecond."""
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        try:
            return format_time(dt.datetime.fromisoformat(value)) + " UTC"
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
