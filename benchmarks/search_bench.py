"""The search service through the local HTTP API: latency and throughput with 8 clients.

    .venv/bin/python benchmarks/search_bench.py [--seconds 10] [--clients 8]

Starts the local stack (two search tasks registered in Cloud Map, the demo hotels seeded),
then prints p50/p95 of one client's warm search (``GET /search``, with and without dates)
through the gateway, and requests/s, p50/p95 and the share each task served with 8 clients
searching at once. Figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "services" / "search")]

from devstack.run import LocalStack, Ports  # noqa: E402
from localaws.cloud import free_port  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def served_by(stack: LocalStack) -> Counter[str]:
    """Requests per task, from the tasks' own JSON logs."""
    assert stack.search is not None
    counts: Counter[str] = Counter()
    for task in stack.search.tasks:
        for line in task.output():
            if '"path":"/search"' in line and json.loads(line).get("message") == "request":
                counts[task.instance_id] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="single-client samples")
    args = parser.parse_args()

    stack = LocalStack(Ports(free_port(), free_port(), free_port(), free_port())).start()
    try:
        url = stack.search_url
        check_in = dt.date.today() + dt.timedelta(days=30)
        queries = {
            "all hotels": {},
            "city + dates": {
                "city": "Lisbon",
                "checkIn": check_in.isoformat(),
                "checkOut": (check_in + dt.timedelta(days=3)).isoformat(),
            },
        }
        print(f"search through the local HTTP API ({url}), 2 tasks")
        with requests.Session() as http:
            for name, query in queries.items():
                assert http.get(url, params=query, timeout=10).status_code == 200
                samples = []
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    resp = http.get(url, params=query, timeout=10)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert resp.status_code == 200, resp.text
                print(
                    f"  1 client, {name:13}  p50 {pct(samples, 50):6.1f} ms  "
                    f"p95 {pct(samples, 95):6.1f} ms  ({len(samples)} requests)"
                )

        before = served_by(stack)
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def client() -> None:
            mine: list[float] = []
            with requests.Session() as http:
                while time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    resp = http.get(url, timeout=15)
                    mine.append((time.perf_counter() - t0) * 1000)
                    if resp.status_code != 200:
                        failures.append(resp.status_code)
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        share = served_by(stack) - before
        print(
            f"  {args.clients} clients, all hotels  {len(latencies) / elapsed:6.0f} requests/s  "
            f"p50 {pct(latencies, 50):6.1f} ms  p95 {pct(latencies, 95):6.1f} ms  "
            f"mean {statistics.fmean(latencies):.1f} ms  ({len(latencies)} requests, "
            f"{len(failures)} not 200)"
        )
        print("  served per task: " + ", ".join(f"{k} {v}" for k, v in sorted(share.items())))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
