"""The picture and the path, without HTTP: layout of the real definition, routes that never
cross a box, and the path read from histories (retries, timeouts, waiting for a token)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from devstack.run import LocalStack
from support_console import graph
from support_console.executions import read_path


@pytest.fixture(scope="module")
def definition(local_stack: LocalStack) -> dict[str, Any]:
    assert local_stack.stack is not None
    sfn = local_stack.cloud.client("stepfunctions")
    described = sfn.describe_state_machine(
        stateMachineArn=local_stack.stack.ref("BookingStateMachine")
    )
    return dict(json.loads(described["definition"]))


def test_happy_path_runs_down_the_first_column(definition: dict[str, Any]) -> None:
    boxes = graph.layout(definition)
    assert set(boxes) == set(definition["States"])
    happy = graph.happy_path(definition)
    assert happy == [
        "ReserveRoom",
        "RecordPayment",
        "NotifyManager",
        "ConfirmBooking",
        "BookingConfirmed",
    ]
    assert [(boxes[n].row, boxes[n].col) for n in happy] == [(i, 0) for i in range(5)]
    # compensations beside it, in the order they run
    for name in ("RefundPayment", "ReleaseRoom", "RecordFailure"):
        assert boxes[name].col > 0
    assert boxes["RefundPayment"].row < boxes["ReleaseRoom"].row < boxes["RecordFailure"].row
    cells = [(b.row, b.col) for b in boxes.values()]
    assert len(cells) == len(set(cells)), "two states in one place"
    assert max(b.col for b in boxes.values()) < graph.MAX_COLUMNS


def test_every_transition_is_an_edge(definition: dict[str, Any]) -> None:
    pairs = {(e.source, e.target) for e in graph.edges(definition)}
    assert ("ReserveRoom", "RecordPayment") in pairs  # Next
    assert ("RecordPayment", "ReleaseRoom") in pairs  # Catch PaymentDeclined
    assert ("HowDidItEnd", "BookingFailed") in pairs  # Default
    assert ("HowDidItEnd", "PaymentDeclined") in pairs  # Choice
    catch = next(e for e in graph.edges(definition) if e.source == "RecordPayment")
    assert catch.kind in {"next", "catch"}
    declined = next(
        e
        for e in graph.edges(definition)
        if (e.source, e.target) == ("RecordPayment", "ReleaseRoom")
    )
    assert declined.kind == "catch" and declined.labels == ["PaymentDeclined"]


def test_no_line_crosses_a_box(definition: dict[str, Any]) -> None:
    boxes = graph.layout(definition)
    router = graph._Router()
    for edge in graph.edges(definition):
        points = router.route(boxes[edge.source], boxes[edge.target])
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2, f"{edge}: not orthogonal"
            for box in boxes.values():
                if box.name in (edge.source, edge.target):
                    continue
                left, top = box.left + 1, box.top + 1
                right, bottom = box.left + graph.BOX_W - 1, box.top + graph.BOX_H - 1
                crosses = (
                    min(x1, x2) < right
                    and max(x1, x2) > left
                    and min(y1, y2) < bottom
                    and max(y1, y2) > top
                )
                assert not crosses, f"{edge.source} → {edge.target} crosses {box.name}"


def test_svg_is_well_formed_with_and_without_a_path(definition: dict[str, Any]) -> None:
    ET.fromstring(graph.render(definition))
    events = history(
        ("TaskStateEntered", {"name": "ReserveRoom"}),
        ("LambdaFunctionScheduled", {"resource": "arn:aws:lambda:r:1:function:f"}),
        ("LambdaFunctionFailed", {"error": "RoomUnavailable", "cause": '{"errorMessage":"<&>"}'}),
        ("TaskStateExited", {"name": "ReserveRoom"}),
        ("TaskStateEntered", {"name": "RecordFailure"}),
    )
    path = read_path(events, definition, "RUNNING")
    svg = graph.render(definition, path)
    ET.fromstring(svg)
    assert 'class="state type-task visited failed" data-state="ReserveRoom"' in svg
    assert 'class="state type-task visited current" data-state="RecordFailure"' in svg


# ---------------------------------------------------------------------------- read_path
def history(*events: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    out = [
        {
            "id": 1,
            "type": "ExecutionStarted",
            "timestamp": start,
            "executionStartedEventDetails": {"input": "{}"},
        }
    ]
    for i, (kind, details) in enumerate(events, 2):
        event: dict[str, Any] = {
            "id": i,
            "type": kind,
            "timestamp": start + dt.timedelta(milliseconds=i),
        }
        key = {
            "StateEntered": "stateEnteredEventDetails",
            "StateExited": "stateExitedEventDetails",
        }.get(kind.removeprefix("Task").removeprefix("Fail").removeprefix("Choice"))
        key = key or kind[0].lower() + kind[1:] + "EventDetails"
        event[key] = details
        out.append(event)
    return out


DEFINITION = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Task", "Next": "B", "Catch": [{"ErrorEquals": ["X"], "Next": "Oops"}]},
        "B": {"Type": "Task", "End": True},
        "Oops": {"Type": "Fail", "Error": "X"},
    },
}


def test_a_retried_step_that_succeeds_is_not_the_failed_state() -> None:
    path = read_path(
        history(
            ("TaskStateEntered", {"name": "A"}),
            ("LambdaFunctionScheduled", {"resource": "arn:aws:lambda:r:1:function:f"}),
            ("LambdaFunctionFailed", {"error": "TransientError", "cause": "x"}),
            ("LambdaFunctionScheduled", {"resource": "arn:aws:lambda:r:1:function:f"}),
            ("LambdaFunctionSucceeded", {"output": "{}"}),
            ("TaskStateExited", {"name": "A"}),
            ("TaskStateEntered", {"name": "B"}),
            ("LambdaFunctionScheduled", {}),
            ("LambdaFunctionSucceeded", {"output": "{}"}),
            ("TaskStateExited", {"name": "B"}),
            ("ExecutionSucceeded", {"output": "{}"}),
        ),
        DEFINITION,
        "SUCCEEDED",
    )
    assert path.names == ["A", "B"]
    assert path.visits[0].attempts == 2 and path.visits[0].outcome == "succeeded"
    assert path.visits[0].errors == [("TransientError", "x")]
    assert path.failed_state is None and path.end_state == "B"
    assert path.transitions == {("A", "B")}
    assert [e.summary for e in path.events[2:5]] == ["f", "TransientError: x", "f (attempt 2)"]


def test_a_step_calling_an_alias_is_named_by_its_function() -> None:
    """The saga calls each function's `live` alias: the summary names the function."""
    alias = "arn:aws:lambda:r:1:function:reserve-room:live"
    path = read_path(
        history(
            ("TaskStateEntered", {"name": "A"}),
            ("LambdaFunctionScheduled", {"resource": alias}),
            ("LambdaFunctionSucceeded", {"output": "{}"}),
            ("TaskStateExited", {"name": "A"}),
            ("TaskStateEntered", {"name": "B"}),
            (
                "TaskScheduled",
                {
                    "resource": "arn:aws:states:::lambda:invoke",
                    "parameters": json.dumps({"FunctionName": alias}),
                },
            ),
            ("TaskSucceeded", {"output": "{}"}),
            ("TaskStateExited", {"name": "B"}),
            ("ExecutionSucceeded", {"output": "{}"}),
        ),
        DEFINITION,
        "SUCCEEDED",
    )
    named = [e.summary for e in path.events if "reserve" in e.summary or "live" in e.summary]
    assert named == ["reserve-room", "reserve-room"]


def test_a_caught_error_names_the_failed_state_and_the_fail_state() -> None:
    path = read_path(
        history(
            ("TaskStateEntered", {"name": "A"}),
            ("TaskScheduled", {"resource": "invoke.waitForTaskToken"}),
            ("TaskSubmitted", {}),
            ("TaskTimedOut", {"error": "States.Timeout"}),
            ("TaskStateExited", {"name": "A"}),
            ("FailStateEntered", {"name": "Oops"}),
            ("ExecutionFailed", {"error": "X", "cause": "late"}),
        ),
        DEFINITION,
        "FAILED",
    )
    assert path.names == ["A", "Oops"]
    assert path.visits[0].outcome == "failed" and path.visits[0].error == "States.Timeout"
    assert path.failed_state == "A" and path.end_state == "Oops"
    assert path.events[-1].summary == "X: late"


def test_waiting_for_a_token_and_timing_out_inside_a_state() -> None:
    waiting = history(
        ("TaskStateEntered", {"name": "A"}),
        ("TaskScheduled", {"resource": "invoke.waitForTaskToken"}),
        ("TaskSubmitted", {}),
    )
    path = read_path(waiting, DEFINITION, "RUNNING")
    assert path.visits[0].outcome == "waiting"
    assert path.failed_state is None and path.end_state is None

    timed_out = read_path(
        [
            *waiting,
            {
                "id": 9,
                "type": "ExecutionTimedOut",
                "timestamp": waiting[-1]["timestamp"],
                "executionTimedOutEventDetails": {"error": "States.Timeout"},
            },
        ],
        DEFINITION,
        "TIMED_OUT",
    )
    assert timed_out.failed_state == "A"
    assert timed_out.visits[0].outcome == "failed"
    assert timed_out.visits[0].error == "States.Timeout"
    assert timed_out.end_state == "A"
