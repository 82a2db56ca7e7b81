"""Every cache the engine's speedups share between threads gives each thread moto's answer when
many threads use it at once (localaws/compat/speedups.py, localaws/compat/stepfunctions.py).

Each test starts its threads together on a barrier, so the first uses of a cache (the misses,
where a shared cache is written) overlap, and compares every answer with the one a single
thread gets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from localaws.cloud import LocalCloud
from tests.tooling.tables import new_table

THREADS = 8


def _together(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` on THREADS threads released at once; their results, in order."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def test_update_expressions_parsed_copied_and_checked_by_many_threads(cloud: LocalCloud) -> None:
    """The parse cache, the pickled copies, the remembered shape checks and the walkers' maps:
    each thread's increments all land, with expressions new to the caches on every round."""
    ddb = cloud.client("dynamodb")
    table = new_table(cloud, "concurrent-updates")["TableName"]
    rounds = 20

    def work(i: int) -> int:
        for r in range(rounds):
            ddb.update_item(
                TableName=table,
                Key={"pk": {"S": f"item-{r}"}},
                # the same expression for every thread in a round, a new one each round
                UpdateExpression=f"ADD n{r} :one, tally :one SET #w{i} = :v",
                ExpressionAttributeNames={f"#w{i}": f"by{i}"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"S": str(i)}},
            )
        return rounds

    assert sum(_together(work)) == THREADS * rounds
    for r in range(rounds):
        item = ddb.get_item(TableName=table, Key={"pk": {"S": f"item-{r}"}})["Item"]
        assert item[f"n{r}"] == {"N": str(THREADS)}
        assert item["tally"] == {"N": str(THREADS)}
        assert {k for k in item if k.startswith("by")} == {f"by{i}" for i in range(THREADS)}


def test_condition_expressions_lexed_by_many_threads_decide_as_dynamodb_does(
    cloud: LocalCloud,
) -> None:
    """The condition lexer's token cache: of the threads racing to claim each item with the
    same new condition, exactly one wins; a refused condition is refused for every thread."""
    ddb = cloud.client("dynamodb")
    table = new_table(cloud, "concurrent-conditions")["TableName"]

    def claim(i: int) -> tuple[int, int]:
        won = refused = 0
        for r in range(15):
            try:
                ddb.put_item(
                    TableName=table,
                    Item={"pk": {"S": f"claim-{r}"}, "owner": {"N": str(i)}},
                    ConditionExpression=f"attribute_not_exists(pk) AND NOT contains(pk, :x{r})",
                    ExpressionAttributeValues={f":x{r}": {"S": "never"}},
                )
                won += 1
            except ddb.exceptions.ConditionalCheckFailedException:
                refused += 1
        return won, refused

    results = _together(claim)
    assert sum(w for w, _ in results) == 15
    assert sum(r for _, r in results) == 15 * (THREADS - 1)


def test_json_paths_and_definitions_shared_by_executions_on_many_threads(
    cloud: LocalCloud,
) -> None:
    """The JSONPath parse cache, the parsed definition and the interpreter's clients, used by
    executions running at once: each output is the one its own input gives."""
    sfn = cloud.client("stepfunctions")
    definition = (
        '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":'
        '{"id.$":"$.id","twice.$":"States.ArrayLength($.items)"},'
        '"ResultPath":"$.out","End":true}}}'
    )
    arn = sfn.create_state_machine(
        name=f"concurrent-{threading.get_ident()}",
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]

    def run(i: int) -> dict[str, Any]:
        name = f"run-{i}-{time.monotonic_ns()}"
        ex = sfn.start_execution(
            stateMachineArn=arn, name=name, input=json.dumps({"id": i, "items": [0] * i})
        )["executionArn"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            d = sfn.describe_execution(executionArn=ex)
            if d["status"] != "RUNNING":
                return json.loads(d.get("output", "null"))
            time.sleep(0.02)
        raise AssertionError(f"execution {name} still running")

    outputs = _together(run)
    assert [o["out"] for o in outputs] == [{"id": i, "twice": i} for i in range(THREADS)]
