"""Session fixtures shared by every test that needs the local cloud.

Only one LocalCloud can run per process (moto's backends are process-global), so the whole
local stack (`make run`'s LocalStack: AWS on loopback, API Gateway, web server, mailbox) is
started once per session on free ports, and `cloud` is its emulated AWS account. Under
pytest-xdist (`make test` runs `-n 3`) that is once per worker process.

IAM check over the whole run: each process checks the calls its functions made against their
roles when its stack stops and leaves the verdict in a directory the controlling process owns;
the controller fails the run, as one failed test, if any process saw a call its role denies.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.run import LocalStack, Ports
from localaws.cloud import LocalCloud, free_port
from tests.fixtures.iam_calls import CallRecorder, SessionFindings, denied_calls

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
# Retry back-offs pass 1000x faster than on AWS; attempts and their order stay the same.
RETRY_TIME_SCALE = 0.001


IAM_CHECK_ID = "tests/integration/test_zz_iam_grants.py::every_call_in_the_whole_run"
_FINDINGS = pytest.StashKey[SessionFindings]()


def pytest_configure(config: pytest.Config) -> None:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is None:  # the controller, or a run without xdist
        directory = Path(tempfile.mkdtemp(prefix="iam-calls-"))
    else:
        directory = Path(workerinput["iam_calls_dir"])
    config.stash[_FINDINGS] = SessionFindings(directory)


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and _FINDINGS in config.stash:
        shutil.rmtree(config.stash[_FINDINGS].directory, ignore_errors=True)
    # Everything has run and reported. Without this, the interpreter's last collections walk
    # every object the stack left (moto's backends, each Lambda container's modules): 2.6 s
    # per worker, 0.1 s with it, at the very end of the run where nothing overlaps it.
    gc.disable()
    gc.freeze()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: tell each worker where to leave its verdict."""
    node.workerinput["iam_calls_dir"] = str(node.config.stash[_FINDINGS].directory)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Any:
    """After every test of every worker: one failed report if any call was denied."""
    result = yield
    if hasattr(session.config, "workerinput"):
        return result
    verdicts = session.config.stash[_FINDINGS].read()
    denied = sorted({d for _, found in verdicts.values() for d in found})
    if denied:
        calls = sum(n for n, _ in verdicts.values())
        lines = [f"{len(denied)} call(s) that the function's role does not allow, of {calls}:"]
        lines += [f"  {fn}: {action} on {resource}" for fn, action, resource in denied]
        report = pytest.TestReport(
            nodeid=IAM_CHECK_ID,
            location=("tests/integration/test_zz_iam_grants.py", None, IAM_CHECK_ID),
            keywords={},
            outcome="failed",
            longrepr="\n".join(lines),
            when="call",
        )
        session.config.hook.pytest_runtest_logreport(report=report)
    return result


@pytest.fixture(scope="session", autouse=True)
def aws_calls() -> Iterator[CallRecorder]:
    """Every AWS call functions make in this session (tests/integration/test_zz_iam_grants.py)."""
    recorder = CallRecorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture(scope="session")
def local_stack(request: pytest.FixtureRequest, aws_calls: CallRecorder) -> Iterator[LocalStack]:
    stack = LocalStack(
        Ports(aws=free_port(), api=free_port(), web=free_port(), search=free_port()),
        retry_time_scale=RETRY_TIME_SCALE,
        # The engine scales retries, not Wait states: a booking that waits out a payment
        # outage (browser tests) is cancelled within seconds, not the default 30.
        parameters={"PaymentRetryWaitSeconds": "4"},
        seed=False,
    )
    with stack:
        yield stack
        # Every test of this process has run: its functions' calls, against their roles.
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        found = request.config.stash[_FINDINGS]
        found.write(worker, len(aws_calls.needs), denied_calls(stack, aws_calls.needs))


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
