"""The local engine's own fixes to moto keep AWS's behaviour (see localaws/cloud.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localaws.cloud import LocalCloud
from tests.tooling.tables import new_table


@pytest.fixture
def table(cloud: LocalCloud) -> str:
    return str(new_table(cloud, "engine")["TableName"])


def items(cloud: LocalCloud, table: str) -> dict[str, Any]:
    scanned = cloud.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return {i["pk"]["S"]: i.get("n", {}).get("N") for i in scanned}


def update_a_put_b(table: str) -> list[dict[str, Any]]:
    """A transaction's first two writes: item a's n to 2, a new item b."""
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "a"}},
                "UpdateExpression": "SET n = :two",
                "ExpressionAttributeValues": {":two": {"N": "2"}},
            }
        },
        {"Put": {"TableName": table, "Item": {"pk": {"S": "b"}, "n": {"N": "1"}}}},
    ]


def failing_transaction(table: str) -> list[dict[str, Any]]:
    """Update item a, put item b, then a condition on a missing item: cancelled."""
    return [
        *update_a_put_b(table),
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": {"pk": {"S": "missing"}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
    ]


def test_a_cancelled_transaction_leaves_every_item_as_it_was(cloud: LocalCloud, table: str) -> None:
    # Given one item, and others the transaction does not name
    ddb = cloud.client("dynamodb")
    for pk in ("a", "other-1", "other-2"):
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "n": {"N": "1"}})
    # When a transaction updates it and adds another, but its last condition fails
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(TransactItems=failing_transaction(table))
    # Then nothing changed, as on AWS
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert items(cloud, table) == {"a": "1", "other-1": "1", "other-2": "1"}


def test_a_transaction_that_succeeds_applies_every_write(cloud: LocalCloud, table: str) -> None:
    ddb = cloud.client("dynamodb")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    ddb.transact_write_items(
        TransactItems=[
            *update_a_put_b(table),
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "gone"}}}},
        ]
    )
    assert items(cloud, table) == {"a": "2", "b": "1"}


def test_a_cancelled_transaction_appends_no_stream_records_and_keeps_the_live_shard(
    cloud: LocalCloud,
) -> None:
    # Given a table with a stream, one item written (one record), and a reader of its shard
    described = new_table(cloud, "engine", stream=True)
    name, stream_arn = described["TableName"], described["LatestStreamArn"]
    ddb, streams = cloud.client("dynamodb"), cloud.client("dynamodbstreams")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    shard_id = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0][
        "ShardId"
    ]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator)
    assert [r["eventName"] for r in first["Records"]] == ["INSERT"]
    # When a transaction updates it and adds another, but its last condition fails
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(TransactItems=failing_transaction(name))
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    # Then the reader finds no record of it, and the next write reaches the same shard
    assert streams.get_records(ShardIterator=first["NextShardIterator"])["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "c"}, "n": {"N": "1"}})
    after = streams.get_records(ShardIterator=first["NextShardIterator"])["Records"]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in after] == [("INSERT", "c")]
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in shards] == [shard_id]
    assert items(cloud, name) == {"a": "1", "c": "1"}


def test_an_update_waits_while_a_read_turns_the_item_into_its_answer(
    cloud: LocalCloud, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto builds a read's answer from the live item after the backend call; an update in
    between changed the item under it ('dictionary changed size during iteration'). The
    read is held while it converts the item: the update must wait for it, not run."""
    import moto.dynamodb.responses as handler

    dynamodb = cloud.client("dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    converting, release = threading.Event(), threading.Event()
    original = handler.dynamo_to_dict

    def held(obj: Any) -> Any:
        if threading.current_thread().name == "reader":
            converting.set()
            release.wait(10)
        return original(obj)

    monkeypatch.setattr(handler, "dynamo_to_dict", held)
    read: dict[str, Any] = {}
    reader = threading.Thread(
        target=lambda: read.update(dynamodb.get_item(TableName=table, Key={"pk": {"S": "a"}})),
        name="reader",
    )
    reader.start()
    assert converting.wait(10)
    update = threading.Thread(
        target=dynamodb.update_item,
        kwargs={
            "TableName": table,
            "Key": {"pk": {"S": "a"}},
            "UpdateExpression": "SET extra = :x, n = :two",
            "ExpressionAttributeValues": {":x": {"S": "x"}, ":two": {"N": "2"}},
        },
    )
    update.start()
    update.join(0.5)
    updated_during_read = not update.is_alive()
    release.set()
    reader.join(10)
    update.join(10)

    assert not updated_during_read
    assert read["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert items(cloud, table) == {"a": "2"}
