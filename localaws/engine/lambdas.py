"""Run Lambda handlers in-process when moto's Lambda is invoked (moto wants Docker otherwise).

Each function runs as Lambda would run it:

- with the environment template.yaml gives it, in a per-thread overlay of ``os.environ`` (the
  state machine runs branches on threads, so a process-wide swap would leak between functions);
- in containers of its own, each with its own copy of the handler's code and of the libraries
  that keep module state (Powertools; see isolation.py), imported on first use (a cold start)
  under that environment, so configuration read at import time is the function's own;
- on at most ``max_containers`` containers at once (or its ReservedConcurrentExecutions):
  further invocations queue for a container instead of adding cold starts a loaded process
  cannot afford, so a burst is served slower, never failed;
- within its ``Timeout``, counted from the end of the cold start as on Lambda: past it the
  invocation reports ``Sandbox.Timedout`` (the thread is abandoned; Python cannot kill it);
- with what it prints captured as its log, returned to the caller and written to the log sink.

Every invocation also passes the active faults (faults.py, shaped like AWS FIS's Lambda
actions): an error with or without running the code, a delay before it, or a failing AWS API
call inside it. ``inject`` adds one (``python -m localaws faults`` does it over the endpoint);
``inject_fault`` is the short form for "the next N invocations fail with this error".
"""

from __future__ import annotations

import contextvars
import functools
import io
import json
import os
import queue
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localaws.compat import guard
from localaws.engine import faults as fault_injection
from localaws.engine.faults import Fault, Faults
from localaws.engine.isolation import Namespace
from localaws.engine.quiet import wait_quiet

#: Lambda's quota on a synchronous invocation's request payload: 6 MB, 6,291,456 bytes. AWS
#: refuses a larger Invoke (``RequestEntityTooLargeException``, HTTP 413) before any code runs,
#: so API Gateway answers a 5xx to a request whose proxy event is larger; moto checks nothing.
REQUEST_PAYLOAD_LIMIT = 6_291_456


class RequestTooLarge(Exception):
    """The invocation's payload is over :data:`REQUEST_PAYLOAD_LIMIT`; no code ran."""

    def __init__(self, function_name: str, size: int) -> None:
        super().__init__(
            f"{size} byte payload is too large for the RequestResponse invocation type "
            f"(limit {REQUEST_PAYLOAD_LIMIT} bytes) [{function_name}]"
        )
        self.size = size


def payload_size(event: Any) -> int:
    """The bytes of the JSON Lambda would receive (an event already serialised counts as is).

    moto hands over the Invoke API's payload already parsed, so a parsed event is measured
    as ``json.dumps`` writes it (spaces after separators, non-ASCII escaped): never smaller
    than what a client or API Gateway sends, so the local check is at least as strict."""
    if isinstance(event, bytes):
        return len(event)
    if isinstance(event, str):
        return len(event.encode("utf-8", "surrogatepass"))
    return len(json.dumps(event).encode("utf-8"))


class _Signal:
    """Set once by an invocation's worker, waited on once by its caller: a lock held until
    set (a ``threading.Event`` builds a Condition and a lock; one per invocation added up)."""

    __slots__ = ("_lock", "_set")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()
        self._set = False

    def set(self) -> None:  # from one thread only
        if not self._set:
            self._set = True
            self._lock.release()

    def wait(self, timeout: float) -> bool:
        return self._lock.acquire(timeout=timeout) if timeout > 0 else self._lock.acquire(False)


class _Workers:
    """Threads that run invocations, kept for the next one: starting a thread per
    invocation cost ~2.5% of the stack's CPU under load. A worker runs each invocation in a
    fresh ``contextvars`` context, as a new thread would start; an invocation that outlives
    its caller's wait (a timeout) keeps its worker until it ends. At most ``KEEP`` idle
    workers stay; the pool grows with concurrency."""

    KEEP = 64

    def __init__(self) -> None:
        self._idle: list[queue.SimpleQueue[tuple[Callable[[], None], _Signal]]] = []
        self._lock = threading.Lock()

    def submit(self, task: Callable[[], None], finished: _Signal) -> None:
        """Run ``task`` on an idle worker (or a new one); ``finished`` is set once it has
        ended and its worker is idle again."""
        with self._lock:
            tasks = self._idle.pop() if self._idle else None
        if tasks is None:
            tasks = queue.SimpleQueue()
            threading.Thread(
                target=self._work, args=(tasks,), name="lambda-worker", daemon=True
            ).start()
        tasks.put((task, finished))

    def _work(self, tasks: queue.SimpleQueue[tuple[Callable[[], None], _Signal]]) -> None:
        keep = True
        while keep:
            task, finished = tasks.get()
            try:
                contextvars.Context().run(task)
            finally:
                with self._lock:
                    keep = len(self._idle) < self.KEEP
                    if keep:
                        self._idle.append(tasks)
                finished.set()


_WORKERS = _Workers()


@dataclass
class FunctionSpec:
    """What template.yaml says about one function, resolved."""

    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    reserved_concurrency: int | None = None


@dataclass
class Invocation:
    """One finished invocation, as a log line for people and a record for tests."""

    function: str
    request_id: str
    duration_ms: float
    error_type: str | None
    cold_start: bool
    logs: str
    event: Any = None
    result: Any = None


@dataclass
class _Container:
    """One execution environment: its own copy of the handler module and of the libraries
    that keep module state (see isolation.py); one invocation at a time."""

    module: Any
    namespace: Namespace


class _Slot:
    """A function's concurrency taken by one invocation, given back exactly once."""

    def __init__(self, limit: threading.BoundedSemaphore) -> None:
        self._limit = limit
        self._held = False
        self._lock = threading.Lock()

    def acquire(self, timeout: float | None) -> bool:
        self._held = self._limit.acquire(timeout=timeout)
        return self._held

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._limit.release()


class _ThreadEnviron(MutableMapping[str, str]):
    """``os.environ`` with a per-thread overlay: what a function sees is its own environment."""

    def __init__(self, base: MutableMapping[str, str]) -> None:
        self._base = base
        self._local = threading.local()

    @property
    def overlay(self) -> dict[str, str] | None:
        return getattr(self._local, "env", None)

    def set_overlay(self, env: dict[str, str] | None) -> None:
        self._local.env = env

    def _view(self) -> MutableMapping[str, str]:
        env = self.overlay
        return self._base if env is None else env

    def __getitem__(self, key: str) -> str:
        return self._view()[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._view()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._view()[key]

    def __iter__(self) -> Iterator[str]:
        view = self._view()
        for _ in range(10):  # another thread may set a variable while we copy the names
            try:
                return iter(list(view))
            except RuntimeError:
                continue
        return iter(list(view))

    def __len__(self) -> int:
        return len(self._view())

    def copy(self) -> dict[str, str]:
        return dict(self._view())


class _ThreadStdout(io.TextIOBase):
    """``sys.stdout`` that sends what an invocation prints to that invocation's log buffer."""

    # Shared by every instance: a logger may hold an older wrapper (test runners swap stdout).
    _local = threading.local()

    def __init__(self, real: Any) -> None:
        self._real = real

    def write(self, s: str) -> int:
        buffer = getattr(self._local, "buffer", None)
        return (buffer or self._real).write(s)

    def flush(self) -> None:
        if getattr(self._local, "buffer", None) is None:
            self._real.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


class ImportModuleError(Exception):
    """Lambda's ``Runtime.ImportModuleError``: the handler module failed to load."""


def _wrap_stdout() -> None:
    """Keep sys.stdout a capturing wrapper (a test runner may have swapped it since)."""
    if not isinstance(sys.stdout, _ThreadStdout):
        sys.stdout = _ThreadStdout(sys.stdout)


class LambdaRuntime:
    """Registry of deployed functions and the patch that runs them when moto invokes them."""

    def __init__(
        self,
        endpoint_env: dict[str, str],
        on_invocation: Callable[[Invocation], None],
        max_containers: int | None = None,
    ):
        #: Containers per function at most; more invocations queue for one (see module doc).
        self.max_containers = max_containers or int(
            os.environ.get("LOCALAWS_MAX_CONTAINERS", DEFAULT_MAX_CONTAINERS)
        )
        self._limits: dict[str, threading.BoundedSemaphore] = {}
        self._endpoint_env = endpoint_env
        self._on_invocation = on_invocation
        self._specs: dict[str, FunctionSpec] = {}
        self._idle: dict[str, list[_Container]] = {}
        #: The active faults (FIS-shaped; see faults.py).
        self.faults = Faults()
        self._lock = threading.Lock()
        self.invocations: list[Invocation] = []
        self._in_flight = 0
        self._installed = False

    # -- registry -------------------------------------------------------------------------
    def register(self, spec: FunctionSpec) -> None:
        with self._lock:
            self._specs[spec.name] = spec
            for container in self._idle.pop(spec.name, []):
                container.namespace.discard()
            cap = self.max_containers
            if spec.reserved_concurrency is not None:
                cap = max(1, min(cap, spec.reserved_concurrency))
            self._limits[spec.name] = threading.BoundedSemaphore(cap)

    def _limit(self, spec: FunctionSpec) -> threading.BoundedSemaphore:
        with self._lock:
            return self._limits.setdefault(
                spec.name, threading.BoundedSemaphore(self.max_containers)
            )

    def spec(self, name_or_logical_id: str) -> FunctionSpec:
        """A function by name, logical id or ARN; a qualified one (``name:live``,
        ``arn:...:function:name:3``) names its function: every version runs the same code."""
        unqualified = unqualified_name(name_or_logical_id)
        for spec in self._specs.values():
            if {name_or_logical_id, unqualified} & {spec.name, spec.logical_id, spec.arn}:
                return spec
        raise KeyError(f"no local function {name_or_logical_id!r}")

    @property
    def functions(self) -> list[FunctionSpec]:
        return list(self._specs.values())

    def inject(self, function: str, action: str, **parameters: Any) -> Fault:
        """Add a fault on ``function`` (name, logical id or ARN); ``parameters`` are
        :class:`faults.Fault`'s (``percentage``, ``duration``, ``prevent_execution``,
        ``delay_ms``, ``service``, ``operation``, ``error``, ``times``)."""
        spec = self.spec(function)
        return self.faults.add(
            Fault(function=spec.name, logical_id=spec.logical_id, action=action, **parameters)
        )

    def inject_fault(
        self, function: str, error_type: str, message: str = "injected fault", times: int = 1
    ) -> None:
        """The next ``times`` invocations of ``function`` fail with ``error_type``; no code runs."""
        self.inject(
            function,
            fault_injection.INVOCATION_ERROR,
            error=error_type,
            message=message,
            times=times,
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- the patch ------------------------------------------------------------------------
    def install(self) -> None:
        """Route moto's single code-running method to :meth:`invoke` (see guard.py)."""
        if self._installed:
            return
        environ = os.environ
        if not isinstance(environ, _ThreadEnviron):
            os.environ = _ThreadEnviron(environ)  # type: ignore[assignment]  # noqa: B003
        _wrap_stdout()
        runtime = self
        lambda_function = guard.lambda_function_class()

        def _invoke_lambda(self: Any, event: str | None = None) -> tuple[str, bool, str]:
            try:
                return runtime.invoke(self.function_name, event)
            except RequestTooLarge as exc:
                # The Invoke API's own error, as AWS answers it (not a function error).
                raise guard.too_large_error(str(exc)) from None

        lambda_function._invoke_lambda = _invoke_lambda
        self._installed = True

    def invoke(
        self, function_name: str, event: Any, timeout: float | None = None
    ) -> tuple[str, bool, str]:
        """Run one invocation; return (payload, is_error, logs) as moto expects.

        ``timeout`` lets a caller with a shorter deadline (API Gateway's 29 s) stop waiting
        sooner, counted like the function's own ``Timeout`` from the end of the cold start."""
        spec = self._specs.get(function_name)
        if spec is None:
            err = {"errorType": "ResourceNotFoundException", "errorMessage": function_name}
            return json.dumps(err), True, ""
        size = payload_size(event)
        if size > REQUEST_PAYLOAD_LIMIT:
            raise RequestTooLarge(spec.name, size)
        if isinstance(event, (str, bytes)):
            event = json.loads(event or "{}")
        request_id = str(uuid.uuid4())
        plan = self.faults.for_invocation(spec.name)
        started = time.perf_counter()
        if not plan.runs:
            payload = plan.payload()
            error_type = payload["errorType"]
            self._record(spec, request_id, started, error_type, False, "", event, payload)
            return json.dumps(payload), True, f"injected {error_type}\n"

        outcome: dict[str, Any] = {}
        logs = io.StringIO()
        # Queue for a container, as invocations of a function at its reserved concurrency
        # would; a caller with a deadline (API Gateway) stops waiting at it.
        slot = _Slot(self._limit(spec))
        if not slot.acquire(QUEUE_LIMIT):
            payload = {"errorType": "Sandbox.Timedout", "errorMessage": "no container in time"}
            self._record(spec, request_id, started, "Sandbox.Timedout", False, "", event, payload)
            return json.dumps(payload), True, ""
        with self._lock:
            self._in_flight += 1
        running, finished = _Signal(), _Signal()
        _WORKERS.submit(
            functools.partial(
                self._run, spec, event, request_id, logs, outcome, slot, running, plan.delay_ms
            ),
            finished,
        )
        # The function's Timeout counts from the end of its init (a cold start), as on Lambda;
        # so does a caller's deadline: the time a burst spends queued for a container or in a
        # slow cold start is the local engine's, not the function's (see aws-differences.md).
        if running.wait(INIT_LIMIT):
            limit = float(spec.timeout if timeout is None else min(spec.timeout, timeout))
            done = finished.wait(limit)
        else:
            done = finished.wait(0)
        with self._lock:
            self._in_flight -= 1
        if not done:
            slot.release()  # the container is thrown away; its thread cannot be stopped
            error_type = "Sandbox.Timedout"
            payload = {
                "errorType": error_type,
                "errorMessage": f"{request_id} Task timed out after {spec.timeout:.2f} seconds",
            }
            outcome = {"error": payload, "cold": False}
        error = outcome.get("error")
        text = logs.getvalue()
        if error is None and plan.error is not None:
            # preventExecution false: the code ran and its effects landed; the caller still
            # sees the error (as after a lost response), and its Retry runs it again.
            error = plan.payload()
            text += f"injected {error['errorType']} after the function ran\n"
        self._record(
            spec,
            request_id,
            started,
            error["errorType"] if error else None,
            bool(outcome.get("cold")),
            text,
            event,
            error or outcome.get("result"),
        )
        if error:
            return json.dumps(error), True, text
        return outcome["payload"], False, text

    def wait_idle(self, quiet: float = 0.1, timeout: float = 30) -> None:
        """Return once no invocation has been running for ``quiet`` seconds (tests use this
        to measure one saga's logs and metrics without another's in flight)."""

        def busy() -> bool:
            with self._lock:
                return self._in_flight > 0

        wait_quiet(busy, quiet, timeout, "Lambda invocations")

    # -- internals ------------------------------------------------------------------------
    def _environment(self, spec: FunctionSpec) -> dict[str, str]:
        # Look the few inherited names up one by one: iterating os.environ races with a
        # thread that sets a variable (deploying a stack does) and raises RuntimeError.
        env = {k: v for k in _INHERITED if (v := os.environ.get(k)) is not None}
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "_HANDLER": spec.handler,
                "LAMBDA_TASK_ROOT": str(spec.code_dir),
                # No X-Ray daemon here: Powertools Tracer stays off instead of timing out.
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        env.update(self._endpoint_env)
        env.update(spec.environment)
        return env

    def _run(
        self,
        spec: FunctionSpec,
        event: Any,
        request_id: str,
        logs: io.StringIO,
        outcome: dict[str, Any],
        slot: _Slot,
        running: _Signal,
        delay_ms: int = 0,
    ) -> None:
        environ = os.environ
        assert isinstance(environ, _ThreadEnviron), "LambdaRuntime.install() first"
        _wrap_stdout()
        environ.set_overlay(self._environment(spec))
        _ThreadStdout._local.buffer = logs
        container: _Container | None = None
        started = time.monotonic()
        try:
            container, cold = self._acquire(spec)
            started = time.monotonic()
            running.set()
            if delay_ms:
                # invocation-add-delay: before the code, within the Timeout. Past it, the
                # sandbox is stopped before the code runs (a thread cannot be killed later).
                time.sleep(delay_ms / 1000)
                if time.monotonic() - started >= spec.timeout:
                    outcome["error"] = {
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"{request_id} Task timed out after "
                        f"{spec.timeout:.2f} seconds (injected delay {delay_ms} ms)",
                    }
                    return
            handler = getattr(container.module, spec.handler.rsplit(".", 1)[1])
            context = _Context(spec, request_id)
            result = handler(event, context)
            payload = json.dumps(result)  # Lambda refuses a result it cannot serialise
            outcome.update(result=result, payload=payload, cold=cold)
        except BaseException as exc:
            logs.write(traceback.format_exc())
            error_type = type(exc).__name__
            if isinstance(exc, ImportModuleError):
                error_type = "Runtime.ImportModuleError"
            outcome["error"] = {
                "errorType": error_type,
                "errorMessage": str(exc),
                "stackTrace": function_frames(exc),
            }
        finally:
            _ThreadStdout._local.buffer = None
            environ.set_overlay(None)
            running.set()
            # A container whose invocation timed out is thrown away, as Lambda resets it.
            if container is not None:
                if time.monotonic() - started <= spec.timeout:
                    with self._lock:
                        self._idle.setdefault(spec.name, []).append(container)
                else:
                    container.namespace.discard()
            slot.release()

    def _acquire(self, spec: FunctionSpec) -> tuple[_Container, bool]:
        """An idle container of this function (warm), or a new one (a cold start): like
        Lambda, each container runs one invocation at a time and concurrency adds containers."""
        with self._lock:
            idle = self._idle.get(spec.name)
            if idle:
                return idle.pop(), False
        module_path = handler_module(spec.handler)
        if str(spec.code_dir) not in sys.path:
            sys.path.insert(0, str(spec.code_dir))
        namespace = Namespace(str(spec.code_dir), _top_level_names(spec.code_dir))
        try:
            module = namespace.load(module_path)
        except Exception as exc:
            namespace.discard()
            raise ImportModuleError(f"Unable to import module '{module_path}': {exc}") from exc
        return _Container(module, namespace), True

    def _record(
        self,
        spec: FunctionSpec,
        request_id: str,
        started: float,
        error_type: str | None,
        cold: bool,
        logs: str,
        event: Any,
        result: Any,
    ) -> None:
        inv = Invocation(
            function=spec.logical_id,
            request_id=request_id,
            duration_ms=(time.perf_counter() - started) * 1000,
            error_type=error_type,
            cold_start=cold,
            logs=logs,
            event=event,
            result=result,
        )
        with self._lock:
            self.invocations.append(inv)
            # The newest 10,000 (tests read `invocations[before:]`; the event functions add
            # two invocations per table write, which took a test session past 1,000).
            del self.invocations[:-10_000]
        self._on_invocation(inv)


_ENGINE_DIR = str(Path(__file__).resolve().parents[1])


def function_frames(exc: BaseException) -> list[str]:
    """The traceback as Lambda's ``stackTrace`` shows it: the function's (and its libraries')
    frames, none of the emulator's own that called the handler."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(_ENGINE_DIR)
    ]
    return traceback.format_list(frames)


def report_unhandled() -> None:
    """Lambda reports an exception a Python handler raised as ``FunctionError: Unhandled``;
    moto's ``LambdaFunction.invoke`` hard-codes ``Handled``."""
    cls = guard.lambda_function_class()
    original = guard.lambda_invoke_method()

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> Any:
        result = original(self, body, request_headers, response_headers)
        if "x-amz-function-error" in response_headers:
            response_headers["x-amz-function-error"] = "Unhandled"
        return result

    cls.invoke = invoke


def unqualified_name(name: str) -> str:
    """``arn:aws:lambda:r:a:function:f:live`` → the ARN without ``:live``; ``f:3`` → ``f``."""
    parts = name.split(":")
    if name.startswith("arn:") and len(parts) == 8:
        return ":".join(parts[:7])
    if not name.startswith("arn:") and len(parts) == 2:
        return parts[0]
    return name


def handler_module(handler: str) -> str:
    """The module a handler names: ``hello_world/app.lambda_handler`` is ``hello_world.app``,
    as Lambda's Python runtime reads a path-style handler."""
    return handler.rpartition(".")[0].replace("/", ".")


def _top_level_names(code_dir: Path) -> set[str]:
    """The packages and modules a function's code directory holds (its deployment package)."""
    names = set()
    for entry in code_dir.iterdir():
        if entry.suffix == ".py":
            names.add(entry.stem)
        elif (entry / "__init__.py").exists():
            names.add(entry.name)
    return names


#: Containers per function. In one process, more containers than cores add cold starts (each
#: a fresh import of the code and Powertools), not throughput; more invocations queue.
DEFAULT_MAX_CONTAINERS = 4
#: How long a cold start may take. Lambda allows 10 s; a loaded 2-core machine running the
#: whole account in one process can be slower than a Lambda sandbox, so locally it is longer,
#: and it does not count against the function's Timeout (as on Lambda).
INIT_LIMIT = 60.0
#: How long an invocation may wait for a container before it is given up.
QUEUE_LIMIT = 600.0

# Variables a function inherits from the host (Lambda's own set, plus the local endpoint).
_INHERITED = frozenset({"PATH", "LANG", "TZ", "HOME", "PYTHONPATH", "TMPDIR"})


class _Context:
    """The LambdaContext fields Powertools and handlers read."""

    def __init__(self, spec: FunctionSpec, request_id: str) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"localaws/{request_id}"
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
