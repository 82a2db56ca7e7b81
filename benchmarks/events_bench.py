"""Local event delivery latency and idle cost.

    .venv/bin/python benchmarks/events_bench.py --events 50

Deploys the event-plumbing test stack (tests/fixtures/eventing) and prints p50/p95 of the time
from a producer's call to the consumer's invocation starting, one event at a time, for
SQS → Lambda (SendMessage), DynamoDB Streams → Lambda (PutItem) and EventBridge → Lambda
(PutEvents, an asynchronous target); then the process's CPU while idle with the pollers running.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from localaws.cloud import LocalCloud  # noqa: E402
from localaws.engine.lambdas import Invocation  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "eventing" / "template.yaml"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Arrivals:
    """When each marked event's consumer invocation started (perf_counter seconds)."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.ready = threading.Condition()

    def __call__(self, invocation: Invocation) -> None:
        now = time.perf_counter() - invocation.duration_ms / 1000
        text = json.dumps(invocation.event)
        with self.ready:
            for marker in list(self.pending):
                if marker in text:
                    self.started[marker] = now
                    self.pending.discard(marker)
            self.ready.notify_all()

    pending: set[str] = set()

    def measure(self, produce: Callable[[str], None]) -> float:
        marker = uuid.uuid4().hex
        with self.ready:
            self.pending.add(marker)
        sent = time.perf_counter()
        produce(marker)
        with self.ready:
            if not self.ready.wait_for(lambda: marker in self.started, timeout=10):
                raise TimeoutError("consumer never invoked")
        return (self.started[marker] - sent) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args()
    arrivals = Arrivals()
    with LocalCloud(on_invocation=arrivals) as cloud:
        stack = cloud.deploy(FIXTURE, stack_name="bench")
        sqs, ddb, events = cloud.client("sqs"), cloud.client("dynamodb"), cloud.client("events")
        producers: dict[str, Callable[[str], None]] = {
            "SQS → Lambda": lambda m: sqs.send_message(
                QueueUrl=stack.ref("PartialQueue"), MessageBody=json.dumps({"m": m})
            ),
            "DynamoDB Streams → Lambda": lambda m: ddb.put_item(
                TableName=stack.ref("ChangesTable"), Item={"pk": {"S": m}}
            ),
            "EventBridge → Lambda": lambda m: events.put_events(
                Entries=[
                    {
                        "EventBusName": stack.outputs["BusName"],
                        "Source": "probe.all-targets",
                        "DetailType": "Bench",
                        "Detail": json.dumps({"m": m}),
                    }
                ]
            ),
        }
        print(f"{'path':28} {'p50 ms':>8} {'p95 ms':>8}   ({args.events} events, one at a time)")
        for name, produce in producers.items():
            produce(uuid.uuid4().hex)  # warm the consumer's container
            cloud.events.wait_quiet()
            lags = [arrivals.measure(produce) for _ in range(args.events)]
            print(f"{name:28} {pct(lags, 50):8.1f} {pct(lags, 95):8.1f}")
        cloud.events.wait_quiet()
        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(args.idle_seconds)
        share = (time.process_time() - cpu) / (time.monotonic() - wall) * 100
        polled = len(cloud.events.pollers)
        print(f"idle CPU with {polled} mappings polled: {share:.3f} % of a core")


if __name__ == "__main__":
    main()
