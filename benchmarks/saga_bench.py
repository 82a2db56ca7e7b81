"""Saga latency, throughput and state transitions on the local engine.

    make bench            # or: .venv/bin/python benchmarks/saga_bench.py --bookings 50

Prints p50/p95 of start → AWAITING_APPROVAL and approval → CONFIRMED (sequential bookings,
timestamps from the booking's step log), end-to-end throughput with concurrent bookings, and
the number of state transitions (states entered) on each saga path.
Goals (docs/performance.md, issue 13): p50 ≤ 60 ms to AWAITING_APPROVAL; ≤ 6 transitions on
the happy path. Each figure is printed beside its goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.product import LOCAL_PARAMETERS  # noqa: E402
from hotel_booking.models import BookingStatus, Decision  # noqa: E402
from localaws.cloud import LocalCloud  # noqa: E402
from tests.fixtures.saga_driver import SagaDriver  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def step_time(driver: SagaDriver, booking_id: str, state: str) -> dt.datetime:
    booking = driver.booking(booking_id)
    return next(s.at for s in booking.steps if s.state == state)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=40)
    parser.add_argument("--concurrent", type=int, default=40)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    with LocalCloud(retry_time_scale=0.001, local_parameters=LOCAL_PARAMETERS) as cloud:
        driver = SagaDriver(cloud, cloud.deploy(ROOT / "template.yaml", stack_name="bench"))
        short = SagaDriver(
            cloud,
            cloud.deploy(
                ROOT / "template.yaml",
                stack_name="bench-short",
                parameters={"ApprovalTimeoutSeconds": "1"},
            ),
        )
        hotel = driver.hotel(rooms=10_000)

        def one(approve: bool = True) -> tuple[float, float]:
            req = driver.request(hotel)
            t0 = dt.datetime.now(dt.UTC)
            driver.start(req)
            driver.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
            to_waiting = (step_time(driver, req["bookingId"], "NotifyManager") - t0).total_seconds()
            t1 = dt.datetime.now(dt.UTC)
            driver.decide(req["bookingId"], Decision.APPROVE)
            driver.wait_status(req["bookingId"], BookingStatus.CONFIRMED)
            to_confirmed = (
                step_time(driver, req["bookingId"], "ConfirmBooking") - t1
            ).total_seconds()
            return to_waiting * 1000, to_confirmed * 1000

        for _ in range(3):  # warm-up: cold starts, first ASL parse
            one()
        samples = [one() for _ in range(args.bookings)]
        waiting = [s[0] for s in samples]
        confirmed = [s[1] for s in samples]

        # Throughput: many sagas at once, start to CONFIRMED.
        requests = [driver.request(hotel) for _ in range(args.concurrent)]
        started = time.perf_counter()

        def full(req: dict[str, object]) -> None:
            driver.start(req)
            driver.wait_status(str(req["bookingId"]), BookingStatus.AWAITING_APPROVAL, timeout=60)
            driver.decide(str(req["bookingId"]), Decision.APPROVE)
            driver.wait_status(str(req["bookingId"]), BookingStatus.CONFIRMED, timeout=60)

        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(full, requests))
        elapsed = time.perf_counter() - started

        # Transitions per path.
        def path(d: SagaDriver, token: str, decision: Decision | None, rooms: int = 1) -> int:
            h = d.hotel(rooms=1)
            req = d.request(h, token=token, rooms=rooms)
            if rooms > 1:
                req["rooms"] = rooms
            d.start(req)
            if decision is not None:
                d.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
                d.decide(req["bookingId"], decision)
            d.wait_done(req["bookingId"], timeout=60)
            return len(d.visited(req["bookingId"]))

        transitions = {
            "happy (approved)": path(driver, "tok_visa", Decision.APPROVE),
            "sold out": path(driver, "tok_visa", None, rooms=2),
            "payment declined": path(driver, "tok_chargeDeclined", None),
            "payment error (retries exhausted)": path(driver, "tok_processingError", None),
            "manager rejects": path(driver, "tok_visa", Decision.REJECT),
            "approval timeout": path(short, "tok_visa", None),
        }

    moto_version = __import__("moto").__version__
    print(f"saga on localaws (moto {moto_version}), {args.bookings} sequential bookings")
    for label, values, goal in (
        ("start → AWAITING_APPROVAL", waiting, "goal p50 ≤ 60 ms"),
        ("approval → CONFIRMED", confirmed, ""),
    ):
        print(
            f"  {label:27} p50 {pct(values, 50):6.1f} ms   p95 {pct(values, 95):6.1f} ms   {goal}"
        )
    print(f"  mean start → AWAITING       {statistics.mean(waiting):6.1f} ms")
    print(
        f"throughput: {args.concurrent} sagas start → CONFIRMED with {args.workers} clients: "
        f"{elapsed:.2f} s, {args.concurrent / elapsed:.1f} bookings/s"
    )
    print("state transitions (states entered) per path:")
    for name, count in transitions.items():
        goal = "goal ≤ 6" if name.startswith("happy") else ""
        print(f"  {name:36} {count}   {goal}")


if __name__ == "__main__":
    main()
