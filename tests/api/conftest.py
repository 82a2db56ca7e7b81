"""The API tests deploy template.yaml as its own stack into the session's local cloud."""

from __future__ import annotations

import pytest

from localaws.cloud import LocalCloud
from tests.api.client import ApiClient
from tests.conftest import TEMPLATE


@pytest.fixture(scope="session")
def api(cloud: LocalCloud) -> ApiClient:
    return ApiClient(cloud, cloud.deploy(TEMPLATE, stack_name="api"))
