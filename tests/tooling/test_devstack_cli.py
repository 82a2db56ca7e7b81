"""`python -m devstack run --help` answers with its options and starts nothing; an option it
does not know is refused (it started a whole stack on the default ports before). In this
process: argparse exits before anything is started, so no stack can come up here."""

from __future__ import annotations

import pytest

from devstack import run


def test_run_help_lists_its_options_and_starts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        run.main(["--help"])
    assert ended.value.code == 0
    shown = capsys.readouterr().out
    assert "--reset" in shown and "--verbose" in shown
    assert "AWS_PORT" in shown
    assert "running locally" not in shown


def test_an_unknown_option_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as ended:
        run.main(["--no-such-option"])
    assert ended.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    with pytest.raises(SystemExit) as reset:
        run.reset(["--help"])
    assert reset.value.code == 0
