"""Step Functions clients (boto3 over HTTP, as the AWS CLI calls it) get AWS's answers from the
emulator: history paging and order, and the configuration the template sets."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from localaws.cloud import LocalCloud
from localaws.stack import LocalStack
from tests.fixtures.waiting import eventually

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
