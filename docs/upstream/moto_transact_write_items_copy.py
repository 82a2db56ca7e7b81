"""Reproducer: moto's TransactWriteItems costs grow with the size of the tables it touches.

Only moto and boto3. Run: python moto_transact_write_items_copy.py
"""

import statistics
import time

import boto3
import moto
from moto import mock_aws

REPEATS = 30


def fill(client, table: str, count: int) -> None:
    for start in range(0, count, 25):
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"item-{i}"}, "s": {"S": "x" * 100}}}}
            for i in range(start, min(start + 25, count))
        ]
        client.batch_write_item(RequestItems={table: requests})


def cpu_ms(call) -> float:
    """Median CPU time of one call, in ms."""
    samples = []
    for _ in range(REPEATS):
        start = time.process_time()
        call()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def transaction(client, table: str, ops: int):
    def call() -> None:
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": f"counter-{k}"}},
                        "UpdateExpression": "ADD c :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
                for k in range(ops)
            ]
        )

    return call


def plain_update(client, table: str):
    def call() -> None:
        client.update_item(
            TableName=table,
            Key={"pk": {"S": "counter-0"}},
            UpdateExpression="ADD c :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    return call


@mock_aws
def main() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    print(f"moto {moto.__version__}; median CPU per TransactWriteItems call, {REPEATS} calls each")
    print(f"{'items in table':>15} {'1 Update':>10} {'3 Updates':>10} {'UpdateItem':>11}")
    for size in (0, 1_000, 10_000):
        table = f"t{size}"
        client.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        fill(client, table, size)
        one = cpu_ms(transaction(client, table, 1))
        three = cpu_ms(transaction(client, table, 3))
        plain = cpu_ms(plain_update(client, table))
        print(f"{size:>15,} {one:>8.1f}ms {three:>8.1f}ms {plain:>9.1f}ms")


if __name__ == "__main__":
    main()
