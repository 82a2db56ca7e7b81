"""The template lints, every resource type in it is emulated, and the moto internals that
localaws patches are where it expects them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from localaws import guard
from localaws.deploy import supported_types
from localaws.template import load_template

ROOT = Path(__file__).resolve().parent.parent


def test_template_passes_cfn_lint() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_resource_type_in_the_template_is_emulated_locally() -> None:
    translated = load_template(ROOT / "template.yaml", "eu-west-2")
    types = {r["Type"] for r in translated.resources.values()}
    assert types - supported_types() == set()


def test_moto_internals_localaws_relies_on_are_in_place() -> None:
    # Fails with the name of whatever moved when moto is upgraded past the pinned version.
    guard.check()
