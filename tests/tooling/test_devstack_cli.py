"""`python -m devstack run --help` answers with its options and starts nothing; an option it
does not know is refused (it started a whole stack on the default ports before)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def devstack(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_help_lists_its_options_and_starts_nothing() -> None:
    shown = devstack("run", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "--reset" in shown.stdout and "--verbose" in shown.stdout
    assert "AWS_PORT" in shown.stdout
    assert "running locally" not in shown.stdout


def test_an_unknown_option_is_refused_before_anything_starts() -> None:
    refused = devstack("run", "--no-such-option")
    assert refused.returncode == 2
    assert "unrecognized arguments: --no-such-option" in refused.stderr
    assert devstack("reset", "--help").returncode == 0
