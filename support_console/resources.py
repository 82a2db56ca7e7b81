"""Where a deployment's executions and records are: found by name, from a stack's resources, or
named by the local stack; the Step Functions console's address for a run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_STACK = "hotel-booking"  # what `make run` deploys
STATE_MACHINE_SUFFIXES = ("-booking", "BookingStateMachine")
CANCELLATION_PREFIX = "cancel-"
TABLE_SUFFIX = "BookingsTable"
HOTELS_SUFFIX = "HotelsTable"


class NotFound(LookupError):
    """No such execution."""


# ------------------------------------------------------------------------------ resources
@dataclass(frozen=True)
class Resources:
    """Where a deployment's executions and booking records are."""

    state_machine_arn: str
    bookings_table: str
    hotels_table: str | None = None  # for hotel names in the list; optional
    #: The cancellation saga of the same deployment, if it has one.
    cancellation_state_machine_arn: str | None = None
    #: What goes before the bookingId in an execution's name ("" for the booking saga).
    name_prefix: str = ""

    def execution_arn(self, booking_id: str) -> str:
        """The execution name is made from the bookingId, so its ARN is known without a lookup."""
        base = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        return f"{base}:{self.name_prefix}{booking_id}"

    def cancellations(self) -> Resources | None:
        """The same deployment seen through its cancellation state machine (None: it has none)."""
        if not self.cancellation_state_machine_arn:
            return None
        return replace(
            self,
            state_machine_arn=self.cancellation_state_machine_arn,
            cancellation_state_machine_arn=None,
            name_prefix=CANCELLATION_PREFIX,
        )


def find_resources(sfn: Any, dynamodb: Any, stack_name: str | None = None) -> Resources:
    """Find the booking state machine and the bookings table by name.

    With ``stack_name``: the names that stack gives them (``<stack>-booking``,
    ``<stack>-BookingsTable``). Without: the ones whose names end like that; if several
    deployments match, the one `make run` deploys (stack ``hotel-booking``) wins, otherwise
    the caller has to say which.
    """
    machines = {m["name"]: m["stateMachineArn"] for m in _state_machines(sfn)}
    tables = list(_tables(dynamodb))
    if stack_name:
        wanted = {f"{stack_name}{suffix}" for suffix in STATE_MACHINE_SUFFIXES}
        machine = [arn for name, arn in machines.items() if name in wanted]
        table = [t for t in tables if t == f"{stack_name}-{TABLE_SUFFIX}"]
        where = f"for stack {stack_name!r}"
    else:
        machine = [arn for name, arn in machines.items() if name.endswith(STATE_MACHINE_SUFFIXES)]
        table = [t for t in tables if t.endswith(TABLE_SUFFIX)]
        where = "(names ending in -booking / BookingsTable)"
        if len(machine) > 1 or len(table) > 1:
            machine = [a for a in machine if a.split(":")[-1].startswith(f"{DEFAULT_STACK}-")]
            table = [t for t in table if t.startswith(f"{DEFAULT_STACK}-")]
    found_machines = sorted(n for n in machines if n.endswith(STATE_MACHINE_SUFFIXES))
    found_tables = sorted(t for t in tables if t.endswith(TABLE_SUFFIX))
    if len(machine) != 1:
        raise LookupError(
            f"no single booking state machine {where}; found: {', '.join(found_machines) or 'none'}"
            " (pass --stack-name or --state-machine-arn)"
        )
    if len(table) != 1:
        raise LookupError(
            f"no single bookings table {where}; found: {', '.join(found_tables) or 'none'}"
            " (pass --stack-name or --bookings-table)"
        )
    hotels = f"{table[0].removesuffix(TABLE_SUFFIX)}{HOTELS_SUFFIX}"
    booking_name = machine[0].split(":")[-1]
    cancellation = machines.get(f"{booking_name.removesuffix('-booking')}-cancellation")
    return Resources(
        machine[0],
        table[0],
        hotels if hotels in tables else None,
        cancellation if booking_name.endswith("-booking") else None,
    )


def resources_from_stack(cloudformation: Any, stack_name: str) -> Resources:
    """A real deployment: the physical ids CloudFormation gave BookingStateMachine and
    BookingsTable (the table's name carries a random suffix on AWS)."""
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    missing = [x for x in ("BookingStateMachine", "BookingsTable") if x not in ids]
    if missing:
        raise LookupError(f"stack {stack_name!r} has no {' or '.join(missing)}")
    return Resources(
        ids["BookingStateMachine"],
        ids["BookingsTable"],
        ids.get("HotelsTable"),
        ids.get("CancellationStateMachine"),
    )


def console_url(region: str, execution_arn: str) -> str:
    """The execution's page in the AWS Step Functions console."""
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{execution_arn}"
    )


def _state_machines(sfn: Any) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"maxResults": 1000}
    while True:
        page = sfn.list_state_machines(**kwargs)
        yield from page["stateMachines"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


def _tables(dynamodb: Any) -> Iterator[str]:
    kwargs: dict[str, Any] = {"Limit": 100}
    while True:
        page = dynamodb.list_tables(**kwargs)
        yield from page["TableNames"]
        if not page.get("LastEvaluatedTableName"):
            return
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
