"""The tasks of the stack's container services as Cloud Map knows them: id, address, health.

Cloud Map is where ECS registers each task and reports its health, and what the HTTP API
routes by, so it is the truth support staff need ("is search up, and on how many tasks?").

    python -m support_console services [--stack-name S] [--aws] [--json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from support_console.cli import _common, clients, unreadable

LOCAL_STACK = "hotel-booking"  # the stack `make run` deploys
SERVICE = "search"  # template.yaml SearchDiscoveryService


@dataclass(frozen=True)
class ServiceInstance:
    id: str
    address: str
    health: str  # HEALTHY, UNHEALTHY or UNKNOWN

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def service_instances(discovery: Any, service_id: str) -> list[ServiceInstance]:
    """Every registered instance of a Cloud Map service, with its health status."""
    listed: list[dict[str, Any]] = []
    for page in discovery.get_paginator("list_instances").paginate(ServiceId=service_id):
        listed += page["Instances"]
    health: dict[str, str] = {}
    token: dict[str, str] = {}
    while True:  # botocore has no paginator for this one
        page = discovery.get_instances_health_status(ServiceId=service_id, **token)
        health |= page["Status"]
        if not page.get("NextToken"):
            break
        token = {"NextToken": page["NextToken"]}
    return sorted(
        (
            ServiceInstance(
                id=i["Id"],
                address=f"{i['Attributes'].get('AWS_INSTANCE_IPV4', '?')}:"
                f"{i['Attributes'].get('AWS_INSTANCE_PORT', '?')}",
                health=health.get(i["Id"], "UNKNOWN"),
            )
            for i in listed
        ),
        key=lambda i: i.id,
    )


def find_service(discovery: Any, stack_name: str | None = None, name: str = SERVICE) -> str:
    """The id of Cloud Map service ``name`` in the namespace ``<stack>.internal``; without a
    stack name, the only such namespace, or the one `make run` deploys."""
    namespaces = [
        n
        for page in discovery.get_paginator("list_namespaces").paginate()
        for n in page["Namespaces"]
        if n["Name"].endswith(".internal")
    ]
    if stack_name:
        namespaces = [n for n in namespaces if n["Name"] == f"{stack_name}.internal"]
    elif len(namespaces) > 1:
        namespaces = [n for n in namespaces if n["Name"] == f"{LOCAL_STACK}.internal"]
    if len(namespaces) != 1:
        raise LookupError("no single Cloud Map namespace <stack>.internal found; pass --stack-name")
    filters = [{"Name": "NAMESPACE_ID", "Values": [namespaces[0]["Id"]], "Condition": "EQ"}]
    for page in discovery.get_paginator("list_services").paginate(Filters=filters):
        for service in page["Services"]:
            if service["Name"] == name:
                return str(service["Id"])
    raise LookupError(f"no Cloud Map service {name!r} in {namespaces[0]['Name']}")


def render(instances: list[ServiceInstance]) -> str:
    healthy = sum(i.health == "HEALTHY" for i in instances)
    lines = [f"{'TASK':40} {'ADDRESS':22} HEALTH", f"{'-' * 40} {'-' * 22} {'-' * 9}"]
    lines += [f"{i.id:40} {i.address:22} {i.health}" for i in instances]
    lines.append(f"{healthy} of {len(instances)} tasks healthy")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_console services",
        description="The search service's tasks in Cloud Map, with their health.",
        parents=[_common()],
    )
    args = parser.parse_args(argv)
    try:
        client, _ = clients(args)
        discovery = client("servicediscovery")
        instances = service_instances(discovery, find_service(discovery, args.stack_name))
    except (LookupError, BotoCoreError, ClientError) as exc:
        return unreadable(args, exc)
    if args.json:
        print(json.dumps({"instances": [i.to_json() for i in instances]}, indent=1))
    else:
        print(render(instances))
    return 0
