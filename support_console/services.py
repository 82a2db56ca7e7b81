"""The tasks of the stack's container services as Cloud Map knows them: id, address, health.

Cloud Map is where ECS registers each task and reports its health, and what the HTTP API
routes by, so it is the truth support staff need ("is search up, and on how many tasks?").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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
