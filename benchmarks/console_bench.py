"""The execution console with 1,000 executions: how long the list takes to load.

    .venv/bin/python benchmarks/console_bench.py [--executions 1000] [--runs 15]

Starts the local stack (`make run`'s LocalStack on free ports), runs --executions short
bookings through the real saga (most sold out, some declined, some with malformed input, a few
confirmed and a few left awaiting approval, so the list has every kind of row), then times over
real HTTP on loopback:

- GET /console/                      the list page (1,000 rows, hotels joined)
- GET /console/api/executions        the same as JSON
- GET /console/?status=SUCCEEDED     a filtered list
- GET /console/executions/<id>       one execution page (history, picture, booking record)
- python -m support_console executions list --limit 1000, run in-process against the endpoint

Reading a booking's hotel costs ~0.6 ms on the local stack (moto's DynamoDB), so the console
keeps what a finished execution's booking said (it never changes) and reads ahead, every 2 s,
the hotels of newly finished executions. "new reader" is the cost without any of that: what
the CLI pays on every run.

Target (issue #5): the list loads in under a second with 1,000 executions.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.run import LocalStack, Ports  # noqa: E402
from hotel_booking.dal.approvals import ApprovalsTable  # noqa: E402
from hotel_booking.dal.bookings import BookingsTable  # noqa: E402
from hotel_booking.dal.executions import Executions  # noqa: E402
from hotel_booking.dal.hotels import HotelsTable  # noqa: E402
from hotel_booking.logic.approvals import decide  # noqa: E402
from hotel_booking.logic.ids import approval_id_for  # noqa: E402
from hotel_booking.models import Decision, Hotel  # noqa: E402
from localaws.cloud import free_port  # noqa: E402
from support_console.cli import main as cli  # noqa: E402
from support_console.executions import Inspector, Resources  # noqa: E402

CHECK_IN = dt.date.today() + dt.timedelta(days=45)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    out, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


class Bookings:
    """Short bookings through the deployed saga, started the way the API starts them."""

    def __init__(self, stack: LocalStack) -> None:
        assert stack.stack is not None
        self.cloud = stack.cloud
        self.sfn = stack.cloud.client("stepfunctions")
        self.arn = stack.stack.ref("BookingStateMachine")
        dynamodb = stack.cloud.client("dynamodb")
        self.hotels = HotelsTable(dynamodb, stack.stack.ref("HotelsTable"))
        self.bookings = BookingsTable(dynamodb, stack.stack.ref("BookingsTable"))
        self.approvals = ApprovalsTable(dynamodb, stack.stack.ref("ApprovalsTable"))

    def hotel(self, hotel_id: str, name: str, rooms: int) -> str:
        now = dt.datetime.now(dt.UTC)
        self.hotels.create(
            Hotel(
                hotelId=hotel_id,
                name=name,
                city="Lisbon",
                stars=4,
                pricePerNight="100.00",  # type: ignore[arg-type]
                rooms=rooms,
                managerEmail="manager@example.com",
                createdAt=now,
                updatedAt=now,
            )
        )
        return hotel_id

    def run(self, booking_id: str, hotel_id: str, token: str, then: str) -> None:
        """Start one booking; ``then``: wait (until it ends), approve, or leave (running)."""
        request: dict[str, Any] = {
            "bookingId": booking_id,
            "hotelId": hotel_id,
            "guest": {"sub": "bench", "name": "Bench Guest", "email": "bench@example.com"},
            "checkIn": CHECK_IN.isoformat(),
            "checkOut": (CHECK_IN + dt.timedelta(days=1)).isoformat(),
            "rooms": 1,
            "paymentToken": token,
        }
        if then == "malformed":
            request = {"bookingId": booking_id, "hotelId": hotel_id, "rooms": "many"}
        self.sfn.start_execution(
            stateMachineArn=self.arn, name=booking_id, input=json.dumps(request)
        )
        if then == "leave":
            self._wait(lambda: self._status(booking_id) == "AWAITING_APPROVAL")
            return
        if then == "approve":
            self._wait(lambda: self._status(booking_id) == "AWAITING_APPROVAL")
            decide(
                self.approvals,
                Executions(self.sfn),
                approval_id_for(booking_id),
                Decision.APPROVE,
                "manager@example.com",
                None,
            )
        execution_arn = self.arn.replace(":stateMachine:", ":execution:") + f":{booking_id}"
        self._wait(
            lambda: self.sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING"
        )

    def _status(self, booking_id: str) -> str | None:
        booking = self.bookings.get(booking_id)
        return None if booking is None else str(booking.status)

    @staticmethod
    def _wait(done: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("a booking did not get there in time")
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--workers", type=int, default=12, help="bookings started at once")
    args = parser.parse_args()

    stack = LocalStack(
        Ports(free_port(), free_port(), free_port()), retry_time_scale=0.001, seed=False
    ).start()
    try:
        bookings = Bookings(stack)
        open_hotel = bookings.hotel("h-bench-open", "Harbour Hotel", rooms=500)
        full_hotel = bookings.hotel("h-bench-full", "Old Town Inn", rooms=1)
        n = args.executions
        plan: list[tuple[str, str, str]] = []  # (hotel, token, then)
        plan += [(full_hotel, "tok_visa", "leave")]  # takes the only room: the rest sell out
        plan += [(open_hotel, "tok_visa", "leave")] * max(0, n // 100 - 1)
        plan += [(open_hotel, "tok_visa", "approve")] * (n * 2 // 100)
        plan += [(open_hotel, "tok_chargeDeclined", "wait")] * (n * 5 // 100)
        plan += [(open_hotel, "tok_visa", "malformed")] * (n * 5 // 100)
        plan += [(full_hotel, "tok_visa", "wait")] * (n - len(plan))
        plan = plan[:n]

        print(f"starting {n} bookings through the saga ({args.workers} at a time)…", flush=True)
        t0 = time.perf_counter()
        stamp = int(time.time()) % 100000
        with ThreadPoolExecutor(args.workers) as pool:
            # The first one alone, so it is the one that gets the full hotel's room.
            bookings.run(f"bench-{stamp}-0000", *plan[0])
            list(
                pool.map(
                    lambda item: bookings.run(f"bench-{stamp}-{item[0]:04d}", *item[1]),
                    enumerate(plan[1:], 1),
                )
            )
        seeded = time.perf_counter() - t0
        print(f"  done in {seeded:.1f} s ({n / seeded:.1f} bookings/s)\n", flush=True)

        http = requests.Session()
        base = stack.web_url
        declined = next(
            f"bench-{stamp}-{i:04d}" for i, p in enumerate(plan) if p[1] == "tok_chargeDeclined"
        )

        def get(path: str) -> requests.Response:
            resp = http.get(base + path, timeout=30)
            assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
            return resp

        def run_cli() -> str:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli(["list", "--limit", "1000", "--endpoint", stack.aws_url])
            assert code == 0
            return out.getvalue()

        # The first look at the list once the bookings have run.
        t_first = time.perf_counter()
        first_page = get("/console/")
        first = (time.perf_counter() - t_first) * 1000

        listing = get("/console/api/executions").json()
        assert listing["count"] == n, listing["count"]
        statuses = Counter(e["status"] for e in listing["executions"])
        with_hotel = sum(1 for e in listing["executions"] if e["hotelId"])
        print(
            f"{listing['count']} executions listed: "
            + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            + f"; {with_hotel} with a booking record (hotel)\n"
        )
        print(
            f"first GET /console/ after the bookings: {first:.0f} ms "
            f"({len(first_page.content) / 1024:.0f} KB, {first_page.headers['Server-Timing']})\n"
        )
        assert stack.stack is not None
        resources = Resources(
            stack.stack.ref("BookingStateMachine"),
            stack.stack.ref("BookingsTable"),
            stack.stack.ref("HotelsTable"),
        )
        sfn, dynamodb = stack.cloud.client("stepfunctions"), stack.cloud.client("dynamodb")

        def new_reader() -> str:
            """What the console's first load would cost without its read-ahead."""
            page = Inspector(sfn, dynamodb, resources).list_executions()
            assert len(page.executions) == n
            return " ".join(f"{k} {v:.0f}" for k, v in page.timings.items())

        cases: list[tuple[str, Callable[[], Any]]] = [
            ("GET /console/ (list page, 1,000 rows)", lambda: get("/console/")),
            ("GET /console/api/executions (JSON)", lambda: get("/console/api/executions")),
            ("GET /console/?status=SUCCEEDED", lambda: get("/console/?status=SUCCEEDED")),
            ("GET /console/executions/<id>", lambda: get(f"/console/executions/{declined}")),
            ("new reader, nothing read yet (in-process)", new_reader),
            ("CLI executions list --limit 1000", run_cli),
        ]
        print(
            f"{'request':40} {'p50 ms':>7} {'p95 ms':>7} {'min':>6} {'max':>6} {'size':>7}"
            "  server side (p50 ms)"
        )
        for label, fn in cases:
            times, result = timed(fn, args.runs)
            server: dict[str, list[float]] = {}
            for _ in range(3 if isinstance(result, requests.Response) else 0):
                for part in fn().headers.get("Server-Timing", "").split(","):
                    name, _, dur = part.strip().partition(";dur=")
                    server.setdefault(name, []).append(float(dur))
            is_http = isinstance(result, requests.Response)
            size = len(result.content) if is_http else len(result) if fn is run_cli else 0
            parts = " ".join(f"{k} {statistics.median(v):.0f}" for k, v in server.items())
            if fn is new_reader:
                parts = f"(last run: {result})"
            shown = f"{size / 1024:4.0f} KB" if size else "      -"
            print(
                f"{label:40} {statistics.median(times):7.1f} {pct(times, 95):7.1f} "
                f"{min(times):6.1f} {max(times):6.1f} {shown}  {parts}"
            )
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
