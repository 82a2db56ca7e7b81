"""The API tests deploy template.yaml as its own stack into the session's local cloud."""

from __future__ import annotations

import pytest

from localaws.cloud import LocalCloud
from tests.conftest import TEMPLATE
from tests.fixtures.api_client import ApiClient


@pytest.fixture(scope="session")
def api(cloud: LocalCloud) -> ApiClient:
    # Any origin, so the CORS assertions do not depend on this stack's (local) site domain.
    stack = cloud.deploy(TEMPLATE, stack_name="api", parameters={"AllowedOrigin": "*"})
    return ApiClient(cloud, stack)
