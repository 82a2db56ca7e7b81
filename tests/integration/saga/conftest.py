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


#: The outage stack's numbers: 3 waits of 1 s, and a circuit that opens after 2 failures and
#: stays open longer than any test (so no probe runs unless a test asks for one).
OUTAGE_PARAMETERS = {
    "PaymentRetryWaitSeconds": "1",
    "PaymentRetryWindowSeconds": "3",
    "CircuitBreakerFailureThreshold": "2",
    "CircuitBreakerRecoverySeconds": "600",
    "CircuitStateCacheSeconds": "0",
    "PaymentOutageCacheSeconds": "0",
}


@pytest.fixture(scope="session")
def outage_saga(cloud: LocalCloud) -> SagaDriver:
    """A stack whose payment retries and circuit breaker are test-sized."""
    stack = cloud.deploy(TEMPLATE, stack_name="saga-outage", parameters=OUTAGE_PARAMETERS)
    return SagaDriver(cloud, stack)
