"""The support console is a product of its own: the emulator (localaws) may use it, never the
other way round, and it is run as `python -m support_console`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import support_console
from support_console.__main__ import run

PACKAGE = Path(support_console.__file__).parent


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), str(source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_support_console_never_imports_the_emulator_or_the_product() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert {m.stem for m in modules} >= {"app", "cli", "executions", "graph", "history"}
    for module in modules:
        wrong = {
            name
            for name in imported_modules(module)
            if name.split(".")[0] in {"localaws", "devstack", "hotel_booking", "tests"}
        }
        assert not wrong, f"{module.name} imports {sorted(wrong)}"


def test_no_module_shadows_the_standard_library() -> None:
    names = {m.stem for m in PACKAGE.glob("*.py")} | {PACKAGE.name}
    assert not names & sys.stdlib_module_names


def test_command_line_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([]) == 2
    assert "python -m support_console executions" in capsys.readouterr().err
    with pytest.raises(SystemExit) as help_exit:
        run(["executions", "--help"])
    assert help_exit.value.code == 0
    assert "{list,show}" in capsys.readouterr().out


def test_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "support_console", "executions", "list", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PACKAGE.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "--status" in done.stdout and "--aws" in done.stdout
