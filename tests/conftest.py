"""Session fixtures shared by every test that needs the local cloud.

Only one LocalCloud can run per process (moto's backends are process-global), so the whole
local stack (`make run`'s LocalStack: AWS on loopback, API Gateway, web server, mailbox) is
started once per session on free ports, and `cloud` is its emulated AWS account.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localaws.cloud import LocalCloud, free_port
from localaws.stack import LocalStack, Ports
from tests.fixtures.iam_calls import CallRecorder

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
# Retry back-offs pass 1000x faster than on AWS; attempts and their order stay the same.
RETRY_TIME_SCALE = 0.001


@pytest.fixture(scope="session", autouse=True)
def aws_calls() -> Iterator[CallRecorder]:
    """Every AWS call functions make in this session (tests/integration/test_zz_iam_grants.py)."""
    recorder = CallRecorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    stack = LocalStack(
        Ports(aws=free_port(), api=free_port(), web=free_port(), search=free_port()),
        retry_time_scale=RETRY_TIME_SCALE,
        seed=False,
    )
    with stack:
        yield stack


@pytest.fixture(scope="session")
def cloud(local_stack: LocalStack) -> LocalCloud:
    return local_stack.cloud


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_cloud = "cloud" in request.fixturenames or "local_stack" in request.fixturenames
    running = request.getfixturevalue("cloud") if uses_cloud else None
    yield
    if running is not None:
        running.runtime.clear_faults()
