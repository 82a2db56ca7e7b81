"""The local stack under load, over real HTTP on loopback, as `make run` serves it (issue 13).

    .venv/bin/python benchmarks/load_bench.py [--burst 100] [--clients 8] [--bookings 200]
                                              [--grow 10000]

Starts ``LocalStack`` on free ports and measures, printing each figure beside its goal:

- time to ready (deploy, users, seeded hotels);
- warm public GET /hotels, p50;
- throughput: ``--clients`` guests each booking through the API, a manager approving through the
  API, until ``--bookings`` bookings are CONFIRMED (book → awaiting approval → approve → confirmed).
  The clients run in a process of their own, as a load generator would (wrk, or a team's
  script against `make run`), so the stack's process carries only the stack; they learn that a
  saga reached a state from this process's runtime events, sent down a pipe (no polling);
- data growth: the same throughput again after ``--grow`` bookings were added to the tables;
- a burst: ``--burst`` POST /bookings sent at the same moment; every one must be accepted and
  every saga must reach AWAITING_APPROVAL, with no local time-out or failure;
- an idle stack (the burst's sagas waiting for a manager): CPU used over a few seconds.

Bounded: every wait has a deadline, and the burst is capped at 1,000 requests. Waiting is on
events from the Lambda runtime in this process (no polling of the API).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.run import LocalStack, Ports, demo_picture, multipart  # noqa: E402
from localaws.cloud import free_port  # noqa: E402
from localaws.engine.lambdas import Invocation  # noqa: E402

#: Saga steps whose successful end tells a booking's state (the step writes it).
REACHED = {"NotifyManagerFunction": "AWAITING_APPROVAL", "ConfirmBookingFunction": "CONFIRMED"}
ENDED = {"RecordFailureFunction": "FAILED"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Watch:
    """What each booking's saga reached, from the runtime's invocation events."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.states: dict[str, set[str]] = {}
        self.errors: Counter[str] = Counter()
        self.last = time.monotonic()
        self._forward: Connection | None = None  # the load generator's, while one runs
        self._send = threading.Lock()

    def __call__(self, inv: Invocation) -> None:
        self.last = time.monotonic()
        if inv.error_type:
            with self._cond:
                self.errors[f"{inv.function}: {inv.error_type}"] += 1
        event = inv.event if isinstance(inv.event, dict) else {}
        booking_id = (event.get("input") or {}).get("bookingId")
        step = REACHED.get(inv.function) or ENDED.get(inv.function)
        if booking_id and step and not inv.error_type:
            self.reached(booking_id, step)
            with self._send:
                if self._forward is not None:
                    self._forward.send((booking_id, step))

    def forward_to(self, connection: Connection | None) -> None:
        """Send each state reached down ``connection`` from now on; None stops, and tells the
        other end so (it sends None, after the last state)."""
        with self._send:
            if connection is None and self._forward is not None:
                self._forward.send(None)
            self._forward = connection

    def reached(self, booking_id: str, state: str) -> None:
        with self._cond:
            self.states.setdefault(booking_id, set()).add(state)
            self._cond.notify_all()

    def wait_quiet(self, quiet: float, timeout: float) -> None:
        """Block until no function has been invoked for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last < quiet:
            time.sleep(0.2)

    def wait(self, booking_ids: list[str], state: str, timeout: float) -> list[str]:
        """Block until every booking reached ``state`` or failed; return those that did not."""
        deadline = time.monotonic() + timeout

        def missing() -> list[str]:
            return [b for b in booking_ids if not ({state, "FAILED"} & self.states.get(b, set()))]

        with self._cond:
            while (left := missing()) and (remaining := deadline - time.monotonic()) > 0:
                self._cond.wait(remaining)
            return left


@dataclass(frozen=True)
class Load:
    """What the load generator is asked to do (plain values: it crosses into another process)."""

    api: str
    guest: str  # Authorization header values
    manager: str
    hotel_id: str
    check_in: dt.date
    clients: int
    bookings: int


def book(http: requests.Session, load: Load) -> requests.Response:
    payload = {
        "hotelId": load.hotel_id,
        "checkIn": load.check_in.isoformat(),
        "checkOut": (load.check_in + dt.timedelta(days=1)).isoformat(),
        "rooms": 1,
        "guestName": "Load Guest",
        "paymentToken": "tok_visa",
    }
    return http.post(
        f"{load.api}/bookings", json=payload, headers={"Authorization": load.guest}, timeout=600
    )


def complete(http: requests.Session, load: Load, watch: Watch) -> bool:
    """One guest's booking, approved by the manager, through the API until CONFIRMED."""
    resp = book(http, load)
    if resp.status_code != 202:
        return False
    booking_id = resp.json()["bookingId"]
    if watch.wait([booking_id], "AWAITING_APPROVAL", 60):
        return False
    decided = http.post(
        f"{load.api}/bookings/{booking_id}/decision",
        json={"decision": "approve"},
        headers={"Authorization": load.manager},
        timeout=60,
    )
    if decided.status_code != 200:
        return False
    return not watch.wait([booking_id], "CONFIRMED", 60)


def generate(load: Load, states: Connection, results: Connection) -> None:
    """The load generator's process: ``load.clients`` threads, each with its own keep-alive
    session, complete ``load.bookings`` bookings between them. Saga states arrive on
    ``states``; "go" and then (complete, failed, seconds, CPU seconds) leave on ``results``."""
    watch = Watch()

    def listen() -> None:
        while (message := states.recv()) is not None:
            watch.reached(*message)

    threading.Thread(target=listen, name="states", daemon=True).start()
    local = threading.local()

    def one(_: int) -> bool:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        return complete(local.http, load, watch)

    results.send("go")
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=load.clients) as pool:
        done = list(pool.map(one, range(load.bookings)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    results.send((done.count(True), done.count(False), elapsed, cpu))


@dataclass(frozen=True)
class Throughput:
    rate: float  # complete bookings per second
    stack_cpu_ms: float  # this process's CPU per complete booking
    generator_cpu_ms: float  # the load generator's
    failed: int


def run_load(watch: Watch, load: Load) -> Throughput:
    """Run :func:`generate` in a new process while this one serves it."""
    spawn = multiprocessing.get_context("spawn")  # no fork of a process full of threads
    states_in, states_out = spawn.Pipe(duplex=False)
    results_in, results_out = spawn.Pipe(duplex=False)
    generator = spawn.Process(
        target=generate, args=(load, states_in, results_out), name="load-generator", daemon=True
    )
    generator.start()
    watch.forward_to(states_out)
    try:
        if not results_in.poll(120) or results_in.recv() != "go":
            raise RuntimeError("the load generator did not start")
        cpu = time.process_time()
        if not results_in.poll(60 + 10 * load.bookings):
            raise RuntimeError("the load generator did not finish in time")
        ok, failed, elapsed, generator_cpu = results_in.recv()
        cpu = time.process_time() - cpu
    finally:
        watch.forward_to(None)
        generator.join(30)
        if generator.is_alive():
            generator.kill()
    return Throughput(
        ok / elapsed, cpu / max(1, ok) * 1000, generator_cpu / max(1, ok) * 1000, failed
    )


def grow(stack: LocalStack, watch: Watch, count: int) -> float:
    """Copy one finished booking's rows ``count`` times under new ids into the bookings,
    payments and approvals tables (in-process, 25 items a request), then wait until the stream
    pollers have gone quiet. Returns the seconds it took.

    The copies are AWAITING_APPROVAL, a status that publishes no event: on AWS ten thousand
    past bookings were projected long ago, and what is measured here is the tables' size, not
    a catch-up of ten thousand BookingConfirmed events through the bus."""
    import uuid

    import boto3

    started = time.perf_counter()
    assert stack.stack is not None
    tables = {name: stack.stack.ref(name) for name in ("BookingsTable", "PaymentsTable")}
    approvals = stack.stack.ref("ApprovalsTable")
    ddb = boto3.client("dynamodb", region_name=stack.cloud.region)  # answered in-process
    sample = next(
        i
        for i in ddb.scan(TableName=tables["BookingsTable"])["Items"]
        if i["status"]["S"] == "CONFIRMED"
    )
    booking_id = sample["bookingId"]["S"]
    rows = {
        name: ddb.get_item(TableName=table, Key={"bookingId": {"S": booking_id}}).get("Item")
        for name, table in tables.items()
    }
    approval = next(
        (i for i in ddb.scan(TableName=approvals)["Items"] if i["bookingId"]["S"] == booking_id),
        None,
    )
    requests_by_table: dict[str, list[dict[str, Any]]] = {}
    for n in range(count):
        new_id = f"grow-{n:06d}-{uuid.uuid4().hex[:8]}"
        for name, item in rows.items():
            if item:
                copy = {**item, "bookingId": {"S": new_id}}
                if name == "BookingsTable":
                    copy["status"] = {"S": "AWAITING_APPROVAL"}
                    copy["hotelStatus"] = {"S": f"{item['hotelId']['S']}#AWAITING_APPROVAL"}
                requests_by_table.setdefault(tables[name], []).append(copy)
        if approval:
            copy = {**approval, "bookingId": {"S": new_id}, "approvalId": {"S": f"a-{new_id}"}}
            requests_by_table.setdefault(approvals, []).append(copy)
    for table, items in requests_by_table.items():
        for i in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": it}} for it in items[i : i + 25]]
            ddb.batch_write_item(RequestItems={table: batch})
    watch.wait_quiet(3.0, 600)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--idle-seconds", type=int, default=10)
    parser.add_argument("--grow", type=int, default=10_000, help="bookings added for data growth")
    args = parser.parse_args()
    burst = min(args.burst, 1000)

    watch = Watch()
    t0 = time.perf_counter()
    stack = LocalStack(Ports(free_port(), free_port(), free_port())).start()
    ready = time.perf_counter() - t0
    stack.cloud.add_listener(watch)
    figures: dict[str, Any] = {"ready": ready}
    try:
        api = stack.api_url
        admin = {"Authorization": stack.login("admin@example.com")}
        guest = {"Authorization": stack.login("guest@example.com")}
        manager = {"Authorization": stack.login("manager@example.com")}
        fields = {
            "name": "Load Hotel",
            "city": "Lisbon",
            "stars": "4",
            "pricePerNight": "100.00",
            "rooms": "10000",
            "managerEmail": "manager@example.com",
        }
        body, content_type = multipart(
            fields, [("picture", "load.png", "image/png", demo_picture((90, 90, 90), 32, 20))]
        )
        made = requests.post(
            f"{api}/hotels",
            data=body,
            headers={**admin, "Content-Type": content_type},
            timeout=30,
        )
        assert made.status_code == 201, made.text
        hotel_id = made.json()["hotelId"]
        load = Load(
            api=api,
            guest=guest["Authorization"],
            manager=manager["Authorization"],
            hotel_id=hotel_id,
            check_in=dt.date.today() + dt.timedelta(days=90),
            clients=args.clients,
            bookings=args.bookings,
        )

        # Warm-up at the measured concurrency: the cold starts of the containers it needs.
        run_load(watch, replace(load, bookings=2 * args.clients))
        http = requests.Session()
        for _ in range(20):
            http.get(f"{api}/hotels", timeout=10)
        hotels_ms = []
        for _ in range(100):
            t = time.perf_counter()
            http.get(f"{api}/hotels", timeout=10)
            hotels_ms.append((time.perf_counter() - t) * 1000)
        figures["get_hotels_p50"] = pct(hotels_ms, 50)

        # Throughput: complete bookings through the API with N clients.
        figures["throughput"] = run_load(watch, load)

        # Data growth: the same throughput with --grow more bookings in the tables.
        if args.grow:
            figures["grow_seconds"] = grow(stack, watch, args.grow)
            figures["grown"] = run_load(watch, load)

        # Burst: every guest at the same moment.
        gate = threading.Barrier(burst)

        def one(_: int) -> tuple[int, str]:
            http = requests.Session()
            gate.wait()
            resp = book(http, load)
            booking = resp.json().get("bookingId", "") if resp.status_code == 202 else ""
            return resp.status_code, booking

        errors_before = sum(watch.errors.values())
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=burst) as pool:
            answers = list(pool.map(one, range(burst)))
        accepted_in = time.perf_counter() - started
        codes = Counter(code for code, _ in answers)
        booking_ids = [b for code, b in answers if code == 202]
        left = watch.wait(booking_ids, "AWAITING_APPROVAL", 300)
        waited = time.perf_counter() - started
        failed = [b for b in booking_ids if "FAILED" in watch.states.get(b, set())]
        figures["burst"] = {
            "codes": dict(codes),
            "accepted": codes.get(202, 0),
            "awaiting": len(booking_ids) - len(left) - len(failed),
            "failed": len(failed),
            "not_reached": len(left),
            "all_posts_answered_s": accepted_in,
            "all_awaiting_s": waited,
            "invocation_errors": sum(watch.errors.values()) - errors_before,
        }

        # Idle: the burst's sagas wait for a manager; nothing else happens. CPU per second,
        # once the last saga's work has settled (its Lambda threads and connections closed).
        seconds = []
        for _ in range(int(args.idle_seconds)):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            time.sleep(1.0)
            seconds.append((time.process_time() - cpu0) / (time.perf_counter() - wall0))
        figures["idle_cpu"] = statistics.median(seconds)
        figures["idle_seconds"] = seconds
        figures["errors"] = dict(watch.errors)
    finally:
        stack.stop()

    b = figures["burst"]
    run: Throughput = figures["throughput"]
    rows = [
        ("stack ready", f"{figures['ready']:.2f} s", "≤ 5 s"),
        ("warm GET /hotels p50", f"{figures['get_hotels_p50']:.1f} ms", "≤ 10 ms"),
        (
            f"complete bookings/s, {args.clients} clients over HTTP",
            f"{run.rate:.2f}/s ({run.failed} failed)",
            "≥ 20/s",
        ),
        (
            "  … CPU per complete booking: stack's process",
            f"{run.stack_cpu_ms:.0f} ms",
            "≤ 50 ms (20/s on its one core)",
        ),
        ("  … CPU per complete booking: load generator", f"{run.generator_cpu_ms:.0f} ms", ""),
    ]
    if args.grow:
        grown = figures["grown"]
        rows += [
            (
                f"  … with {args.grow:,} more bookings in the tables",
                f"{grown.rate:.2f}/s ({grown.failed} failed), "
                f"{grown.stack_cpu_ms:.0f} ms CPU per booking",
                "within 10% of the line above",
            ),
            (
                "  … throughput / CPU per booking vs before",
                f"{100 * (grown.rate / run.rate - 1):+.0f}% / "
                f"{100 * (grown.stack_cpu_ms / run.stack_cpu_ms - 1):+.0f}%",
                f"(seeding took {figures['grow_seconds']:.0f} s)",
            ),
        ]
    rows += [
        (f"{burst} concurrent POST /bookings accepted", f"{b['accepted']}/{burst}", f"{burst}"),
        (
            "  … sagas reaching AWAITING_APPROVAL",
            f"{b['awaiting']} (failed {b['failed']}, not reached {b['not_reached']})",
            f"{burst}, 0 failed",
        ),
        (
            "  … time to all answered / all awaiting",
            f"{b['all_posts_answered_s']:.1f} s / {b['all_awaiting_s']:.1f} s",
            "",
        ),
        (
            "idle stack CPU (burst's sagas waiting)",
            f"{figures['idle_cpu'] * 100:.1f}% of a core",
            "< 2%",
        ),
    ]
    print("local stack under load (benchmarks/load_bench.py)")
    for label, value, target in rows:
        print(f"  {label:46} {value:34} goal {target}")
    print(f"  HTTP answers in the burst: {json.dumps(b['codes'])}")
    idle = " ".join(f"{100 * c:.0f}%" for c in figures["idle_seconds"])
    print(f"  idle CPU, second by second after the burst: {idle}")
    if figures["errors"]:
        print(f"  invocation errors: {json.dumps(figures['errors'])}")


if __name__ == "__main__":
    main()
