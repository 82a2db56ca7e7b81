"""DynamoDB Streams -> Lambda after the write, not inside it (a stop-gap until the pollers).

moto invokes a stream's function synchronously inside the table write, while localaws holds
the DynamoDB lock that keeps writes atomic (cloud._serialise_backends): a function that
writes any table from there (the event publisher -> bus -> queue -> search projector) waits
for that lock forever. Here the records are taken as they are at the write and handed to one
worker per function, in order (a shard is processed in order on AWS too), after the write.

moto also hands a transaction's records to the function as it applies each item, before it
knows whether the transaction commits (it restores the tables when it is cancelled, not the
invocations made meanwhile). On AWS a cancelled transaction leaves nothing on the stream, so
records written inside a transaction are held here until it returns, and dropped if it raises.

Retries, partial batch failures, bisection and the on-failure destination are not emulated
here; localaws.pollers (issue 10, event plumbing) replaces this module when it lands.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from localaws import guard

_lock = threading.Lock()
_workers: dict[str, queue.Queue[tuple[Any, str] | None]] = {}
_pending = 0
_installed = False
_in_transaction = threading.local()


def install() -> None:
    """Patch moto's stream sender once per process."""
    global _installed
    if _installed:
        return
    backend = guard.lambda_backend_class()
    original = backend.send_dynamodb_items

    def send_dynamodb_items(self: Any, function_arn: str, items: list[Any], source: str) -> str:
        event = _event(self, original, items, source)
        held = getattr(_in_transaction, "held", None)
        if held is not None:
            held.append((self, function_arn, event))
        else:
            _submit(self, function_arn, event)
        return "queued"  # truthy: moto forgets the records it has handed over

    backend.send_dynamodb_items = send_dynamodb_items

    dynamodb = guard.dynamodb_backend_class()
    transact = dynamodb.transact_write_items

    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        held: list[tuple[Any, str, str]] = []
        _in_transaction.held = held
        try:
            result = transact(self, *args, **kwargs)
        finally:
            _in_transaction.held = None
        for lambdas, function_arn, event in held:  # committed: now the stream has them
            _submit(lambdas, function_arn, event)
        return result

    dynamodb.transact_write_items = transact_write_items
    _installed = True


def _event(backend: Any, original: Any, items: list[Any], source: str) -> str:
    """The event moto would have sent, built now (the records as they are at this write)."""
    captured: dict[str, str] = {}

    class _Capture:
        def invoke(self, event: str, *_: Any) -> str:
            captured["event"] = event
            return "null"

    class _Lambdas:
        def get_arn(self, arn: str) -> _Capture:
            return _Capture()

    shim = type("_Backend", (), {"_lambdas": _Lambdas(), "region_name": backend.region_name})()
    original(shim, "captured", items, source)
    return captured["event"]


def _submit(backend: Any, function_arn: str, event: str) -> None:
    global _pending
    with _lock:
        work = _workers.get(function_arn)
        if work is None:
            work = queue.Queue()
            _workers[function_arn] = work
            threading.Thread(
                target=_run, args=(backend, function_arn, work), daemon=True, name="stream"
            ).start()
        _pending += 1
    work.put((backend, event))


def _run(backend: Any, function_arn: str, work: queue.Queue[tuple[Any, str] | None]) -> None:
    global _pending
    while True:
        job = work.get()
        if job is None:
            return
        owner, event = job
        try:
            owner._lambdas.get_arn(function_arn).invoke(event, {}, {})
        except Exception:
            pass
        finally:
            with _lock:
                _pending -= 1


def wait_quiet(timeout: float = 10.0) -> None:
    """Return once every stream batch handed over so far has been delivered (tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if _pending == 0:
                return
        time.sleep(0.005)
    raise TimeoutError(f"stream deliveries still running after {timeout}s")
