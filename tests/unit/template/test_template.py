"""The template lints (cfn-lint runs the SAM transform itself, offline)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_template_passes_cfn_lint() -> None:
    # I3011 (informational, off by default): every stateful resource says what happens to it
    # on deletion and replacement; the default, Delete, is then a choice, not an accident.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--include-checks",
            "I3011",
            "--",
            str(ROOT / "template.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
