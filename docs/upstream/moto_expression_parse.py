"""Reproducer: moto parses an UpdateItem's expressions twice and rebuilds the traversers'
processing maps for every syntax-tree node.

Only moto and boto3 (plus the standard library, to count calls and to try the fixes).
Run: python moto_expression_parse.py
"""

import functools
import statistics
import time
from collections import Counter
from unittest import mock

import boto3
import moto
from moto import mock_aws
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.parsing.validators import Validator

CALLS: Counter[str] = Counter()
CPU: Counter[str] = Counter()
ROUNDS, CALLS_PER_ROUND = 10, 100


def counted(name, func, timed=True):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        CALLS[name] += 1
        if not timed:
            return func(*args, **kwargs)
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            CPU[name] += time.process_time() - start

    return wrapper


def counting():
    """Count parses, validations and processing-map builds (each of nodes_to_be_processed
    and process calls _processing_map(), which builds a new dict of bound methods)."""
    make = UpdateExpressionParser.make.__func__
    parse = ConditionExpressionParser.parse
    return [
        mock.patch.object(
            UpdateExpressionParser, "make", classmethod(counted("UpdateExpression parsed", make))
        ),
        mock.patch.object(
            ConditionExpressionParser, "parse", counted("ConditionExpression parsed", parse)
        ),
        mock.patch.object(
            Validator, "validate", counted("UpdateExpression validated", Validator.validate)
        ),
        mock.patch.object(
            DepthFirstTraverser,
            "nodes_to_be_processed",
            counted("map built", DepthFirstTraverser.nodes_to_be_processed, timed=False),
        ),
        mock.patch.object(
            DepthFirstTraverser,
            "process",
            counted("map built", DepthFirstTraverser.process, timed=False),
        ),
    ]


def parse_once():
    """Sketch of fix 1: the backend reuses the parse the response layer already made (here a
    memo that hands each parse result out once more, then forgets it)."""
    patches = []
    for owner, name in ((UpdateExpressionParser, "make"), (ConditionExpressionParser, "parse")):
        original = getattr(owner, name)
        memo: dict = {}

        def once(*args, _original=original, _memo=memo, _owner=owner):
            key = args[-1] if _owner is UpdateExpressionParser else args[0].condition_expression
            if key in _memo:
                return _memo.pop(key)
            _memo[key] = result = _original(*args)
            return result

        wrapped = classmethod(lambda cls, s, _f=once: _f(s)) if name == "make" else once
        patches.append(mock.patch.object(owner, name, wrapped))
    return patches


def map_once():
    """Sketch of fix 2: build each traverser's processing map once per traverser."""

    def processing_map(self):
        cached = self.__dict__.get("_map")
        if cached is None:
            cached = self.__dict__["_map"] = self._processing_map()
        return cached

    def nodes(self):
        return tuple(processing_map(self))

    def process(self, node):
        for node_class, processor in processing_map(self).items():
            if isinstance(node, node_class):
                return processor(node)

    return [
        mock.patch.object(DepthFirstTraverser, "nodes_to_be_processed", nodes),
        mock.patch.object(DepthFirstTraverser, "process", process),
    ]


def update(client, version: int) -> None:
    client.update_item(
        TableName="bookings",
        Key={"pk": {"S": "b1"}},
        UpdateExpression="SET #s = :s, updatedAt = :t, version = version + :one",
        ConditionExpression="attribute_exists(pk) AND #s = :pending AND version = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":s": {"S": "PENDING"},
            ":pending": {"S": "PENDING"},
            ":t": {"S": "2026-11-28T10:00:00Z"},
            ":one": {"N": "1"},
            ":v": {"N": str(version)},
        },
    )


def run(client, patches, version: int) -> list[float]:
    for patch in patches:
        patch.start()
    try:
        samples = []
        for v in range(version, version + CALLS_PER_ROUND):
            start = time.process_time()
            update(client, v)
            samples.append(time.process_time() - start)
        return samples
    finally:
        for patch in patches:
            patch.stop()


@mock_aws
def main() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="bookings",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"pk": {"S": "b1"}, "status": {"S": "PENDING"}, "version": {"N": "0"}}
    client.put_item(TableName="bookings", Item=item)
    version = 0
    update(client, version)  # warm-up
    version += 1
    print(f"moto {moto.__version__}; UpdateItem, SET of 3 attributes, condition of 3 terms")

    samples = run(client, counting(), version)
    version += CALLS_PER_ROUND
    total = sum(samples)
    print(f"{'per UpdateItem':<28}{'times':>7}{'CPU share (instrumented)':>26}")
    for name in ("UpdateExpression parsed", "ConditionExpression parsed"):
        print(f"{name:<28}{CALLS[name] / CALLS_PER_ROUND:>7.1f}{CPU[name] / total:>26.1%}")
    name = "UpdateExpression validated"
    print(f"{name:<28}{CALLS[name] / CALLS_PER_ROUND:>7.1f}{CPU[name] / total:>26.1%}")
    print(f"{'processing map built':<28}{CALLS['map built'] / CALLS_PER_ROUND:>7.1f}")

    variants = {"as is": [], "parse once": parse_once(), "parse once + map once": []}
    variants["parse once + map once"] = parse_once() + map_once()
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(ROUNDS):  # interleaved, so that load on the machine hits each alike
        for name, patches in variants.items():
            results[name] += run(client, patches, version)
            version += CALLS_PER_ROUND
    base = statistics.median(results["as is"])
    print(f"median CPU per UpdateItem through boto3, {ROUNDS * CALLS_PER_ROUND} calls each:")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(f"  {name:<24}{median * 1000:>6.2f} ms  ({median / base - 1:+.0%})")


if __name__ == "__main__":
    main()
