"""The local stack as `make run` starts it: time to ready, warm API latency.

    .venv/bin/python benchmarks/stack_bench.py [--requests 200]

Prints the startup time (ports checked → template deployed → users and demo hotels seeded →
servers answering) and p50/p95 over real HTTP on loopback for a warm public GET /hotels, a
warm authenticated GET /bookings/{id}, and POST /bookings (which starts a saga).
Goals (docs/performance.md, issue 13): ready ≤ 5 s on a warm venv; warm GET /hotels p50 ≤ 10 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.run import LocalStack, Ports  # noqa: E402
from localaws.cloud import free_port  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: object, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    t0 = time.perf_counter()
    stack = LocalStack(Ports(free_port(), free_port(), free_port())).start()
    startup = time.perf_counter() - t0
    try:
        http = requests.Session()
        api = stack.api_url
        hotels = http.get(f"{api}/hotels", timeout=10).json()
        items = hotels["items"] if isinstance(hotels, dict) else hotels
        hotel_id = items[0]["hotelId"]
        token = stack.login("guest@example.com")
        auth = {"Authorization": token}
        check_in = dt.date.today() + dt.timedelta(days=60)

        def settle(booking_id: str) -> None:
            """Let the saga a POST started finish, so the next POST is measured alone."""
            for _ in range(500):
                status = http.get(f"{api}/bookings/{booking_id}", headers=auth, timeout=10)
                assert status.status_code == 200, (status.status_code, status.text)
                if status.json()["status"] in ("CONFIRMED", "REJECTED", "EXPIRED", "FAILED"):
                    return
                time.sleep(0.01)

        def book() -> str:
            body = {
                "hotelId": hotel_id,
                "checkIn": check_in.isoformat(),
                "checkOut": (check_in + dt.timedelta(days=1)).isoformat(),
                "rooms": 1,
                "guestName": "Bench Guest",
                "paymentToken": "tok_chargeDeclined",  # ends fast, gives the room back
            }
            resp = http.post(f"{api}/bookings", json=body, headers=auth, timeout=10)
            assert resp.status_code == 202, resp.text
            return str(resp.json()["bookingId"])

        booking_id = book()
        for _ in range(20):  # warm-up
            http.get(f"{api}/hotels", timeout=10)
            http.get(f"{api}/bookings/{booking_id}", headers=auth, timeout=10)
        get_hotels = timed(lambda: http.get(f"{api}/hotels", timeout=10), args.requests)
        get_booking = timed(
            lambda: http.get(f"{api}/bookings/{booking_id}", headers=auth, timeout=10),
            args.requests,
        )
        post_booking = []
        for _ in range(min(args.requests, 100)):
            t = time.perf_counter()
            new_id = book()
            post_booking.append((time.perf_counter() - t) * 1000)
            settle(new_id)
    finally:
        stack.stop()

    print(
        f"local stack ready in {startup:.2f} s (deploy, 3 users, 3 hotels with pictures)"
        "   goal ≤ 5 s"
    )
    for label, values, goal in (
        ("GET /hotels (public)", get_hotels, "goal p50 ≤ 10 ms"),
        ("GET /bookings/{id} (Cognito)", get_booking, ""),
        ("POST /bookings (starts a saga)", post_booking, ""),
    ):
        print(
            f"  {label:32} p50 {pct(values, 50):6.1f} ms   p95 {pct(values, 95):6.1f} ms"
            f"   mean {statistics.mean(values):6.1f} ms   n={len(values)}   {goal}"
        )


if __name__ == "__main__":
    main()
