"""Fault injection for the local engine, shaped like AWS FIS's Lambda actions.

So a team rehearses locally what an FIS experiment does on AWS (docs/local.md, "Faults"):

- ``aws:lambda:invocation-error``: the invocation reports an error (``errorType``, default
  ``Lambda.ServiceException``, as the FIS extension's caller would see a failed invoke). With
  ``preventExecution`` true the code does not run; false: it runs, its effects land, and the
  caller still sees the error (at-least-once: the state machine's Retry runs it again).
- ``aws:lambda:invocation-add-delay``: ``startupDelayMilliseconds`` before the code runs,
  counted against the function's ``Timeout``; a delay past it times the invocation out
  (``Sandbox.Timedout``) without running the code, as Lambda stops a timed-out sandbox.
- ``dependency-error`` (no FIS action; FIS's ``aws:fis:inject-api-*`` actions target other
  services): one AWS API a function calls fails with a given error code (``ses`` +
  ``Throttling``), as the function's SDK client would raise it after its own retries.

Each fault applies to ``invocationPercentage`` of the function's invocations and ends after its
ISO-8601 ``duration`` (FIS's own limit: 12 hours) or, a local extension for deterministic
tests, after ``times`` matching invocations. Every invocation passes
``LambdaRuntime.invoke`` (lambdas.py), which asks :class:`Faults` what to do; API calls are
checked in botocore's ``BaseClient._make_api_call`` (named in guard.py), attributed to the
function whose invocation is running on the thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

INVOCATION_ERROR = "aws:lambda:invocation-error"
ADD_DELAY = "aws:lambda:invocation-add-delay"
DEPENDENCY_ERROR = "dependency-error"
ACTIONS = (INVOCATION_ERROR, ADD_DELAY, DEPENDENCY_ERROR)

#: FIS's limits: an action's duration is at most 12 hours; a delay at most 15 minutes
#: (Lambda's own longest Timeout).
MAX_DURATION = dt.timedelta(hours=12)
MAX_DELAY_MS = 900_000
DEFAULT_ERROR = "Lambda.ServiceException"

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_ids = itertools.count(1)


class FaultError(ValueError):
    """A fault that cannot be injected as asked (a 400 on the faults route)."""


def parse_duration(text: str) -> dt.timedelta:
    """An ISO-8601 duration as FIS takes it (``PT3M``, ``PT90S``, ``PT1H30M``, ``P1D``)."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise FaultError(f"duration {text!r} is not an ISO-8601 duration such as PT3M")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    duration = dt.timedelta(
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )
    if not dt.timedelta(0) < duration <= MAX_DURATION:
        raise FaultError(f"duration {text!r} must be more than 0 and at most PT12H")
    return duration


@dataclass
class Fault:
    """One active fault on one function (``function`` is its resolved name)."""

    function: str
    action: str
    percentage: float = 100.0
    duration: str = "PT10M"
    prevent_execution: bool = True
    delay_ms: int = 0
    service: str | None = None
    operation: str | None = None
    error: str | None = None
    message: str = "injected by localaws faults"
    times: int | None = None
    logical_id: str = ""
    id: str = field(default_factory=lambda: f"fault-{next(_ids)}")
    until: float = 0.0  # time.time() at which it ends
    hits: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.prevent_execution, bool):
            raise FaultError("preventExecution must be true or false")
        for name in ("percentage", "delay_ms", "times"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise FaultError(f"{name} must be a number")
        if self.action not in ACTIONS:
            raise FaultError(f"action {self.action!r} is not one of {', '.join(ACTIONS)}")
        if not 0 < self.percentage <= 100:
            raise FaultError("percentage must be more than 0 and at most 100")
        if self.action == ADD_DELAY and not 0 < self.delay_ms <= MAX_DELAY_MS:
            raise FaultError(f"{ADD_DELAY} needs a delay of 1 to {MAX_DELAY_MS} ms")
        if self.action == DEPENDENCY_ERROR and not (self.service and self.error):
            raise FaultError(f"{DEPENDENCY_ERROR} needs a service and an error code")
        if self.times is not None and self.times < 1:
            raise FaultError("times must be at least 1")
        if not self.until:
            self.until = time.time() + parse_duration(self.duration).total_seconds()

    def view(self) -> dict[str, Any]:
        """As ``faults list``, the route and the console show it."""
        shown = asdict(self)
        shown["endsAt"] = dt.datetime.fromtimestamp(self.until, dt.UTC).isoformat(
            timespec="seconds"
        )
        del shown["until"]
        return shown


@dataclass(frozen=True)
class InvocationPlan:
    """What the faults make of one invocation."""

    delay_ms: int = 0
    error: Fault | None = None

    @property
    def runs(self) -> bool:
        return self.error is None or not self.error.prevent_execution

    def payload(self) -> dict[str, str]:
        assert self.error is not None
        return {
            "errorType": self.error.error or DEFAULT_ERROR,
            "errorMessage": self.error.message,
        }


class Faults:
    """The active faults of one local cloud; thread-safe, expired faults drop out."""

    def __init__(
        self, clock: Callable[[], float] = time.time, chance: Callable[[], float] = random.random
    ) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._clock = clock
        self._chance = chance

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def active(self) -> list[Fault]:
        with self._lock:
            self._expire()
            return list(self._faults)

    def clear(self, fault_id: str | None = None) -> int:
        """Remove one fault (by id) or all; how many were removed."""
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if fault_id is not None and f.id != fault_id]
            return before - len(self._faults)

    def for_invocation(self, function: str) -> InvocationPlan:
        """Decide, once per invocation, its delay and its error (each fault rolls its own
        ``percentage``, as FIS's extension does per invocation)."""
        delay, error = 0, None
        with self._lock:
            self._expire()
            for fault in self._faults:
                if fault.function != function or fault.action == DEPENDENCY_ERROR:
                    continue
                if fault.action == ADD_DELAY and not delay and self._hit(fault):
                    delay = fault.delay_ms
                elif fault.action == INVOCATION_ERROR and error is None and self._hit(fault):
                    error = fault
            self._expire()
        return InvocationPlan(delay, error)

    @property
    def any_dependency(self) -> bool:
        """Cheap check on every API call: is there a dependency fault at all?"""
        return any(f.action == DEPENDENCY_ERROR for f in self._faults)

    def dependency_error(self, function: str, services: set[str], operation: str) -> Fault | None:
        """The fault that fails this API call of ``function``, if any (``services``: the
        client's names for its service, e.g. ``sesv2`` and its signing name ``ses``)."""
        with self._lock:
            self._expire()
            for fault in self._faults:
                if (
                    fault.function == function
                    and fault.action == DEPENDENCY_ERROR
                    and fault.service in services
                    and fault.operation in (None, operation)
                    and self._hit(fault)
                ):
                    self._expire()
                    return fault
        return None

    def _hit(self, fault: Fault) -> bool:
        if fault.percentage < 100 and self._chance() * 100 >= fault.percentage:
            return False
        fault.hits += 1
        return True

    def _expire(self) -> None:
        now = self._clock()
        self._faults = [
            f for f in self._faults if f.until > now and (f.times is None or f.hits < f.times)
        ]


#: The faults the API-call hook consults: those of the running LocalCloud (one per process).
_current: Faults | None = None
_hook_lock = threading.Lock()


def install_dependency_hook(faults: Faults, client_class: Any) -> None:
    """Make ``faults`` the ones botocore's single API entry point consults (installed once).

    The call is attributed to the function whose invocation runs on this thread (the runtime
    gives it ``AWS_LAMBDA_FUNCTION_NAME`` in its own environment); calls made outside any
    invocation (tests, the interpreter, the CLI) are never failed."""
    global _current
    with _hook_lock:
        _current = faults
        if getattr(client_class._make_api_call, "_localaws_faults", False):
            return
        original = client_class._make_api_call

        def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            active = _current
            if active is not None and active.any_dependency:
                function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
                if function:
                    model = self.meta.service_model
                    names = {model.service_name, model.signing_name, model.endpoint_prefix}
                    fault = active.dependency_error(function, names, operation_name)
                    if fault is not None:
                        from botocore.exceptions import ClientError

                        response: Any = {
                            "Error": {"Code": fault.error or "", "Message": fault.message},
                            "ResponseMetadata": {"HTTPStatusCode": 400},
                        }
                        raise ClientError(response, operation_name)
            return original(self, operation_name, api_params)

        _make_api_call._localaws_faults = True  # type: ignore[attr-defined]
        _make_api_call._localaws_original = original  # type: ignore[attr-defined]
        client_class._make_api_call = _make_api_call


#: The emulator endpoint's route for faults (``python -m localaws faults`` talks to it).
ROUTE = "/_localaws/faults"

_PARAMETERS = {
    # JSON field (FIS's own parameter names where FIS has one) -> Fault field
    "function": "function",
    "action": "action",
    "invocationPercentage": "percentage",
    "duration": "duration",
    "preventExecution": "prevent_execution",
    "startupDelayMilliseconds": "delay_ms",
    "service": "service",
    "operation": "operation",
    "error": "error",
    "message": "message",
    "times": "times",
}


class FaultsRoute:
    """WSGI middleware in front of moto's app: ``GET``/``POST``/``DELETE`` on :data:`ROUTE`.

    ``inject(function, action, **fields)`` is ``LambdaRuntime.inject`` (it resolves a logical
    id to the function's name); everything else passes to moto untouched."""

    def __init__(self, app: Any, faults: Faults, inject: Callable[..., Fault]) -> None:
        self.app = app
        self.faults = faults
        self.inject = inject

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path != ROUTE and not path.startswith(ROUTE + "/"):
            return self.app(environ, start_response)
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        status, body = self._answer(request.method, path[len(ROUTE) + 1 :], request)
        response = Response(json.dumps(body), status=status, mimetype="application/json")
        return response(environ, start_response)

    def _answer(self, method: str, fault_id: str, request: Any) -> tuple[int, dict[str, Any]]:
        if method == "GET" and not fault_id:
            return 200, {"faults": [f.view() for f in self.faults.active()]}
        if method == "DELETE":
            removed = self.faults.clear(fault_id or None)
            if fault_id and not removed:
                return 404, {"message": f"no active fault {fault_id}"}
            return 200, {"cleared": removed}
        if method == "POST" and not fault_id:
            try:
                data = json.loads(request.get_data() or b"{}")
                if not isinstance(data, dict):
                    raise FaultError("the body must be a JSON object")
                unknown = set(data) - set(_PARAMETERS)
                if unknown:
                    raise FaultError(f"unknown field(s): {', '.join(sorted(unknown))}")
                fields = {_PARAMETERS[k]: v for k, v in data.items()}
                if "function" not in fields or "action" not in fields:
                    raise FaultError("function and action are required")
                fault = self.inject(fields.pop("function"), fields.pop("action"), **fields)
            except KeyError as exc:
                return 404, {"message": str(exc.args[0])}
            except (FaultError, TypeError, ValueError) as exc:
                return 400, {"message": str(exc)}
            return 201, {"fault": fault.view()}
        return 405, {"message": f"{method} is not allowed on {ROUTE}"}
