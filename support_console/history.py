"""Follow an execution's history and turn each event into one readable line."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

_FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def describe_event(event: dict[str, Any]) -> str | None:
    """One line for the events a person follows; None for the bookkeeping ones."""
    kind = event["type"]
    details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    if kind.endswith("StateEntered"):
        return f"→ {details.get('name')}"
    if kind in {"LambdaFunctionFailed", "TaskFailed", "LambdaFunctionTimedOut", "TaskTimedOut"}:
        return f"  ✗ {details.get('error')}: {short_cause(details.get('cause'), 140)}"
    if kind == "TaskSubmitted":
        return "  … waiting for the task token (manager decision)"
    if kind == "ExecutionSucceeded":
        return "✓ execution succeeded"
    if kind in {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}:
        return (
            f"✗ execution ended: {details.get('error')} ({short_cause(details.get('cause'), 140)})"
        )
    return None


def short_cause(cause: Any, limit: int = 160) -> str:
    """A Lambda error's cause is JSON with a stack trace; people want its message."""
    if not cause:
        return ""
    text = str(cause)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("errorMessage", "reason", "message"):
            if data.get(key):
                text = str(data[key])
                break
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def follow(
    sfn: Any,
    execution_arn: str,
    on_event: Callable[[dict[str, Any]], None],
    timeout: float = 60,
    poll: float = 0.02,
) -> dict[str, Any]:
    """Call ``on_event`` for each new history event until the execution ends; return describe."""
    seen = 0
    deadline = time.monotonic() + timeout
    while True:
        history = list(events(sfn, execution_arn))
        for event in history[seen:]:
            on_event(event)
        seen = len(history)
        desc: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if desc["status"] in _FINISHED:
            for event in list(events(sfn, execution_arn))[seen:]:
                on_event(event)
            return desc
        if time.monotonic() > deadline:
            raise TimeoutError(f"{execution_arn} still {desc['status']} after {timeout}s")
        time.sleep(poll)


def events(sfn: Any, execution_arn: str) -> Iterator[dict[str, Any]]:
    """Every event of an execution's history, oldest first, across pages."""
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        yield from page["events"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]
