"""The AWS calls one complete booking makes, per function and operation (issue 13).

    .venv/bin/python benchmarks/calls_per_booking.py [--bookings 3] [--json]

On the local engine, in-process: a guest books through the bookings API (POST /bookings), the
saga runs to AWAITING_APPROVAL, the hotel's manager approves through the API, the saga
confirms, and the changes flow on through the streams, the bus and the search projection's
queue. Every call a Lambda function makes through botocore is recorded (as
``tests/fixtures/iam_calls.CallRecorder`` does, by ``AWS_LAMBDA_FUNCTION_NAME``), with
ConsistentRead or not and, for DynamoDB, the request units it costs on an on-demand table
(item sizes as DynamoDB counts them). Also printed: the state transitions of the execution,
each function's invocations and measured durations, and the messages and events sent:
what ``docs/performance.md`` ("What a booking costs on AWS") prices.

The first booking warms the containers; the figures are the mean of the ``--bookings`` after it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.product import LOCAL_PARAMETERS  # noqa: E402
from hotel_booking.models import BookingStatus  # noqa: E402
from localaws.cloud import LocalCloud  # noqa: E402
from localaws.engine.lambdas import Invocation  # noqa: E402
from tests.fixtures.api_client import ApiClient  # noqa: E402
from tests.fixtures.events import claims  # noqa: E402

#: The stack's own functions, in the order a booking reaches them.
ORDER = (
    "BookingsApiFunction",
    "ReserveRoomFunction",
    "RecordPaymentFunction",
    "NotifyManagerFunction",
    "ConfirmBookingFunction",
    "EventPublisherFunction",
    "SearchProjectorFunction",
)


@dataclass(frozen=True)
class Call:
    function: str
    service: str
    operation: str
    table: str
    consistent: bool
    #: DynamoDB request units: read (RRU) and write (WRU), on-demand.
    rru: float
    wru: float
    outcome: str
    #: Entries of a batch call (PutEvents): EventBridge bills each 64 KB entry as an event.
    entries: int = 0


def item_size(item: dict[str, Any]) -> int:
    """Bytes as DynamoDB counts them: attribute names plus values (low-level JSON form)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, v), *_ = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = Decimal(v).normalize().as_tuple().digits
        return 1 + math.ceil(len(digits) / 2)
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + _value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(x) for k, x in v.items())
    raise ValueError(kind)


class Recorder:
    """Wraps ``BaseClient._make_api_call`` and notes each call made inside a function."""

    def __init__(self, sizes: dict[tuple[str, str], int]) -> None:
        self.raw: list[tuple[str, str, str, dict[str, Any], int, str]] = []
        self.functions: dict[str, str] = {}  # physical name -> logical id
        self._sizes = sizes  # (table, key json) -> largest item size seen, bytes
        self._lock = threading.Lock()
        self._original: Any = None
        self.on = False

    def install(self) -> None:
        original = self._original = BaseClient._make_api_call
        recorder = self

        def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
            if not function or not recorder.on:
                return original(client, operation, params)
            service = client.meta.service_model.service_name
            try:
                result = original(client, operation, params)
            except ClientError as exc:
                recorder._note(function, service, operation, params, None, exc)
                raise
            recorder._note(function, service, operation, params, result, None)
            return result

        BaseClient._make_api_call = recording  # type: ignore[method-assign]

    def uninstall(self) -> None:
        BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def _note(
        self,
        function: str,
        service: str,
        operation: str,
        params: dict[str, Any],
        result: dict[str, Any] | None,
        error: ClientError | None,
    ) -> None:
        outcome = "ok" if error is None else str(error.response["Error"]["Code"])
        read = sum(item_size(i) for i in (result or {}).get("Items", []))
        with self._lock:
            self.raw.append((function, service, operation, params, read, outcome))

    def priced(self) -> list[Call]:
        """The calls with their request units, by the item sizes known now."""
        calls = []
        for function, service, operation, params, read, outcome in self.raw:
            table = str(params.get("TableName", ""))
            rru = wru = 0.0
            if service == "dynamodb":
                rru, wru, table = self._units(operation, params, read, table)
            calls.append(
                Call(
                    self.functions.get(function, function),
                    service,
                    operation,
                    table,
                    bool(params.get("ConsistentRead")),
                    rru,
                    wru,
                    outcome,
                    len(params.get("Entries", [])),
                )
            )
        return calls

    def _size(self, table: str, key: dict[str, Any]) -> int:
        return self._sizes.get((table, json.dumps(key, sort_keys=True)), 1)

    def _units(
        self,
        operation: str,
        params: dict[str, Any],
        read: int,
        table: str,
    ) -> tuple[float, float, str]:
        """On-demand request units of one call: a read is 4 KB per unit (half for an
        eventually consistent one), a write 1 KB per unit of the larger of the item before
        and after, a transaction twice that per item; a refused write still costs its units."""
        if operation == "GetItem":
            size = self._size(table, params["Key"])
            units = math.ceil(max(size, 1) / 4096)
            return (units if params.get("ConsistentRead") else units / 2), 0.0, table
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            key = params.get("Key") or _key_of(table, params["Item"])
            return 0.0, math.ceil(max(self._size(table, key), 1) / 1024), table
        if operation == "TransactWriteItems":
            wru = 0.0
            tables = []
            for entry in params["TransactItems"]:
                (_, spec), *_ = entry.items()
                key = spec.get("Key") or _key_of(spec["TableName"], spec["Item"])
                wru += 2 * math.ceil(max(self._size(spec["TableName"], key), 1) / 1024)
                tables.append(spec["TableName"])
            return 0.0, wru, "+".join(sorted(set(tables)))
        if operation in ("Query", "Scan"):
            units = math.ceil(max(read, 1) / 4096)
            return (units if params.get("ConsistentRead") else units / 2), 0.0, table
        if operation == "BatchWriteItem":
            n = sum(len(v) for v in params["RequestItems"].values())
            return 0.0, float(n), "+".join(params["RequestItems"])
        return 0.0, 0.0, table


_KEYS: dict[str, list[str]] = {}


def _key_of(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in _KEYS.get(table, []) if k in item}


def measure_sizes(cloud: LocalCloud, sizes: dict[tuple[str, str], int]) -> None:
    """The size of every item now in the stack's tables (the largest an item ever was is
    what its last write was charged for, within a booking items only grow)."""
    db = cloud.client("dynamodb")
    for name in db.list_tables()["TableNames"]:
        schema = db.describe_table(TableName=name)["Table"]["KeySchema"]
        _KEYS[name] = [k["AttributeName"] for k in schema]
        for page in db.get_paginator("scan").paginate(TableName=name):
            for item in page["Items"]:
                key = json.dumps({k: item[k] for k in _KEYS[name]}, sort_keys=True)
                sizes[(name, key)] = max(sizes.get((name, key), 0), item_size(item))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    sizes: dict[tuple[str, str], int] = {}
    recorder = Recorder(sizes)
    invocations: list[Invocation] = []
    with LocalCloud(
        retry_time_scale=0.001, on_invocation=invocations.append, local_parameters=LOCAL_PARAMETERS
    ) as cloud:
        stack = cloud.deploy(ROOT / "template.yaml", stack_name="calls")
        recorder.functions = {
            r.ref: r.logical_id for r in stack.of_type("AWS::Lambda::Function")
        } | {r.ref: r.logical_id for r in stack.of_type("AWS::Serverless::Function")}
        api = ApiClient(cloud, stack)
        hotel = api.create_hotel(rooms=50)
        manager = api.manager(hotel["managerEmail"])
        recorder.install()
        booking_ids: list[str] = []
        transitions: list[int] = []
        seen = 0
        try:
            for n in range(args.bookings + 1):
                api.settle()
                if n == 1:  # the first booking warmed every container up
                    recorder.raw.clear()
                    seen = len(invocations)
                recorder.on = True
                guest = claims(f"guest{n}-sub", f"guest{n}@example.com")
                booking_id = str(api.book(hotel, guest)["bookingId"])
                api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
                path = f"/bookings/{booking_id}/decision"
                resp = api.bookings("POST", path, body={"decision": "approve"}, claims=manager)
                assert resp.status == 200, resp.body
                api.saga.wait_status(booking_id, BookingStatus.CONFIRMED)
                api.saga.wait_done(booking_id)
                api.settle()
                recorder.on = False
                booking_ids.append(booking_id)
                transitions.append(_transitions(api, booking_id))
            measure_sizes(cloud, sizes)
            calls = recorder.priced()
        finally:
            recorder.uninstall()
        ses = len(cloud.ses_messages())
    measured = invocations[seen:]
    report(calls, measured, transitions[1:], args.bookings, ses, args.json)


def _transitions(api: ApiClient, booking_id: str) -> int:
    """State transitions as Step Functions bills them: every state entered (the start and
    the end of the execution are not transitions)."""
    return len(api.saga.visited(booking_id))


def report(
    calls: list[Call],
    invocations: list[Invocation],
    transitions: list[int],
    bookings: int,
    ses_total: int,
    as_json: bool,
) -> None:
    per = Counter((c.function, c.service, c.operation, c.table, c.consistent) for c in calls)
    units: dict[tuple[str, str, str, str, bool], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in calls:
        key = (c.function, c.service, c.operation, c.table, c.consistent)
        units[key][0] += c.rru
        units[key][1] += c.wru
    durations: dict[str, list[float]] = defaultdict(list)
    for inv in invocations:
        durations[inv.function].append(inv.duration_ms)
    rank = {name: i for i, name in enumerate(ORDER)}
    rows = sorted(per, key=lambda k: (rank.get(k[0], 99), k[0], k[1], k[2], k[3]))
    total_rru = sum(c.rru for c in calls) / bookings
    total_wru = sum(c.wru for c in calls) / bookings
    figures = {
        "bookings": bookings,
        "calls_per_booking": len(calls) / bookings,
        "rru_per_booking": total_rru,
        "wru_per_booking": total_wru,
        "state_transitions": statistics.mean(transitions),
        "eventbridge_entries": sum(c.entries for c in calls) / bookings,
        "invocations": {f: len(d) / bookings for f, d in sorted(durations.items())},
        "duration_ms_mean": {f: statistics.mean(d) for f, d in sorted(durations.items())},
        "calls": [
            {
                "function": k[0],
                "service": k[1],
                "operation": k[2],
                "table": k[3],
                "consistent": k[4],
                "per_booking": per[k] / bookings,
                "rru": units[k][0] / bookings,
                "wru": units[k][1] / bookings,
            }
            for k in rows
        ],
    }
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    print(f"AWS calls per complete booking (mean of {bookings}, after one warm-up booking)")
    print(
        f"{'function':<26} {'operation':<34} {'table':<24} {'CR':<3} {'n':>5} {'RRU':>6} {'WRU':>6}"
    )
    for k in rows:
        function, service, operation, table, consistent = k
        print(
            f"{function:<26} {service + ':' + operation:<34} {_short(table):<24} "
            f"{'yes' if consistent else '':<3} {per[k] / bookings:>5.1f} "
            f"{units[k][0] / bookings:>6.1f} {units[k][1] / bookings:>6.1f}"
        )
    print(f"{'total':<89}{len(calls) / bookings:>5.1f} {total_rru:>6.1f} {total_wru:>6.1f}")
    by_function = Counter(c.function for c in calls)
    print("\nper function: " + ", ".join(f"{f} {n / bookings:.1f}" for f, n in by_function.items()))
    refused = Counter(c.outcome for c in calls if c.outcome != "ok")
    if refused:
        print(
            "refused calls (still billed): "
            + ", ".join(f"{k} {v / bookings:.1f}" for k, v in refused.items())
        )
    print(f"state transitions (states entered): {statistics.mean(transitions):.0f}")
    print(f"EventBridge entries put: {sum(c.entries for c in calls) / bookings:.1f}")
    print("Lambda invocations per booking and mean duration (local, in-process):")
    for function in sorted(durations, key=lambda f: rank.get(f, 99)):
        d = durations[function]
        print(f"  {function:<26} {len(d) / bookings:>4.1f} x {statistics.mean(d):7.1f} ms")
    print(f"SES messages in the run: {ses_total} ({bookings + 1} bookings)")


def _short(table: str) -> str:
    """Stack table names without the stack prefix and suffix."""
    parts = []
    for name in table.split("+"):
        for known in (
            "BookingsTable",
            "InventoryTable",
            "HotelsTable",
            "PaymentsTable",
            "ApprovalsTable",
            "SearchTable",
            "CircuitTable",
            "IdempotencyTable",
        ):
            if known.lower().removesuffix("table") in name.lower():
                parts.append(known.removesuffix("Table"))
                break
        else:
            parts.append(name)
    return "+".join(parts)


if __name__ == "__main__":
    main()
