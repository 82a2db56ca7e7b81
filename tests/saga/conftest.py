"""One local cloud per test session: moto on loopback, template.yaml deployed into it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localaws.cloud import LocalCloud
from tests.saga_driver import SagaDriver

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
# Retry back-offs pass 1000x faster than on AWS; attempts and their order stay the same.
RETRY_TIME_SCALE = 0.001


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(retry_time_scale=RETRY_TIME_SCALE) as running:
        yield running


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


@pytest.fixture(autouse=True)
def _no_leftover_faults(cloud: LocalCloud) -> Iterator[None]:
    yield
    cloud.runtime.clear_faults()
