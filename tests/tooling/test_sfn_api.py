"""Step Functions clients (boto3 over HTTP, as the AWS CLI calls it) get AWS's answers from the
emulator: history paging and order, and the configuration the template sets."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.run import LocalStack
from localaws.cloud import LocalCloud
from localaws.stack import persistence
from tests.fixtures.waiting import eventually
from tests.tooling.tables import new_table

ROLE = "arn:aws:iam::123456789012:role/sfn-test"
PASS_STATES = 60
EVENTS = 2 * PASS_STATES + 2  # entered and exited each, started and succeeded: over a page


@pytest.fixture(scope="module")
def sfn(cloud: LocalCloud) -> Any:
    """A client over the loopback endpoint, as another process (the AWS CLI) has."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=cloud.endpoint,
        region_name=cloud.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def execution(sfn: Any) -> str:
    states: dict[str, Any] = {
        f"Step{i}": {"Type": "Pass", "Next": f"Step{i + 1}"} for i in range(PASS_STATES - 1)
    }
    states[f"Step{PASS_STATES - 1}"] = {"Type": "Pass", "End": True}
    machine = sfn.create_state_machine(
        name=f"paging-{uuid.uuid4().hex[:8]}",
        definition=json.dumps({"StartAt": "Step0", "States": states}),
        roleArn=ROLE,
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="run", input='{"n": 1}')["executionArn"]
    eventually(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    return str(arn)


def test_history_pages_by_max_results_with_a_next_token(sfn: Any, execution: str) -> None:
    first = sfn.get_execution_history(executionArn=execution, maxResults=50)
    assert len(first["events"]) == 50 and first["nextToken"]
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=execution, PaginationConfig={"PageSize": 50}
    )
    events = [e for page in pages for e in page["events"]]
    assert len(events) == EVENTS
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_history_without_max_results_returns_a_page_of_100(sfn: Any, execution: str) -> None:
    page = sfn.get_execution_history(executionArn=execution)
    assert len(page["events"]) == 100 and page["nextToken"]
    rest = sfn.get_execution_history(executionArn=execution, nextToken=page["nextToken"])
    assert len(rest["events"]) == EVENTS - 100 and "nextToken" not in rest


def test_history_in_reverse_order_starts_with_the_last_event(sfn: Any, execution: str) -> None:
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=execution, reverseOrder=True, PaginationConfig={"PageSize": 7}
    )
    events = [e for page in pages for e in page["events"]]
    assert events[0]["type"] == "ExecutionSucceeded"
    assert events[-1]["type"] == "ExecutionStarted"
    assert [e["id"] for e in events] == list(range(len(events), 0, -1))


def test_history_without_execution_data_leaves_out_input_and_output(
    sfn: Any, execution: str
) -> None:
    events = sfn.get_execution_history(
        executionArn=execution, maxResults=3, includeExecutionData=False
    )["events"]
    started = events[0]["executionStartedEventDetails"]
    assert "input" not in started and "roleArn" in started
    with_data = sfn.get_execution_history(executionArn=execution, maxResults=1)["events"]
    assert json.loads(with_data[0]["executionStartedEventDetails"]["input"]) == {"n": 1}


@pytest.mark.parametrize("token", ["not-a-token", "e30="])
def test_a_token_it_did_not_issue_is_refused(sfn: Any, execution: str, token: str) -> None:
    with pytest.raises(ClientError) as refused:
        sfn.get_execution_history(executionArn=execution, nextToken=token)
    assert refused.value.response["Error"]["Code"] == "InvalidToken"


def test_a_token_for_the_other_order_is_refused(sfn: Any, execution: str) -> None:
    token = sfn.get_execution_history(executionArn=execution, maxResults=5)["nextToken"]
    with pytest.raises(ClientError) as refused:
        sfn.get_execution_history(executionArn=execution, nextToken=token, reverseOrder=True)
    assert refused.value.response["Error"]["Code"] == "InvalidToken"


def test_more_than_1000_results_a_page_is_refused(sfn: Any, execution: str) -> None:
    with pytest.raises(ClientError) as refused:
        sfn.get_execution_history(executionArn=execution, maxResults=1001)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_list_executions_pages(sfn: Any, execution: str) -> None:
    machine = execution.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    for name in ("second", "third"):
        sfn.start_execution(stateMachineArn=machine, name=name)
    first = sfn.list_executions(stateMachineArn=machine, maxResults=2)
    assert len(first["executions"]) == 2 and first["nextToken"]
    rest = sfn.list_executions(stateMachineArn=machine, maxResults=2, nextToken=first["nextToken"])
    names = {e["name"] for e in first["executions"] + rest["executions"]}
    assert names == {"run", "second", "third"} and not rest.get("nextToken")


def test_the_saga_reports_the_tracing_the_template_turns_on(
    sfn: Any, local_stack: LocalStack
) -> None:
    assert local_stack.stack is not None
    for machine in ("BookingStateMachine", "CancellationStateMachine"):
        described = sfn.describe_state_machine(stateMachineArn=local_stack.stack.ref(machine))
        assert described["tracingConfiguration"] == {"enabled": True}


# -- RedriveExecution --------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(cloud: LocalCloud, sfn: Any) -> tuple[str, str]:
    """A machine whose Task fails until the item it updates exists: (machine ARN, table)."""
    table = str(new_table(cloud, "redrive")["TableName"])
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Pass",
                "Result": "prepared",
                "ResultPath": "$.prepared",
                "Next": "Mark",
            },
            "Mark": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": table,
                    "Item": {"pk": {"S.$": "$.key"}, "done": {"BOOL": True}},
                    "ConditionExpression": "attribute_exists(pk)",
                },
                "ResultPath": None,
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    machine = sfn.create_state_machine(
        name=f"redrive-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return str(machine), table


def finished(sfn: Any, arn: str) -> dict[str, Any]:
    return dict(
        eventually(
            lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d
        )
    )


def failed_run(sfn: Any, machine: str) -> tuple[str, str]:
    key = uuid.uuid4().hex
    arn = sfn.start_execution(
        stateMachineArn=machine, name=f"run-{key[:8]}", input=json.dumps({"key": key})
    )["executionArn"]
    assert finished(sfn, arn)["status"] == "FAILED"
    return str(arn), key


def entered(events: list[dict[str, Any]]) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]


def test_redrive_continues_a_failed_execution_from_its_failed_state(
    cloud: LocalCloud, sfn: Any, guarded: tuple[str, str]
) -> None:
    # Given an execution that failed in its second state
    machine, table = guarded
    arn, key = failed_run(sfn, machine)
    before = sfn.describe_execution(executionArn=arn)
    assert before["redriveStatus"] == "REDRIVABLE" and before["redriveCount"] == 0
    # When the cause is fixed and it is redriven
    cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": key}})
    date = sfn.redrive_execution(executionArn=arn)["redriveDate"]
    # Then it goes on from the failed state, under the same ARN, to success
    after = finished(sfn, arn)
    assert after["status"] == "SUCCEEDED"
    assert after["redriveCount"] == 1 and after["redriveDate"] == date
    assert after["input"] == before["input"] and after["startDate"] == before["startDate"]
    assert json.loads(after["output"])["prepared"] == "prepared"
    assert after["redriveStatus"] == "NOT_REDRIVABLE"
    assert after["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven."
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    events = [e for page in pages for e in page["events"]]
    assert entered(events) == ["Prepare", "Mark", "Mark", "Done"]  # Prepare is not run again
    kinds = [e["type"] for e in events]
    assert kinds.count("ExecutionStarted") == 1 and kinds.count("ExecutionFailed") == 1
    redriven = kinds.index("ExecutionRedriven")
    assert kinds[redriven - 1] == "ExecutionFailed" and kinds[-1] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[redriven]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [e["status"] for e in listed if e["executionArn"] == arn] == ["SUCCEEDED"]


def test_redrive_that_fails_again_can_be_redriven_again(sfn: Any, guarded: tuple[str, str]) -> None:
    machine, _ = guarded
    arn, _ = failed_run(sfn, machine)
    sfn.redrive_execution(executionArn=arn)
    assert finished(sfn, arn)["status"] == "FAILED"
    sfn.redrive_execution(executionArn=arn)
    again = finished(sfn, arn)
    assert again["status"] == "FAILED" and again["redriveCount"] == 2


def test_a_succeeded_or_running_execution_is_not_redrivable(sfn: Any, execution: str) -> None:
    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=execution)
    error = refused.value.response["Error"]
    assert error["Code"] == "ExecutionNotRedrivable"
    assert "SUCCEEDED" in error["Message"]


def test_an_unknown_execution_is_refused(sfn: Any, execution: str) -> None:
    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=execution + "-nope")
    assert refused.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_an_execution_stopped_more_than_14_days_ago_is_not_redrivable(
    cloud: LocalCloud, sfn: Any, guarded: tuple[str, str]
) -> None:
    # A failed execution saved long ago and put back (as `make run` does after a restart)
    machine, _ = guarded
    arn, _ = failed_run(sfn, machine)
    record = next(r for r in persistence._executions(sfn, machine) if r["name"] in arn)
    record["name"] += "-old"
    record["stopDate"] = dt.datetime.now(dt.UTC) - dt.timedelta(days=14, minutes=1)
    persistence._put_finished_execution(cloud.region, machine, record)
    old = arn + "-old"
    assert sfn.describe_execution(executionArn=old)["redriveStatus"] == "NOT_REDRIVABLE"
    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=old)
    assert refused.value.response["Error"]["Message"] == "Execution redrivable period exceeded."
