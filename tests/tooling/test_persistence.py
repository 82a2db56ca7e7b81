"""`make run`'s snapshot (localaws/stack/persistence.py): written whole or not at all,
refused with a way out when it cannot be read, and finished executions listed, described and
paged again."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localaws.cloud import LocalCloud
from localaws.stack import persistence
from localaws.stack.persistence import FILE_NAME, FORMAT, SnapshotUnusable, StateDir
from tests.fixtures.waiting import eventually

ROLE = "arn:aws:iam::123456789012:role/sfn-test"
ROOT = Path(__file__).resolve().parents[2]


def test_a_snapshot_reads_back_what_was_written(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    assert state.read() is None  # the first start: nothing saved yet
    state.write({"stack": "s", "tables": {"T": [{"pk": {"B": b"\x00\xff"}}]}})
    read = state.read()
    assert read is not None and read["format"] == FORMAT
    assert read["tables"] == {"T": [{"pk": {"B": b"\x00\xff"}}]}
    assert [p.name for p in state.path.iterdir()] == [FILE_NAME]  # no temporary file left


def test_a_write_that_fails_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.write({"stack": "before"})
    with pytest.raises(TypeError):
        state.write({"stack": "after", "unsaveable": object()})
    read = state.read()
    assert read is not None and read["stack"] == "before"
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


def test_an_unreadable_snapshot_is_refused_with_a_way_out(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"\x1f\x8b half a gzip stream")
    with pytest.raises(SnapshotUnusable) as refused:
        StateDir(tmp_path).read()
    assert "unreadable" in str(refused.value) and "make reset" in str(refused.value)


def test_a_snapshot_of_another_format_is_refused_with_a_way_out(tmp_path: Path) -> None:
    with gzip.open(tmp_path / FILE_NAME, "wt") as f:
        json.dump({"format": FORMAT - 1, "stack": "s"}, f)
    with pytest.raises(SnapshotUnusable) as refused:
        StateDir(tmp_path).read()
    assert f"format {FORMAT - 1}" in str(refused.value) and "make reset" in str(refused.value)


def test_reset_removes_the_snapshot(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.write({"stack": "s"})
    assert state.clear() is True
    assert state.read() is None and state.clear() is False


def machine(sfn: Any, definition: dict[str, Any]) -> str:
    return str(
        sfn.create_state_machine(
            name=f"saved-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
    )


def test_a_finished_execution_is_listed_described_and_paged_after_a_restore(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    # Given a failed execution, saved as `make run` saves it
    sfn = cloud.client("stepfunctions")
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Fail", "Error": "RoomGone", "Cause": "sold out"},
        },
    }
    before = machine(sfn, definition)
    arn = sfn.start_execution(stateMachineArn=before, name="bk-1", input='{"bookingId": "bk-1"}')[
        "executionArn"
    ]
    eventually(lambda: sfn.describe_execution(executionArn=arn)["status"] == "FAILED")
    state = StateDir(tmp_path)
    state.write({"records": list(persistence._executions(sfn, before))})
    saved = state.read()
    assert saved is not None
    # When it is put back under a state machine deployed again
    after = machine(sfn, definition)
    for record in saved["records"]:
        persistence._put_finished_execution(cloud.region, after, record)
    # Then clients see it as before the restart
    listed = sfn.list_executions(stateMachineArn=after)["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [("bk-1", "FAILED")]
    restored = listed[0]["executionArn"]
    described = sfn.describe_execution(executionArn=restored)
    original = sfn.describe_execution(executionArn=arn)
    for key in ("status", "input", "error", "cause", "startDate", "stopDate"):
        assert described[key] == original[key], key
    events = sfn.get_execution_history(executionArn=restored, reverseOrder=True)["events"]
    assert events == sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    assert events[0]["type"] == "ExecutionFailed"
    # And a task token, which moto looks for in every execution, is still answered as AWS
    # does (a restored execution has no worker of its own: it once made this a 500)
    for send in (
        lambda: sfn.send_task_failure(taskToken="gone", error="BookingRejected"),
        lambda: sfn.send_task_success(taskToken="gone", output="{}"),
        lambda: sfn.send_task_heartbeat(taskToken="gone"),
    ):
        with pytest.raises(ClientError) as refused:
            send()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_devstack_reset_forgets_the_saved_state(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    state.write({"stack": "hotel-booking"})
    env = {**os.environ, "LOCALAWS_STATE_DIR": str(state.path)}
    done = subprocess.run(
        [sys.executable, "-m", "devstack", "reset"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "removed the saved local state" in done.stdout
    assert state.read() is None
