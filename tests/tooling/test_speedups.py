"""The local engine's caches (localaws/compat/speedups.py) keep moto's answers exactly.

Each cache replaces repeated work with a stored result; these tests compare the cached path
with moto's own on real requests, so a cache that changed an answer fails here."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import string
import weakref
from collections.abc import Callable
from typing import Any

import pytest
import requests

from devstack.run import LocalStack
from localaws.cloud import LocalCloud
from localaws.compat import guard, speedups
from tests.tooling.tables import new_table

EXPRESSIONS = [
    "SET a = :v",
    "SET #s = :to, updatedAt = :at, steps = list_append(steps, :step) ADD version :one",
    "SET held = if_not_exists(held, :zero) + :d, m.inner.#x = :v REMOVE old, gone[0]",
    "SET n = n - :one, l[2] = :v DELETE tags :t ADD counter :one",
]


def _dump(obj: Any, seen: set[int] | None = None) -> Any:
    """A node tree as plain data (class names and attributes), ``parent`` links by class."""
    seen = set() if seen is None else seen
    if isinstance(obj, list):
        return [_dump(x, seen) for x in obj]
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        if id(obj) in seen:
            return f"<cycle {type(obj).__name__}>"
        seen.add(id(obj))
        return {
            "class": type(obj).__name__,
            **{
                k: (type(v).__name__ if k == "parent" else _dump(v, seen))
                for k, v in vars(obj).items()
            },
        }
    return obj


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_a_parsed_expression_copied_by_pickle_is_the_tree_deepcopy_makes(
    cloud: LocalCloud, expression: str
) -> None:
    parser = guard.update_expression_parser()
    validators, _ = guard.update_expression_validator_module()
    tree = parser.make(expression)
    assert parser.make(expression) is tree  # parsed once
    copied = validators.deepcopy(tree)
    assert copied is not tree
    assert _dump(copied) == _dump(copy.deepcopy(tree)) == _dump(pickle.loads(pickle.dumps(tree)))


def test_updates_through_the_caches_give_dynamodb_s_answers(cloud: LocalCloud) -> None:
    ddb = cloud.client("dynamodb")
    t = new_table(cloud, "speedups")["TableName"]
    key = {"pk": {"S": "a"}}
    for _ in range(3):  # the same expression again and again: cached parse, pickled copy
        ddb.update_item(
            TableName=t,
            Key=key,
            UpdateExpression="SET held = if_not_exists(held, :zero) + :d, "
            "steps = list_append(if_not_exists(steps, :empty), :step)",
            ExpressionAttributeValues={
                ":zero": {"N": "0"},
                ":d": {"N": "2"},
                ":empty": {"L": []},
                ":step": {"L": [{"S": "x"}]},
            },
        )
    item = ddb.get_item(TableName=t, Key=key)["Item"]
    assert item["held"] == {"N": "6"}
    assert item["steps"] == {"L": [{"S": "x"}, {"S": "x"}, {"S": "x"}]}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.update_item(
            TableName=t,
            Key=key,
            UpdateExpression="SET held = held - :d",
            ConditionExpression="held < :d",
            ExpressionAttributeValues={":d": {"N": "2"}},
        )
    with pytest.raises(ddb.exceptions.ClientError, match="Invalid UpdateExpression"):
        ddb.update_item(TableName=t, Key=key, UpdateExpression="SET = nothing")


def test_cached_attribute_names_serialize_as_moto_does(cloud: LocalCloud) -> None:
    """DescribeTable's result is a moto model object (aliases, snake_case attributes): the
    response serialized through the cached names equals moto's own serialization."""
    ddb = cloud.client("dynamodb")
    t = new_table(cloud, "speedups", stream=True)["TableName"]
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "b": {"B": b"\x00\x01"}})
    picker_cls, _, _ = guard.serializer_attribute_picker()
    cached = picker_cls.__call__
    assert getattr(cached, "_localaws_cached", False)
    answers = []
    for picker in (cached, cached._localaws_original):
        picker_cls.__call__ = picker
        try:
            table = ddb.describe_table(TableName=t)["Table"]
            table.pop("CreationDateTime")
            answers.append((table, ddb.scan(TableName=t)["Items"]))
        finally:
            picker_cls.__call__ = cached
    assert answers[0] == answers[1]
    assert answers[0][1] == [{"pk": {"S": "a"}, "b": {"B": b"\x00\x01"}}]


def _authorization_headers(client: Any) -> list[str]:
    sent: list[str] = []
    client.meta.events.register(
        "before-send",
        lambda request, **_: sent.append(request.headers["Authorization"].decode()),
        unique_id="test-speedups-authorization",
    )
    return sent


def test_calls_answered_in_process_carry_their_scope_but_no_signature(cloud: LocalCloud) -> None:
    """SQS reads its region from the Authorization header's scope (its URLs don't match
    moto's region pattern): a queue made through the scope-only header is in the stack's
    region and account, as a signed call's would be."""
    sqs = cloud.client("sqs")
    sent = _authorization_headers(sqs)
    url = sqs.create_queue(QueueName="speedups-scope")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    assert arn["QueueArn"] == f"arn:aws:sqs:{cloud.region}:123456789012:speedups-scope"
    assert len(sent) == 2
    for header in sent:
        assert "Credential=testing/" in header and f"/{cloud.region}/sqs/aws4_request" in header
        assert header.endswith("Signature=" + "0" * 64)


def test_s3_calls_and_presigned_urls_keep_their_signature(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    sent = _authorization_headers(s3)
    s3.list_buckets()
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b-speedups", "Key": "k"})
    assert len(sent) == 1 and not sent[0].endswith("0" * 64)
    signature = url.split("X-Amz-Signature=")[1]
    assert len(signature) == 64 and signature != "0" * 64


def test_a_started_stack_froze_its_start_up_and_still_collects_cycles(
    local_stack: LocalStack,
) -> None:
    assert gc.get_freeze_count() > 100_000  # modules, service models, the deployed stack
    assert gc.get_threshold()[0] == speedups.YOUNG_GENERATION

    class Node:
        other: Any = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


#: (update expression, names) each refused by one of moto's validators, with its message.
REFUSED = [
    ("SET a = :v SET b = :v", None, 'The "SET" section can only be used once'),
    ("SET a = :v, a = :v", None, "Two document paths overlap"),
    ("SET #x = :v, #y = :v", {"#x": "a", "#y": "a"}, "Two document paths overlap"),
    ("SET pk = :v", None, "Cannot update attribute pk"),
    ("SET a = b + :v", None, "The provided expression refers to an attribute that does not"),
    ("SET a = :v + :v", None, "An operand in the update expression has an incorrect data type"),
]


def _answers(cloud: LocalCloud, table: str) -> list[Any]:
    """Every REFUSED expression's error, twice, then accepted updates and the item."""
    ddb = cloud.client("dynamodb")
    key = {"pk": {"S": "walk"}}
    ddb.put_item(TableName=table, Item={**key, "n": {"N": "1"}, "l": {"L": [{"S": "x"}]}})
    # Accepted with two names first: the same expression with one name twice must still fail.
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #x = :v, #y = :v",
        ExpressionAttributeNames={"#x": "p", "#y": "q"},
        ExpressionAttributeValues={":v": {"S": "v"}},
    )
    answers: list[Any] = []
    for expression, names, _ in REFUSED * 2:
        with pytest.raises(ddb.exceptions.ClientError) as refused:
            ddb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression=expression,
                ExpressionAttributeValues={":v": {"S": "v"}},
                **({"ExpressionAttributeNames": names} if names else {}),
            )
        answers.append(refused.value.response["Error"]["Message"])
    for names in ({"#x": "a", "#y": "b"}, {"#x": "c", "#y": "d"}):
        answers.append(
            ddb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET #x = :v, #y = if_not_exists(#y, :v), n = n + :one, "
                "l = list_append(l, :l) REMOVE gone",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":v": {"S": "v"},
                    ":one": {"N": "1"},
                    ":l": {"L": [{"S": "y"}]},
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        )
    return answers


def test_the_faster_tree_walk_and_remembered_checks_answer_as_moto_does(
    cloud: LocalCloud,
) -> None:
    """Every walker of moto's UpdateExpression validation runs through the replaced walk; the
    two shape checks answer from memory on the second round. Swapping moto's own methods
    back must give the same answers, refusals included, and a refused expression stays
    refused (its names included: "#x, #y" passes with two names, fails with one)."""
    traverser_cls, node_cls, _ = guard.ast_traversal()
    checks = guard.expression_shape_checks()
    replaced = {
        (traverser_cls, name): getattr(traverser_cls, name)
        for name in ("traverse_node_recursively", "nodes_to_be_processed", "process")
    }
    replaced[node_cls, "find_clauses"] = node_cls.find_clauses
    for check in checks:
        replaced[check, "traverse"] = check.traverse
    assert all(getattr(f, "_localaws_original", None) for f in replaced.values())
    table = new_table(cloud, "walk")["TableName"]
    ours = _answers(cloud, table)
    try:
        for (owner, name), function in replaced.items():
            setattr(owner, name, function._localaws_original)
        motos = _answers(cloud, table)
    finally:
        for (owner, name), function in replaced.items():
            setattr(owner, name, function)
    assert ours == motos
    for (_, _, message), answer in zip(REFUSED * 2, ours, strict=False):
        assert message in answer
    assert ours[-1]["a"] == ours[-1]["b"] == ours[-1]["c"] == ours[-1]["d"] == {"S": "v"}
    assert ours[-1]["l"] == {"L": [{"S": "x"}, {"S": "y"}, {"S": "y"}]}


CONDITIONS = [
    ("attribute_not_exists(pk)", {}),
    ("#s = :from AND held < :rooms", {":from": {"S": "PENDING"}, ":rooms": {"N": "2"}}),
    ("#s = :from AND held < :rooms", {":from": {"S": "CONFIRMED"}, ":rooms": {"N": "2"}}),
    (
        "size(l) > :n OR (NOT #s IN (:a, :b))",
        {":n": {"N": "0"}, ":a": {"S": "x"}, ":b": {"S": "y"}},
    ),
    ("held BETWEEN :lo AND :hi", {":lo": {"N": "0"}, ":hi": {"N": "1"}}),
    ("held < :lo", {":lo": {"N": "5"}}),
]


def _conditional_puts(cloud: LocalCloud, table: str) -> list[Any]:
    ddb = cloud.client("dynamodb")
    item = {"pk": {"S": "c"}, "status": {"S": "PENDING"}, "held": {"N": "1"}, "l": {"L": []}}
    ddb.put_item(TableName=table, Item=item)
    answers: list[Any] = []
    for expression, values in CONDITIONS * 2:
        names = {"#s": "status"} if "#s" in expression else {}
        try:
            ddb.put_item(
                TableName=table,
                Item=item,
                ConditionExpression=expression,
                **({"ExpressionAttributeNames": names} if names else {}),
                **({"ExpressionAttributeValues": values} if values else {}),
            )
            answers.append("written")
        except ddb.exceptions.ClientError as refused:
            answers.append(refused.response["Error"]["Code"])
    return answers


def _ours_and_originals(owner: Any, name: str, run: Callable[[], Any]) -> tuple[Any, Any]:
    """``run()``'s answer through localaws's replacement of ``owner.name``, then through the
    original it wraps (put back afterwards)."""
    replacement = getattr(owner, name)
    ours = run()
    setattr(owner, name, replacement._localaws_original)
    try:
        return ours, run()
    finally:
        setattr(owner, name, replacement)


def test_conditions_lexed_once_answer_as_moto_does(cloud: LocalCloud) -> None:
    table = new_table(cloud, "conditions")["TableName"]
    ours, motos = _ours_and_originals(
        guard.condition_expression_parser(),
        "_lex_condition_expression",
        lambda: _conditional_puts(cloud, table),
    )
    assert ours == motos
    assert ours[:6] == [
        "ConditionalCheckFailedException",
        "written",
        "ConditionalCheckFailedException",
        "written",
        "written",
        "written",
    ]


def test_values_turn_into_json_as_moto_turns_them_and_share_nothing_with_the_item(
    cloud: LocalCloud,
) -> None:
    cls = guard.dynamo_type_class()
    ours, motos = cls.to_regular_json, cls.to_regular_json._localaws_original
    stored = {
        "M": {
            "steps": {"L": [{"M": {"name": {"S": "ReserveRoom"}, "at": {"N": "1"}}}]},
            "picture": {"B": "AAE="},
            "tags": {"SS": ["a", "b"]},
            "sizes": {"NS": ["1", "2.5"]},
            "ok": {"BOOL": True},
            "none": {"NULL": True},
        }
    }
    for value in (stored, {"L": [stored, {"S": "x"}]}, {"B": "AAE="}, {"N": "3"}):
        as_ours, as_motos = ours(cls(value)), motos(cls(value))
        assert as_ours == as_motos
    item = cls(stored)
    answer = ours(item)
    answer["M"]["steps"]["L"].append("changed")
    answer["M"]["tags"]["SS"].append("changed")
    assert ours(item) == motos(cls(stored))  # the stored value is untouched


#: An item with every kind of attribute value, nested in maps and lists.
EVERY_KIND: dict[str, Any] = {
    "pk": {"S": "kinds"},
    "s": {"S": "text"},
    "empty": {"S": ""},
    "n": {"N": "12.50"},
    "b": {"B": b"\x00\x01\xff"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x00", b"\x01"]},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "null": {"NULL": True},
    "m": {"M": {"deep": {"L": [{"S": "x"}, {"M": {"b": {"B": b"\x02"}}}, {"NULL": True}]}}},
    "l": {"L": [{"N": "1"}, {"SS": ["z"]}, {"L": []}, {"M": {}}]},
}


def _reads(cloud: LocalCloud, table: str) -> list[Any]:
    ddb = cloud.client("dynamodb")
    key = {"pk": EVERY_KIND["pk"]}
    ddb.put_item(TableName=table, Item=EVERY_KIND)
    updated = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": EVERY_KIND["n"]},
    )
    body = requests.post(
        cloud.endpoint,
        data=json.dumps({"TableName": table, "Key": {"pk": {"S": "kinds"}}}),
        headers={
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/"
            f"{cloud.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        timeout=10,
    ).text
    return [
        ddb.get_item(TableName=table, Key=key)["Item"],
        ddb.scan(TableName=table)["Items"],
        updated,
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}])[
            "Responses"
        ],
        ddb.get_item(TableName=table, Key=key, ProjectionExpression="m.deep[1], bs")["Item"],
        body,
    ]


def test_attribute_values_serialize_as_moto_serializes_them(cloud: LocalCloud) -> None:
    table = new_table(cloud, "kinds")["TableName"]
    ours, motos = _ours_and_originals(
        guard.json_structure_serializer(),
        "_serialize_type_structure",
        lambda: _reads(cloud, table),
    )
    assert ours == motos
    assert ours[0] == EVERY_KIND
    assert json.loads(ours[-1])["Item"]["b"] == {"B": "AAH/"}


def test_random_strings_keep_moto_s_length_and_alphabet(cloud: LocalCloud) -> None:
    cls = guard.moto_random_class()
    assert getattr(cls.get_random_string, "_localaws_original", None)
    source = cls()
    ids = [source.get_random_string(length=52) for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(i) == 52 and i.isalnum() and i.isascii() for i in ids)
    assert set("".join(ids)) == set(string.ascii_letters + string.digits)
    letters = "".join(source.get_random_string(length=50, include_digits=False) for _ in range(40))
    assert set(letters) == set(string.ascii_letters)
    lower = "".join(source.get_random_string(length=50, lower_case=True) for _ in range(40))
    assert set(lower) == set(string.ascii_lowercase + string.digits)


def _client_round_trips(cloud: LocalCloud, table: str) -> list[Any]:
    """Request bodies as botocore serialized them, and what it parsed from the answers."""
    ddb = cloud.client("dynamodb")
    bodies: list[bytes] = []
    marker = f"test-client-values-{id(bodies)}"
    ddb.meta.events.register(
        "before-send.dynamodb", lambda request, **_: bodies.append(request.body), unique_id=marker
    )
    try:
        text_blob = {"pk": {"S": "text-blob"}, "b": {"B": "text"}, "bs": {"BS": ["x", b"y"]}}
        ddb.put_item(TableName=table, Item=EVERY_KIND)
        ddb.put_item(TableName=table, Item=text_blob)
        answers = [
            ddb.get_item(TableName=table, Key={"pk": EVERY_KIND["pk"]})["Item"],
            ddb.get_item(TableName=table, Key={"pk": {"S": "text-blob"}})["Item"],
            ddb.update_item(
                TableName=table,
                Key={"pk": EVERY_KIND["pk"]},
                UpdateExpression="SET l = list_append(l, :more)",
                ExpressionAttributeValues={":more": {"L": [{"B": b"\x03"}, {"NULL": True}]}},
                ReturnValues="UPDATED_NEW",
            )["Attributes"],
            sorted(ddb.scan(TableName=table)["Items"], key=lambda i: i["pk"]["S"]),
        ]
    finally:
        ddb.meta.events.unregister("before-send.dynamodb", unique_id=marker)
    ddb.delete_item(TableName=table, Key={"pk": EVERY_KIND["pk"]})
    return [bodies, answers]


def test_client_side_attribute_values_serialize_and_parse_as_botocore_does(
    cloud: LocalCloud,
) -> None:
    serializer, parser = guard.botocore_json_structure_handlers()
    serialize, parse = serializer._serialize_type_structure, parser._handle_structure
    table = new_table(cloud, "client-kinds")["TableName"]
    ours = _client_round_trips(cloud, table)
    serializer._serialize_type_structure = serialize._localaws_original
    parser._handle_structure = parse._localaws_original
    try:
        botocores = _client_round_trips(cloud, table)
    finally:
        serializer._serialize_type_structure, parser._handle_structure = serialize, parse
    assert ours == botocores
    assert ours[1][0] == EVERY_KIND
    assert ours[1][1]["b"] == {"B": b"text"} and ours[1][1]["bs"] == {"BS": [b"x", b"y"]}
