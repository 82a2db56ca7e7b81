"""support_console.executions on its own: finding a deployment's resources by name or through
CloudFormation, and reading each finished booking's hotel only once."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.run import LocalStack
from support_console.executions import Inspector
from support_console.resources import Resources, find_resources, resources_from_stack
from tests.support_console.conftest import Bookings

ARN = "arn:aws:states:eu-west-2:123456789012:stateMachine:"


class Names:
    """list_state_machines / list_tables / describe_stack_resources, one page each."""

    def __init__(self, machines: list[str], tables: list[str]) -> None:
        self.machines, self.tables = machines, tables

    def list_state_machines(self, **_: Any) -> dict[str, Any]:
        return {"stateMachines": [{"name": n, "stateMachineArn": ARN + n} for n in self.machines]}

    def list_tables(self, **_: Any) -> dict[str, Any]:
        return {"TableNames": self.tables}

    def describe_stack_resources(self, StackName: str) -> dict[str, Any]:
        return {
            "StackResources": [
                {"LogicalResourceId": "BookingStateMachine", "PhysicalResourceId": ARN + "x"},
                {"LogicalResourceId": "BookingsTable", "PhysicalResourceId": "x-Bookings-1AB"},
                {"LogicalResourceId": "HotelsTable", "PhysicalResourceId": "x-Hotels-2CD"},
            ]
        }


def test_one_deployment_is_found_by_its_names() -> None:
    names = Names(["other", "shop-booking"], ["shop-BookingsTable", "shop-HotelsTable", "t"])
    found = find_resources(names, names)
    assert found == Resources(ARN + "shop-booking", "shop-BookingsTable", "shop-HotelsTable")
    assert found.execution_arn("bk-1") == (
        "arn:aws:states:eu-west-2:123456789012:execution:shop-booking:bk-1"
    )


def test_several_deployments_prefer_make_runs_or_the_named_stack() -> None:
    names = Names(
        ["hotel-booking-booking", "saga-booking", "saga-short-booking"],
        ["hotel-booking-BookingsTable", "saga-BookingsTable", "saga-short-BookingsTable"],
    )
    assert find_resources(names, names).bookings_table == "hotel-booking-BookingsTable"
    chosen = find_resources(names, names, "saga")
    assert chosen == Resources(ARN + "saga-booking", "saga-BookingsTable", None)

    names.machines.remove("hotel-booking-booking")
    with pytest.raises(LookupError, match="found: saga-booking, saga-short-booking"):
        find_resources(names, names)


def test_a_real_stack_through_cloudformation() -> None:
    found = resources_from_stack(Names([], []), "x")
    assert found == Resources(ARN + "x", "x-Bookings-1AB", "x-Hotels-2CD")


class CountingDynamoDB:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.keys_read = 0
        self.keys_read_by_table: dict[str, int] = {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> Any:
        self.keys_read += sum(len(r["Keys"]) for r in RequestItems.values())
        for table, request in RequestItems.items():
            self.keys_read_by_table[table] = self.keys_read_by_table.get(table, 0) + len(
                request["Keys"]
            )
        return self.client.batch_get_item(RequestItems=RequestItems)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_a_finished_bookings_hotel_is_read_once(
    local_stack: LocalStack, bookings: Bookings
) -> None:
    assert local_stack.stack is not None
    stack, cloud = local_stack.stack, local_stack.cloud
    dynamodb = CountingDynamoDB(cloud.client("dynamodb"))
    inspector = Inspector(
        cloud.client("stepfunctions"),
        dynamodb,
        Resources(
            stack.ref("BookingStateMachine"), stack.ref("BookingsTable"), stack.ref("HotelsTable")
        ),
    )
    assert inspector.warm() >= 2  # read ahead: both bookings' executions have finished
    before = dynamodb.keys_read
    assert before > 0
    bookings_table = stack.ref("BookingsTable")
    bookings_before = dynamodb.keys_read_by_table[bookings_table]

    page = inspector.list_executions()
    rows = {e.booking_id: e for e in page.executions}
    assert rows[bookings.confirmed].hotel_name == bookings.hotel_name
    assert rows[bookings.compensated].hotel_id == rows[bookings.confirmed].hotel_id
    running = sum(1 for e in page.executions if e.status == "RUNNING")
    # Only running ones' bookings are read again (a hotel whose bookings are all still running,
    # as after tests/e2e/stack's twenty-at-once, has its name read once more: not a booking).
    assert dynamodb.keys_read_by_table[bookings_table] - bookings_before == running
    assert inspector.warm() == 0  # nothing new
