"""The local event plumbing delivers as AWS's pollers and EventBridge do.

A tiny stack (tests/fixtures/eventing) wires test consumers to SQS queues, DynamoDB streams
and EventBridge rules; each test drives it through the public AWS APIs and checks what a
consumer would notice: which records arrived, how often, in what order, and what is left in
each queue.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from localaws.cloud import LocalCloud
from localaws.engine.lambdas import Invocation
from localaws.provision.deploy import Stack
from tests.fixtures.waiting import eventually

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eventing" / "template.yaml"


@pytest.fixture(scope="module")
def probes(cloud: LocalCloud) -> Stack:
    return cloud.deploy(FIXTURE, stack_name="evt")


def calls(cloud: LocalCloud, function: str, marker: str) -> list[Invocation]:
    return [
        i
        for i in list(cloud.runtime.invocations)
        if i.function == function and marker in json.dumps(i.event)
    ]


def records_with(invocation: Invocation, marker: str) -> list[dict[str, Any]]:
    return [r for r in invocation.event["Records"] if marker in json.dumps(r)]


def depth(cloud: LocalCloud, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    attributes = cloud.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def new_queue_arn(cloud: LocalCloud, prefix: str, visibility: int) -> str:
    """A fresh queue's ARN, its messages hidden ``visibility`` seconds once received."""
    sqs = cloud.client("sqs")
    url = sqs.create_queue(
        QueueName=f"{prefix}-{uuid.uuid4().hex[:8]}",
        Attributes={"VisibilityTimeout": str(visibility)},
    )["QueueUrl"]
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )


def drain(cloud: LocalCloud, url: str) -> list[dict[str, Any]]:
    messages = (
        cloud.client("sqs")
        .receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        )
        .get("Messages", [])
    )
    for message in messages:
        cloud.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return list(messages)


# ---------------------------------------------------------------------------- SQS -> Lambda
def test_a_partial_batch_failure_redelivers_only_the_failed_message(
    cloud: LocalCloud, probes: Stack
) -> None:
    # Given three messages waiting in one batch, one of which fails on its first receive
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    mapping, url = probes.ref("SqsConsumerPartial"), probes.ref("PartialQueue")
    marker = uuid.uuid4().hex
    lam.update_event_source_mapping(UUID=mapping, Enabled=False)
    for name, fail in (("first", None), ("flaky", 1), ("last", None)):
        sqs.send_message(
            QueueUrl=url, MessageBody=json.dumps({"m": f"{marker}-{name}", "fail": fail})
        )

    # When the mapping polls them
    lam.update_event_source_mapping(UUID=mapping, Enabled=True)
    eventually(lambda: len(calls(cloud, "SqsConsumer", f"{marker}-flaky")) >= 2)

    # Then the batch arrived whole, the function reported the flaky one, and only that one
    # came back, received a second time; nothing is left in the queue or its DLQ
    first, second = calls(cloud, "SqsConsumer", f"{marker}-flaky")[:2]
    assert [json.loads(r["body"])["m"] for r in records_with(first, marker)] == [
        f"{marker}-first",
        f"{marker}-flaky",
        f"{marker}-last",
    ]
    flaky = records_with(first, f"{marker}-flaky")[0]
    assert first.result == {"batchItemFailures": [{"itemIdentifier": flaky["messageId"]}]}
    again = records_with(second, marker)
    assert [r["messageId"] for r in again] == [flaky["messageId"]]
    assert again[0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert second.result == {"batchItemFailures": []}
    assert len(calls(cloud, "SqsConsumer", f"{marker}-first")) == 1
    eventually(lambda: depth(cloud, url) == (0, 0))
    assert drain(cloud, probes.ref("PartialDeadLetters")) == []


def test_a_batch_short_of_the_batch_size_costs_one_receive(
    cloud: LocalCloud, probes: Stack
) -> None:
    # Given three messages waiting for a mapping whose batch size is ten
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    mapping, url = probes.ref("SqsConsumerPartial"), probes.ref("PartialQueue")
    marker = uuid.uuid4().hex
    receives: list[str] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        if params.get("QueueUrl") == url:
            receives.append(url)

    lam.update_event_source_mapping(UUID=mapping, Enabled=False)
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"m": f"{marker}-{n}"}))
    sqs.meta.events.register("before-parameter-build.sqs.ReceiveMessage", count, unique_id=marker)
    try:
        # When the mapping polls them
        lam.update_event_source_mapping(UUID=mapping, Enabled=True)
        eventually(lambda: depth(cloud, url) == (0, 0))
    finally:
        sqs.meta.events.unregister("before-parameter-build.sqs.ReceiveMessage", unique_id=marker)

    # Then they arrived as one batch, taken with one ReceiveMessage: an answer short of ten
    # means the queue had no more, and asking again would have answered nothing
    batches = calls(cloud, "SqsConsumer", marker)
    assert [len(records_with(b, marker)) for b in batches] == [3]
    assert len(receives) == 1


def test_a_message_that_always_fails_lands_in_the_dlq_after_max_receives(
    cloud: LocalCloud, probes: Stack
) -> None:
    marker = uuid.uuid4().hex
    body = json.dumps({"m": marker, "fail": "always"})
    cloud.client("sqs").send_message(QueueUrl=probes.ref("PoisonQueue"), MessageBody=body)

    dead = eventually(lambda: drain(cloud, probes.ref("PoisonDeadLetters")))

    assert [m["Body"] for m in dead] == [body]
    received = [
        records_with(i, marker)[0]["attributes"]["ApproximateReceiveCount"]
        for i in calls(cloud, "SqsConsumer", marker)
    ]
    assert received == ["1", "2"]  # maxReceiveCount: 2
    assert depth(cloud, probes.ref("PoisonQueue")) == (0, 0)


def test_without_report_batch_item_failures_a_function_error_returns_the_whole_batch(
    cloud: LocalCloud, probes: Stack
) -> None:
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    mapping, url = probes.ref("WholeBatchConsumerWholeBatch"), probes.ref("WholeBatchQueue")
    marker = uuid.uuid4().hex
    lam.update_event_source_mapping(UUID=mapping, Enabled=False)
    for n in (1, 2):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"m": f"{marker}-{n}"}))
    cloud.runtime.inject_fault("WholeBatchConsumer", "TransientError", times=1)

    lam.update_event_source_mapping(UUID=mapping, Enabled=True)
    eventually(lambda: len(calls(cloud, "WholeBatchConsumer", marker)) >= 2)

    failed, retried = calls(cloud, "WholeBatchConsumer", marker)[:2]
    assert failed.error_type == "TransientError"
    assert len(records_with(failed, marker)) == 2
    assert [r["attributes"]["ApproximateReceiveCount"] for r in records_with(retried, marker)] == [
        "2",
        "2",
    ]
    eventually(lambda: depth(cloud, url) == (0, 0))


def test_without_report_batch_item_failures_a_reported_failure_is_ignored(
    cloud: LocalCloud, probes: Stack
) -> None:
    # As on AWS: the mapping does not read the response, so the message counts as done.
    marker = uuid.uuid4().hex
    url = probes.ref("WholeBatchQueue")
    body = json.dumps({"m": marker, "fail": "always"})
    cloud.client("sqs").send_message(QueueUrl=url, MessageBody=body)

    (only,) = eventually(lambda: calls(cloud, "WholeBatchConsumer", marker))
    assert only.result["batchItemFailures"]
    eventually(lambda: depth(cloud, url) == (0, 0))
    cloud.events.wait_quiet()
    assert len(calls(cloud, "WholeBatchConsumer", marker)) == 1


def test_filter_criteria_deliver_matching_messages_and_delete_the_rest(
    cloud: LocalCloud, probes: Stack
) -> None:
    sqs, url = cloud.client("sqs"), probes.ref("FilteredQueue")
    marker = uuid.uuid4().hex
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"m": marker, "kind": "unwanted"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"m": marker, "kind": "wanted"}))

    eventually(lambda: calls(cloud, "FilteredConsumer", marker))
    eventually(lambda: depth(cloud, url) == (0, 0))  # the unwanted one deleted, as on AWS
    cloud.events.wait_quiet()

    delivered = [
        json.loads(r["body"])["kind"]
        for i in calls(cloud, "FilteredConsumer", marker)
        for r in records_with(i, marker)
    ]
    assert delivered == ["wanted"]


def test_a_mapping_is_refused_when_the_queue_hides_messages_for_less_than_the_function_runs(
    cloud: LocalCloud, probes: Stack
) -> None:
    lam = cloud.client("lambda")
    arn = new_queue_arn(cloud, "short", visibility=0)
    with pytest.raises(
        lam.exceptions.InvalidParameterValueException, match="less than Function timeout"
    ):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=probes.ref("SqsConsumer"))


@pytest.mark.parametrize(
    ("patterns", "refusal"),
    [
        (['{"body": {"m": ["x"]}}'] * 6, "6 filters, more than the 5 allowed"),
        (['{"body": {"m": ["' + "x" * 4100 + '"]}}'], r"characters \(max 4096\)"),
        (["not json"], "is not a JSON object"),
        (['["a list"]'], "is not a JSON object"),
    ],
)
def test_a_mapping_with_filters_past_lambdas_quotas_is_refused(
    cloud: LocalCloud, probes: Stack, patterns: list[str], refusal: str
) -> None:
    lam = cloud.client("lambda")
    arn = new_queue_arn(cloud, "filtered", visibility=60)
    criteria = {"Filters": [{"Pattern": p} for p in patterns]}
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match=refusal):
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=probes.ref("SqsConsumer"), FilterCriteria=criteria
        )
    allowed = {"Filters": [{"Pattern": '{"body": {"m": ["x"]}}'}] * 5}
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=probes.ref("SqsConsumer"), FilterCriteria=allowed
    )["UUID"]
    try:
        with pytest.raises(lam.exceptions.InvalidParameterValueException, match=refusal):
            lam.update_event_source_mapping(UUID=mapping, FilterCriteria=criteria)
    finally:
        lam.delete_event_source_mapping(UUID=mapping)


# ---------------------------------------------------------------- DynamoDB Streams -> Lambda
def test_stream_records_arrive_once_in_order_with_lambdas_record_shape(
    cloud: LocalCloud, probes: Stack
) -> None:
    ddb = cloud.client("dynamodb")
    table = probes.ref("ChangesTable")
    key = f"order-{uuid.uuid4().hex}"
    for version in range(1, 6):
        ddb.put_item(TableName=table, Item={"pk": {"S": key}, "version": {"N": str(version)}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": key}})  # filtered out (INSERT/MODIFY only)
    after = f"{key}-after"
    ddb.put_item(TableName=table, Item={"pk": {"S": after}, "version": {"N": "1"}})

    eventually(lambda: calls(cloud, "StreamConsumer", after))

    delivered = [r for i in calls(cloud, "StreamConsumer", key) for r in records_with(i, key)]
    assert [r["eventName"] for r in delivered] == ["INSERT"] + ["MODIFY"] * 4 + ["INSERT"]
    assert [r["dynamodb"]["NewImage"]["version"]["N"] for r in delivered[:5]] == list("12345")
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in delivered]
    assert sequence == sorted(set(sequence))  # once each, in write order
    first, second = delivered[0], delivered[1]
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventSourceARN"] == probes.att("ChangesTable", "StreamArn")
    assert first["awsRegion"] == cloud.region
    assert first["dynamodb"]["Keys"] == {"pk": {"S": key}}
    assert "OldImage" not in first["dynamodb"]
    assert second["dynamodb"]["OldImage"]["version"] == {"N": "1"}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)


def test_a_failed_stream_batch_is_retried_not_dropped(cloud: LocalCloud, probes: Stack) -> None:
    cloud.runtime.inject_fault("StreamConsumer", "TransientError", times=2)
    key = f"retry-{uuid.uuid4().hex}"
    cloud.client("dynamodb").put_item(TableName=probes.ref("ChangesTable"), Item={"pk": {"S": key}})

    eventually(lambda: [i for i in calls(cloud, "StreamConsumer", key) if i.error_type is None])

    outcomes = [i.error_type for i in calls(cloud, "StreamConsumer", key)]
    assert outcomes == ["TransientError", "TransientError", None]


def test_a_stream_batch_past_its_retries_is_described_to_the_on_failure_destination(
    cloud: LocalCloud, probes: Stack
) -> None:
    ddb, table = cloud.client("dynamodb"), probes.ref("LimitedTable")
    cloud.runtime.inject_fault("LimitedStreamConsumer", "BrokenConsumer", times=2)
    key = f"discard-{uuid.uuid4().hex}"
    ddb.put_item(TableName=table, Item={"pk": {"S": key}})

    discarded = eventually(lambda: drain(cloud, probes.ref("DiscardedBatches")))

    info = json.loads(discarded[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    assert info["DDBStreamBatchInfo"]["streamArn"] == probes.att("LimitedTable", "StreamArn")
    assert [i.error_type for i in calls(cloud, "LimitedStreamConsumer", key)] == [
        "BrokenConsumer",
        "BrokenConsumer",
    ]  # MaximumRetryAttempts: 1
    # and the stream moved on: the next write is delivered
    after = f"{key}-after"
    ddb.put_item(TableName=table, Item={"pk": {"S": after}})
    assert eventually(lambda: calls(cloud, "LimitedStreamConsumer", after))[0].error_type is None


def test_a_failing_stream_batch_is_bisected_down_to_the_poison_record(
    cloud: LocalCloud, probes: Stack
) -> None:
    lam, ddb = cloud.client("lambda"), cloud.client("dynamodb")
    mapping, table = probes.ref("BisectStreamConsumerChanges"), probes.ref("BisectTable")
    marker = uuid.uuid4().hex
    lam.update_event_source_mapping(UUID=mapping, Enabled=False)
    for name in ("a", "poison", "b", "c"):
        item = {"pk": {"S": f"{marker}-{name}"}}
        if name == "poison":
            item["poison"] = {"BOOL": True}
        ddb.put_item(TableName=table, Item=item)

    lam.update_event_source_mapping(UUID=mapping, Enabled=True)
    done = f"{marker}-c"
    eventually(lambda: [i for i in calls(cloud, "BisectStreamConsumer", done) if not i.error_type])

    delivered = [
        r["dynamodb"]["Keys"]["pk"]["S"].rsplit("-", 1)[1]
        for i in calls(cloud, "BisectStreamConsumer", marker)
        if i.error_type is None
        for r in records_with(i, marker)
    ]
    assert delivered == ["a", "b", "c"]  # in order; the poison record alone was discarded
    poisoned = [i for i in calls(cloud, "BisectStreamConsumer", marker) if i.error_type]
    assert [len(records_with(i, marker)) for i in poisoned] == [4, 2, 1, 1]


def test_a_cancelled_transaction_puts_nothing_on_the_stream_and_the_stream_goes_on(
    cloud: LocalCloud, probes: Stack
) -> None:
    # moto appends a transaction's records as it applies each item and, when the transaction
    # is cancelled, puts back copies of the tables taken before it (a new stream shard too):
    # a poller could read records that never committed, then read a shard no write reaches.
    ddb, table = cloud.client("dynamodb"), probes.ref("ChangesTable")
    marker = uuid.uuid4().hex
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": f"{marker}-cancelled"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": f"{marker}-refused"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"{marker}-committed-{n}"}}}}
            for n in (1, 2)
        ]
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": f"{marker}-after"}})

    eventually(lambda: calls(cloud, "StreamConsumer", f"{marker}-after"))
    cloud.events.wait_quiet()

    delivered = [
        r["dynamodb"]["Keys"]["pk"]["S"].split("-", 1)[1]
        for i in calls(cloud, "StreamConsumer", marker)
        for r in records_with(i, marker)
    ]
    assert delivered == ["committed-1", "committed-2", "after"]
    sequence = [
        int(r["dynamodb"]["SequenceNumber"])
        for i in calls(cloud, "StreamConsumer", marker)
        for r in records_with(i, marker)
    ]
    assert sequence == sorted(set(sequence))
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": f"{marker}-cancelled"}})


# ------------------------------------------------------------------------------- EventBridge
def put_event(cloud: LocalCloud, probes: Stack, source: str, detail: dict[str, Any]) -> str:
    response = cloud.client("events").put_events(
        Entries=[
            {
                "EventBusName": probes.outputs["BusName"],
                "Source": source,
                "DetailType": "Probe",
                "Detail": json.dumps(detail),
            }
        ]
    )
    assert response["FailedEntryCount"] == 0
    return str(response["Entries"][0]["EventId"])


def test_each_target_of_a_rule_gets_the_event_exactly_once(
    cloud: LocalCloud, probes: Stack
) -> None:
    marker = uuid.uuid4().hex
    event_id = put_event(cloud, probes, "probe.all-targets", {"marker": marker})
    cloud.events.wait_quiet()

    queued = drain(cloud, probes.ref("AllTargetsQueue"))
    assert len(queued) == 1
    event = json.loads(queued[0]["Body"])
    assert event["id"] == event_id
    assert event["detail"] == {"marker": marker}
    assert event["account"] == "123456789012"
    assert event["time"].endswith("Z")
    assert [i.event["id"] for i in calls(cloud, "TargetFunction", marker)] == [event_id]
    published = [m for m in cloud.sns_messages(probes.ref("TargetTopic")) if marker in m["Message"]]
    assert len(published) == 1
    executions = cloud.client("stepfunctions").list_executions(
        stateMachineArn=probes.ref("TargetStateMachine")
    )["executions"]
    inputs = [
        cloud.client("stepfunctions").describe_execution(executionArn=e["executionArn"])["input"]
        for e in executions
    ]
    assert len([i for i in inputs if marker in i]) == 1
    # the target that cannot be reached costs the others nothing; its copy goes to its DLQ
    dead = drain(cloud, probes.ref("TargetDeadLetters"))
    assert [json.loads(m["Body"])["id"] for m in dead] == [event_id]
    assert dead[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "ResourceNotFoundException"


def test_a_disabled_rule_delivers_nothing(cloud: LocalCloud, probes: Stack) -> None:
    events = cloud.client("events")
    put_event(cloud, probes, "probe.disabled", {"n": 1})
    assert len(drain(cloud, probes.ref("EnabledTwinQueue"))) == 1  # the same event, enabled rule
    assert depth(cloud, probes.ref("DisabledRuleQueue")) == (0, 0)

    rule = probes.ref("DisabledRule").split("|")[1]
    events.enable_rule(Name=rule, EventBusName=probes.outputs["BusName"])
    try:
        put_event(cloud, probes, "probe.disabled", {"n": 2})
        assert len(drain(cloud, probes.ref("DisabledRuleQueue"))) == 1
    finally:
        events.disable_rule(Name=rule, EventBusName=probes.outputs["BusName"])
        drain(cloud, probes.ref("EnabledTwinQueue"))


def test_input_and_input_path_shape_what_the_target_receives(
    cloud: LocalCloud, probes: Stack
) -> None:
    put_event(cloud, probes, "probe.input", {"hotelId": "h-1", "stars": 4})

    (constant,) = drain(cloud, probes.ref("ConstantInputQueue"))
    (path,) = drain(cloud, probes.ref("PathInputQueue"))
    (transformed,) = drain(cloud, probes.ref("TransformedInputQueue"))
    assert json.loads(constant["Body"]) == {"constant": True}
    assert json.loads(path["Body"]) == {"hotelId": "h-1", "stars": 4}
    assert json.loads(transformed["Body"]) == {"hotel": "h-1", "stars": 4, "kind": "Probe"}


def test_a_lambda_target_that_fails_is_retried_twice_as_an_asynchronous_invocation(
    cloud: LocalCloud, probes: Stack
) -> None:
    cloud.runtime.inject_fault("TargetFunction", "ConsumerDown", times=5)
    marker = uuid.uuid4().hex
    put_event(cloud, probes, "probe.all-targets", {"marker": marker})
    try:
        eventually(lambda: len(calls(cloud, "TargetFunction", marker)) >= 3)
        cloud.events.wait_quiet()
        outcomes = [i.error_type for i in calls(cloud, "TargetFunction", marker)]
        assert outcomes == ["ConsumerDown"] * 3  # the first attempt and Lambda's two retries
    finally:
        drain(cloud, probes.ref("AllTargetsQueue"))
        drain(cloud, probes.ref("TargetDeadLetters"))


def test_what_consumers_receive_parses_with_powertools_models(
    cloud: LocalCloud, probes: Stack
) -> None:
    # The product's consumers parse their events with Powertools; the local shapes must pass.
    from aws_lambda_powertools.utilities.parser.models import (
        DynamoDBStreamModel,
        EventBridgeModel,
        SqsModel,
    )

    marker = uuid.uuid4().hex
    cloud.client("sqs").send_message(
        QueueUrl=probes.ref("PartialQueue"),
        MessageBody=json.dumps({"m": marker}),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "probe"}},
    )
    cloud.client("dynamodb").put_item(
        TableName=probes.ref("ChangesTable"), Item={"pk": {"S": marker}, "n": {"N": "1"}}
    )
    put_event(cloud, probes, "probe.all-targets", {"marker": marker})

    (sqs_call,) = eventually(lambda: calls(cloud, "SqsConsumer", marker))
    (stream_call,) = eventually(lambda: calls(cloud, "StreamConsumer", marker))
    (target_call,) = eventually(lambda: calls(cloud, "TargetFunction", marker))
    sqs_event = SqsModel.model_validate(sqs_call.event)
    assert sqs_event.Records[0].messageAttributes["kind"].stringValue == "probe"
    stream_event = DynamoDBStreamModel.model_validate(stream_call.event)
    assert stream_event.Records[0].dynamodb is not None
    assert stream_event.Records[0].dynamodb.NewImage == {"pk": marker, "n": 1}
    assert EventBridgeModel.model_validate(target_call.event).detail == {"marker": marker}
    (queued,) = drain(cloud, probes.ref("AllTargetsQueue"))
    assert EventBridgeModel.model_validate_json(queued["Body"]).account == "123456789012"
    drain(cloud, probes.ref("TargetDeadLetters"))
