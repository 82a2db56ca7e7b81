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
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from support_console.formatting import plain
from support_console.history import events as history_events
from support_console.history import short_cause
from support_console.records import (
    ExecutionDetail,
    ExecutionPage,
    ExecutionSummary,
    HistoryEvent,
    Path,
    StateVisit,
)
from support_console.resources import NotFound, Resources

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
MAX_PAGE = 1000  # ListExecutions' largest page
BATCH_GET_KEYS = 100  # BatchGetItem's limit
#: The cancellation saga's executions are named ``cancel-<bookingId>`` (hotel_booking.logic.ids).
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

#: How a saga ends when it did what it should: the guest was told, nothing is left to undo.
#: Any other failure (a compensation or a record that failed, an unhandled error), a timeout
#: or an abort needs someone to look.
BUSINESS_OUTCOMES = frozenset(
    {
        "RoomUnavailable",
        "HotelNotFound",
        "PaymentDeclined",
        "PaymentUnavailable",
        "BookingRejected",
        "BookingCancelled",
        "ApprovalTimedOut",
        "InvalidBookingInput",
    }
)
#: A running execution older than this is stuck: the longest legitimate wait is the manager's
#: approval (ApprovalTimeoutSeconds, a day by default) and the payment retry window.
STUCK_AFTER = dt.timedelta(hours=25)

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
        # A finished execution's error never changes until it is redriven (then it stops again
        # later): keyed by ARN and stop date.
        self._errors: dict[tuple[str, dt.datetime | None], str | None] = {}
        self._ends: tuple[str | None, frozenset[str]] | None = None
        self.stuck_after = STUCK_AFTER

    def list_executions(
        self,
        status: str | None = None,
        limit: int = MAX_PAGE,
        next_token: str | None = None,
        attention: bool = False,
    ) -> ExecutionPage:
        """Up to ``limit`` executions, newest first; ``next_token`` continues a listing.
        ``attention``: only those of them that need someone to look (see ExecutionSummary)."""
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
        self._join_outcomes(rows)
        if attention:
            rows = [r for r in rows if r.attention]
        outcomes = time.perf_counter()
        self._join_bookings(rows)
        timings = {
            "list": (listed - started) * 1000,
            "outcome": (outcomes - listed) * 1000,
            "join": (time.perf_counter() - outcomes) * 1000,
        }
        return ExecutionPage(rows, token, timings)

    def redrive(self, booking_id: str) -> None:
        """Step Functions' RedriveExecution: the execution goes on from its failed state."""
        self.sfn.redrive_execution(executionArn=self.resources.execution_arn(booking_id))

    def status_of(self, booking_id: str) -> str | None:
        """The execution's status, None when there is none (e.g. no cancellation was asked)."""
        try:
            desc = self.sfn.describe_execution(
                executionArn=self.resources.execution_arn(booking_id)
            )
        except Exception as exc:
            if _error_code(exc) in {"ExecutionDoesNotExist", "InvalidArn", "InvalidName"}:
                return None
            raise
        return str(desc["status"])

    def _join_outcomes(self, rows: Sequence[ExecutionSummary]) -> None:
        """Each row's outcome and whether it needs attention. A failed execution's error is
        read once (DescribeExecution; ListExecutions has none), a few at a time."""
        succeeded, alerted = self._end_states()
        with self._lock:
            unknown = [
                r
                for r in rows
                if r.status != "RUNNING"
                and (r.status != "SUCCEEDED" or succeeded is None)
                and (r.execution_arn, r.stop) not in self._errors
            ]
        if unknown:

            def error_of(row: ExecutionSummary) -> str | None:
                if row.status == "SUCCEEDED":  # one of several Succeed states: which one
                    return self._succeed_state(row.execution_arn)
                desc = self.sfn.describe_execution(executionArn=row.execution_arn)
                return desc.get("error")

            with ThreadPoolExecutor(max_workers=min(4, len(unknown))) as pool:
                errors = list(pool.map(error_of, unknown))
            with self._lock:
                if len(self._errors) > FINAL_CACHE_SIZE:
                    self._errors.clear()
                for row, error in zip(unknown, errors, strict=True):
                    self._errors[(row.execution_arn, row.stop)] = error
        now = dt.datetime.now(dt.UTC)
        for row in rows:
            if row.status == "SUCCEEDED" and succeeded is not None:
                row.outcome = succeeded
            elif row.status != "RUNNING":
                with self._lock:
                    row.outcome = self._errors.get((row.execution_arn, row.stop))
            row.attention = _attention(row, alerted, now - self.stuck_after)

    def _succeed_state(self, execution_arn: str) -> str:
        """The Succeed state a run ended in, from the end of its history (its last
        ``SucceedStateExited``), when the machine has more than one."""
        events = self.sfn.get_execution_history(
            executionArn=execution_arn, reverseOrder=True, maxResults=5
        )["events"]
        for event in events:
            exited = event.get("stateExitedEventDetails")
            if event["type"] == "SucceedStateExited" and exited:
                return str(exited["name"])
        return "Succeeded"

    def _end_states(self) -> tuple[str | None, frozenset[str]]:
        """The state machine's Succeed state (if one), and the errors of the Fail states that
        come after an email to operations (an ``sns:publish`` Task)."""
        if self._ends is None:
            definition = json.loads(
                self.sfn.describe_state_machine(stateMachineArn=self.resources.state_machine_arn)[
                    "definition"
                ]
            )
            states = definition.get("States", {})
            succeed = [n for n, st in states.items() if st.get("Type") == "Succeed"]
            alerts = [n for n, st in states.items() if ":sns:publish" in str(st.get("Resource"))]
            reached = _reachable(states, alerts)
            alerted = frozenset(
                str(states[n].get("Error", n)) for n in reached if states[n].get("Type") == "Fail"
            )
            self._ends = (succeed[0] if len(succeed) == 1 else None, alerted)
        return self._ends

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
                self._join_outcomes(new)  # a failed one's error, read once
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
        self._join_outcomes([summary])
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
def _attention(
    row: ExecutionSummary, alerted: frozenset[str], stuck_before: dt.datetime
) -> str | None:
    if row.status == "RUNNING":
        return "stuck" if row.start < stuck_before else None
    if row.status == "TIMED_OUT":
        return "timed out"
    if row.status == "ABORTED":
        return "aborted"
    if row.status == "FAILED":
        if row.outcome in alerted:
            return "alerted"
        if row.outcome not in BUSINESS_OUTCOMES:
            return "failed"
    return None


def _reachable(states: dict[str, Any], start: list[str]) -> set[str]:
    """The states reachable from ``start`` (Next, Default, Choices, Catch), themselves included."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        todo += [state[k] for k in ("Next", "Default") if k in state]
        todo += [
            c["Next"] for c in state.get("Choices", []) + state.get("Catch", []) if "Next" in c
        ]
    return seen


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
