"""What the local alarm evaluator costs: per Lambda invocation (its metrics and EMF lines)
and per evaluation of every alarm of template.yaml.

    .venv/bin/python benchmarks/alarms_bench.py [--invocations 20000]

Deploys template.yaml into a LocalCloud, builds the stack's evaluator, feeds it invocations
as the runtime reports them (a saga step's log with Powertools' EMF line), one per function in
turn, spread over 10 minutes of a fake clock, then times ``evaluate()`` (every alarm, the SQS
depths sampled from moto) and prints p50/p95.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from devstack.product import LOCAL_PARAMETERS  # noqa: E402
from localaws.cloud import LocalCloud  # noqa: E402
from localaws.stack.alarms import AlarmEvaluator  # noqa: E402

LOG = (
    '{"level":"INFO","message":"step done","service":"hotel-booking"}\n'
    '{"_aws":{"Timestamp":1796648248247,"CloudWatchMetrics":[{"Namespace":"HotelBooking",'
    '"Dimensions":[["service"]],"Metrics":[{"Name":"BookingsStarted","Unit":"Count"}]}]},'
    '"service":"hotel-booking","BookingsStarted":[1.0]}\n'
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invocations", type=int, default=20_000)
    args = parser.parse_args()
    with LocalCloud(local_parameters=LOCAL_PARAMETERS) as cloud:
        stack = cloud.deploy(ROOT / "template.yaml")
        evaluator = AlarmEvaluator.for_stack(cloud, stack)
        now = [time.time()]
        evaluator.clock = lambda: now[0]
        functions = [spec.name for spec in cloud.runtime.functions]
        started = time.perf_counter()
        for i in range(args.invocations):
            now[0] += 600 / args.invocations
            error = "RuntimeError" if i % 50 == 0 else None
            evaluator.lambda_invocation(functions[i % len(functions)], error, 42.0, LOG)
        per_invocation = (time.perf_counter() - started) / args.invocations * 1e6
        times = []
        for _ in range(30):
            t = time.perf_counter()
            evaluator.evaluate()
            times.append((time.perf_counter() - t) * 1000)
        alarms = len(evaluator.alarms)
        print(f"{args.invocations} invocations: {per_invocation:.0f} µs each (metrics + EMF)")
        print(
            f"evaluate() of {alarms} alarms: p50 {pct(times, 50):.1f} ms, "
            f"p95 {pct(times, 95):.1f} ms"
        )


if __name__ == "__main__":
    main()
