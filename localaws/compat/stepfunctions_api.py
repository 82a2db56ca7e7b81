"""Step Functions API calls that moto 5.2.5 answers differently from AWS, answered as AWS does.

``GetExecutionHistory``: moto ignores ``reverseOrder``, ``maxResults``, ``nextToken`` and
``includeExecutionData`` and returns every event, oldest first, with no ``nextToken``, so the AWS
CLI's ``--reverse-order`` and ``--max-items`` and boto3's paginator saw the wrong page. AWS pages
by ``maxResults`` (default 100, at most 1000, 0 means the default), returns a ``nextToken`` while
events remain, refuses a token it did not issue for these arguments (``InvalidToken``), and leaves
out events' input and output when ``includeExecutionData`` is false.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import json
from typing import Any

from localaws.compat import guard

#: GetExecutionHistory's page size when maxResults is absent or 0, and its largest allowed.
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def install() -> None:
    response_cls = guard.sfn_response_class()
    if getattr(response_cls.get_execution_history, "_localaws_paged", False):
        return
    from moto.core.responses import ActionResult

    def get_execution_history(self: Any) -> Any:
        arn = self._get_param("executionArn")
        events = self.stepfunction_backend.get_execution_history(arn)["events"]
        page, token = history_page(
            list(events),
            arn,
            max_results=self._get_param("maxResults"),
            next_token=self._get_param("nextToken"),
            reverse=bool(self._get_param("reverseOrder")),
            include_data=self._get_param("includeExecutionData") is not False,
        )
        return ActionResult({"events": page, **({"nextToken": token} if token else {})})

    get_execution_history._localaws_paged = True  # type: ignore[attr-defined]
    response_cls.get_execution_history = get_execution_history


def history_page(
    events: list[dict[str, Any]],
    execution_arn: str,
    max_results: int | None,
    next_token: str | None,
    reverse: bool,
    include_data: bool,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of an execution's events, as GetExecutionHistory answers, and the next token."""
    errors = guard.sfn_errors()
    size = max_results or DEFAULT_PAGE
    if size < 0 or size > MAX_PAGE:
        raise errors.ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value less than or equal to {MAX_PAGE}"
        )
    start = _read_token(next_token, execution_arn, reverse) if next_token else 0
    ordered = events[::-1] if reverse else events
    page = [_without_data(e) if not include_data else e for e in ordered[start : start + size]]
    more = start + size < len(ordered)
    return page, (_token(execution_arn, reverse, start + size) if more else None)


def _token(execution_arn: str, reverse: bool, start: int) -> str:
    raw = json.dumps({"arn": execution_arn, "reverse": reverse, "start": start})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _read_token(token: str, execution_arn: str, reverse: bool) -> int:
    """The position a token points at; InvalidToken for one issued for other arguments."""
    errors = guard.sfn_errors()
    try:
        fields = json.loads(base64.urlsafe_b64decode(token.encode()))
        start = fields["start"]
        same = fields["arn"] == execution_arn and fields["reverse"] == reverse
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.InvalidToken("the token is not one GetExecutionHistory issued") from None
    if not same or not isinstance(start, int) or start < 0:
        raise errors.InvalidToken("the token was issued for other arguments") from None
    return start


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its input and output (``includeExecutionData: false``)."""
    out = dict(event)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if k not in ("input", "output")}
    return out


# -- RedriveExecution ----------------------------------------------------------------------
#: AWS redrives an execution that stopped at most this long ago.
REDRIVE_WINDOW = dt.timedelta(days=14)
#: Execution history's hard limit: past it AWS will not redrive.
HISTORY_LIMIT = 25_000
_REDRIVABLE = {"FAILED", "TIMED_OUT", "ABORTED"}


def install_redrive() -> None:
    """``RedriveExecution`` (moto 5.2.5 has none) and the redrive fields of DescribeExecution.

    As AWS documents it: a FAILED, TIMED_OUT or ABORTED Standard execution that stopped in the
    last 14 days continues from the state that did not succeed, with that state's input, under
    the same ARN; the states that succeeded are not run again; the history goes on after an
    ``ExecutionRedriven`` event; ``redriveCount`` counts. Anything else is refused with
    ``ExecutionNotRedrivable`` naming the reason AWS gives, an unknown execution with
    ``ExecutionDoesNotExist``."""
    response_cls = guard.sfn_response_class()
    if getattr(response_cls, "_localaws_redrive", False):
        return
    from moto.core.responses import ActionResult

    def redrive_execution(self: Any) -> Any:
        arn = self._get_param("executionArn")
        date = redrive(self.stepfunction_backend, arn)
        return ActionResult({"redriveDate": date})

    original_describe = response_cls.describe_execution

    def describe_execution(self: Any) -> Any:
        result = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        result.result.update(redrive_fields(execution))
        return result

    response_cls.redrive_execution = redrive_execution
    response_cls.describe_execution = describe_execution
    response_cls._localaws_redrive = True


def redrive_fields(execution: Any) -> dict[str, Any]:
    """DescribeExecution's redriveCount, redriveDate, redriveStatus(Reason)."""
    reason = not_redrivable(execution)
    fields: dict[str, Any] = {
        "redriveCount": getattr(execution, "_localaws_redrive_count", 0),
        "redriveStatus": "NOT_REDRIVABLE" if reason else "REDRIVABLE",
    }
    if reason:
        fields["redriveStatusReason"] = reason
    if getattr(execution, "_localaws_redrive_date", None):
        fields["redriveDate"] = execution._localaws_redrive_date
    return fields


def not_redrivable(execution: Any, now: dt.datetime | None = None) -> str | None:
    """Why AWS would refuse to redrive this execution (its own wording), or None."""
    status = execution.status
    if execution.state_machine.sm_type == "EXPRESS":
        return "Execution of an EXPRESS state machine cannot be redriven."
    if status not in _REDRIVABLE:
        return f"Execution is {status} and cannot be redriven."
    stopped = execution.stop_date
    now = now or dt.datetime.now(dt.UTC)
    if stopped is not None and now - stopped > REDRIVE_WINDOW:
        return "Execution redrivable period exceeded."
    if len(execution.to_history_output()["events"]) >= HISTORY_LIMIT:
        return "Execution history event limit exceeded."
    return None


def _not_redrivable_error(reason: str) -> Exception:
    """Step Functions' ExecutionNotRedrivable (400), which moto 5.2.5's errors lack."""
    base = guard.sfn_errors().AWSError

    class ExecutionNotRedrivable(base):  # type: ignore[misc, valid-type]
        TYPE = "ExecutionNotRedrivable"
        STATUS = 400

    return ExecutionNotRedrivable(reason)


def redrive(backend: Any, execution_arn: str) -> dt.datetime:
    execution = backend.describe_execution(execution_arn)  # ExecutionDoesNotExist
    reason = not_redrivable(execution)
    if reason:
        raise _not_redrivable_error(reason)
    events = [dict(e) for e in execution.to_history_output()["events"]]
    definition = json.loads(execution.state_machine.definition)
    state, state_input = _failed_state(events, definition, execution.execution_input)
    execution_cls, _ = guard.sfn_execution_class()
    machine = copy.deepcopy(
        execution.state_machine,
        {
            id(execution.state_machine.executions): [],
            id(execution.state_machine.backend): execution.state_machine.backend,
        },
    )
    machine.definition = json.dumps({**definition, "StartAt": state})
    now = dt.datetime.now(dt.UTC)
    count = getattr(execution, "_localaws_redrive_count", 0) + 1

    class Redriven(execution_cls):  # type: ignore[misc, valid-type]
        """The same execution going on: its earlier events, then this run's."""

        def to_history_output(self) -> dict[str, Any]:
            ran = super().to_history_output()["events"] if self.exec_worker else []
            return {"events": _continued(self._localaws_before, ran, count, now)}

    runner = Redriven(
        name=execution.name,
        sm_type=execution.sm_type,
        role_arn=execution.role_arn,
        exec_arn=execution.exec_arn,
        account_id=execution.account_id,
        region_name=execution.region_name,
        state_machine=machine,
        start_date=execution.start_date,
        cloud_watch_logging_session=None,
        input_data=state_input,
        trace_header=None,
        activity_store={},
    )
    runner.execution_input = execution.execution_input  # DescribeExecution: the original input
    runner._localaws_before = events
    runner._localaws_redrive_count = count
    runner._localaws_redrive_date = now
    executions = backend.describe_state_machine(execution.state_machine_arn).executions
    executions[executions.index(execution)] = runner
    runner.start()
    return now


def _failed_state(
    events: list[dict[str, Any]], definition: dict[str, Any], execution_input: str
) -> tuple[str, str]:
    """The top-level state that did not succeed, and the input it was entered with."""
    top = definition["States"]
    open_states: dict[str, str] = {}
    last: tuple[str, str] | None = None
    for event in events:
        entered = event.get("stateEnteredEventDetails")
        exited = event.get("stateExitedEventDetails")
        if entered and entered["name"] in top:
            open_states[entered["name"]] = entered.get("input", "{}")
            last = (entered["name"], open_states[entered["name"]])
        elif exited and exited["name"] in top:
            open_states.pop(exited["name"], None)
    if open_states and last is not None and last[0] in open_states:
        return last
    if open_states:
        name = next(reversed(open_states))
        return name, open_states[name]
    if last is not None:  # it ended in a Fail state: that state again, as AWS does
        return last
    return definition["StartAt"], execution_input


def _continued(
    before: list[dict[str, Any]], ran: list[dict[str, Any]], count: int, date: dt.datetime
) -> list[dict[str, Any]]:
    """The earlier events, ExecutionRedriven, then the new run's (its own ExecutionStarted
    left out), numbered on from the earlier ones as AWS numbers them."""
    out = list(before)
    offset = len(before)
    out.append(
        {
            "timestamp": date,
            "type": "ExecutionRedriven",
            "id": offset + 1,
            "previousEventId": offset,
            "executionRedrivenEventDetails": {"redriveCount": count},
        }
    )
    for event in ran:
        kind = getattr(event["type"], "value", event["type"])
        if kind == "ExecutionStarted":
            continue
        moved = dict(event)
        moved["id"] = event["id"] + offset  # the new run's 1 was its ExecutionStarted
        moved["previousEventId"] = max(event.get("previousEventId", 0) + offset, offset + 1)
        out.append(moved)
    return out
