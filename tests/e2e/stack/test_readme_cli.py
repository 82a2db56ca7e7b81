"""The README's AWS CLI snippet works as pasted against the local stack: it sets the region and
dummy keys itself (nothing from ~/.aws or the caller's environment)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.run import LocalStack

ROOT = Path(__file__).resolve().parents[3]
PARAMETER = "/hotel-booking/sandbox/payment-outage"


def readme_snippet() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(b for b in blocks if "ssm put-parameter" in b)


def test_the_readme_snippet_sets_region_and_dummy_keys() -> None:
    snippet = readme_snippet()
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        assert f"{variable}=" in snippet


def test_the_readme_snippet_runs_as_pasted(local_stack: LocalStack, tmp_path: Path) -> None:
    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("no AWS CLI on PATH")
    # As pasted, but at this stack's port, and with the value the stack already has (off), so
    # no other test sees an outage.
    snippet = (
        readme_snippet()
        .replace("127.0.0.1:4566", f"127.0.0.1:{local_stack.ports.aws}")
        .replace("--value on", "--value off")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    ssm = local_stack.cloud.client("ssm")
    before = ssm.get_parameter(Name=PARAMETER)["Parameter"]["Version"]
    done = subprocess.run(
        ["bash", "-c", snippet], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    after = ssm.get_parameter(Name=PARAMETER)["Parameter"]
    assert after["Version"] == before + 1 and after["Value"] == "off"
