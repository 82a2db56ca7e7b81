"""The search service on this machine: the template's ``SearchService`` run by the engine's
local ECS (plain processes from the venv), its tasks read back as the console lists them."""

from __future__ import annotations

from typing import Any

from localaws.gateways.ecs_tasks import LocalEcsService
from localaws.provision.deploy import Stack
from support_console.services import ServiceInstance, service_instances

#: The ECS service's logical id in template.yaml.
SEARCH_SERVICE = "SearchService"
#: The HTTP API in front of it (a VPC link to its Cloud Map service).
SEARCH_HTTP_API = "SearchHttpApi"
#: The container's CMD (services/search/Dockerfile), with this interpreter as ``python``.
ENTRY_COMMAND = ("python", "-m", "search_service")
PYTHONPATH = ("functions", "services/search")  # the image's /app holds both packages


class SearchService(LocalEcsService):
    """The search service's tasks, with Cloud Map's view of them for the console and banner."""

    def __init__(self, stack: Stack, client: Any, endpoint: str, log: Any = None) -> None:
        super().__init__(stack, client, endpoint, SEARCH_SERVICE, ENTRY_COMMAND, PYTHONPATH, log)

    def instances(self) -> list[ServiceInstance]:
        """Every registered task with its health, as Cloud Map reports them."""
        return service_instances(self._client, self.discovery_service_id)
