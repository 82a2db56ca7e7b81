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
import json
from typing import Any

from localaws import guard

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
