"""The search service on this machine: the template's ``SearchService`` run by the engine's
local ECS (plain processes), its tasks read back as the console lists them.

The tasks run from the image's own environment: a Python 3.13 venv holding exactly
services/search/requirements.txt (``deploy.artifacts`` builds and caches it), with the code
where the Dockerfile puts it. A dependency the image lacks then fails here, not on ECS.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
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
IMAGE_WORKDIR = Path("/")  # the Dockerfile sets none: nothing of the project's root is importable


class SearchService(LocalEcsService):
    """The search service's tasks, with Cloud Map's view of them for the console and banner."""

    def __init__(
        self, stack: Stack, client: Any, endpoint: str, log: Any = None, python: str | None = None
    ) -> None:
        super().__init__(
            stack,
            client,
            endpoint,
            SEARCH_SERVICE,
            ENTRY_COMMAND,
            PYTHONPATH,
            log,
            python=python,
            cwd=IMAGE_WORKDIR,
        )

    def instances(self) -> list[ServiceInstance]:
        """Every registered task with its health, as Cloud Map reports them."""
        return service_instances(self._client, self.discovery_service_id)


def image_python(log: Callable[[str], None]) -> str:
    """The interpreter of the image's environment (built once, then cached under
    .venv/artifacts); this one, said in the log, where that cannot be built here."""
    from deploy.artifacts import ArtifactError, image_venv

    try:
        return str(image_venv() / "bin" / "python")
    except ArtifactError as exc:
        log(f"search tasks run from the dev venv, not the image's environment: {exc}")
        return sys.executable
