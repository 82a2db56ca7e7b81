"""One local cloud per test session: moto on loopback, template.yaml deployed into it."""

from __future__ import annotations

import pytest

from localaws.cloud import LocalCloud
from tests.conftest import TEMPLATE
from tests.fixtures.saga_driver import SagaDriver


@pytest.fixture(scope="session")
def saga(cloud: LocalCloud) -> SagaDriver:
    """The stack as `make run` deploys it (24 h approval timeout)."""
    return SagaDriver(cloud, cloud.deploy(TEMPLATE, stack_name="saga"))


@pytest.fixture(scope="session")
def short_saga(cloud: LocalCloud) -> SagaDriver:
    """A second stack with a test-sized approval timeout (1 s), also used for destructive tests."""
    stack = cloud.deploy(
        TEMPLATE, stack_name="saga-short", parameters={"ApprovalTimeoutSeconds": "1"}
    )
    return SagaDriver(cloud, stack)
