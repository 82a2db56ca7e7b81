"""Data growth on the local engine: a booking-sized TransactWriteItems with 10,000 items in
the table against an empty one (issue 13's goal: within 10%), in CPU per transaction.

    .venv/bin/python benchmarks/dynamodb_bench.py [--items 10000] [--transactions 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from localaws.cloud import LocalCloud  # noqa: E402


def transaction(table: str, n: int) -> list[dict[str, object]]:
    """Two nights of inventory and the booking itself, as ReserveRoom writes them."""
    nights = [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": f"inv#{n}#{night}"}},
                "UpdateExpression": "SET booked = if_not_exists(booked, :zero) + :one",
                "ConditionExpression": "attribute_not_exists(booked) OR booked < :rooms",
                "ExpressionAttributeValues": {
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                    ":rooms": {"N": "10"},
                },
            }
        }
        for night in range(2)
    ]
    booking = {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": f"bk#{n}"}, "status": {"S": "RESERVED"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    return [*nights, booking]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--transactions", type=int, default=200)
    args = parser.parse_args()
    with LocalCloud() as cloud:
        ddb = cloud.client("dynamodb")
        timings: dict[str, float] = {}
        cpu_ms: dict[str, float] = {}
        for label, filler in (("empty table", 0), (f"{args.items:,} items", args.items)):
            table = f"growth-{filler}"
            ddb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            for i in range(0, filler, 25):
                ddb.batch_write_item(
                    RequestItems={
                        table: [
                            {"PutRequest": {"Item": {"pk": {"S": f"old#{j}"}, "n": {"N": "1"}}}}
                            for j in range(i, min(i + 25, filler))
                        ]
                    }
                )
            samples = []
            cpu = time.process_time()
            for n in range(args.transactions):
                t = time.perf_counter()
                ddb.transact_write_items(TransactItems=transaction(table, n))
                samples.append((time.perf_counter() - t) * 1000)
            # CPU of the whole process (client and emulator threads): steadier than wall time
            # on a machine shared with other work.
            cpu_ms[label] = (time.process_time() - cpu) / args.transactions * 1000
            timings[label] = statistics.median(samples)
    empty, full = cpu_ms.values()
    print("TransactWriteItems (2 updates + 1 put) on the local engine, per transaction")
    for label, value in cpu_ms.items():
        print(f"  {label:16} {value:7.2f} ms CPU   {timings[label]:7.2f} ms wall (median)")
    print(f"  growth cost      {100 * (full / empty - 1):+6.1f}% CPU   goal within 10%")


if __name__ == "__main__":
    main()
