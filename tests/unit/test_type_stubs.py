"""The boto3-stubs client types are for mypy only: every stub the code names is a declared dev
dependency (mypy's ``ignore_missing_imports`` would otherwise turn a missing one into ``Any``
without a word), and the product imports without any of them, as it does where it deploys."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUB_IMPORT = re.compile(r"^\s*from (mypy_boto3_\w+)(?:\.\w+)? import", re.M)
EXTRAS = re.compile(r"^boto3-stubs\[([\w,-]+)\]==[\d.]+$")

#: Imports every module that takes a client, with any import of a stub package refused.
_WITHOUT_STUBS = """
import importlib, importlib.abc, pkgutil, sys

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0].startswith(("mypy_boto3_", "botocore_stubs", "boto3_stubs")):
            raise ImportError(f"{name} is a dev-only type stub")
        return None

sys.meta_path.insert(0, Refuse())
import hotel_booking.dal, hotel_booking.search
for pkg in (hotel_booking.dal, hotel_booking.search):
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
importlib.import_module("hotel_booking.wiring")
"""


def _stubs_named_in_code() -> set[str]:
    names: set[str] = set()
    for top in ("functions", "services", "support_console", "localaws", "deploy"):
        for path in (ROOT / top).rglob("*.py"):
            names |= {m.replace("_", "-") for m in STUB_IMPORT.findall(path.read_text())}
    return {name.removeprefix("mypy-boto3-") for name in names}


def _declared_stub_services() -> set[str]:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    pins = [EXTRAS.match(d) for d in dev["dev"] if d.startswith("boto3-stubs")]
    assert len(pins) == 1 and pins[0], "boto3-stubs[...] pinned exactly, once, in the dev extra"
    return set(pins[0].group(1).split(","))


def test_every_stub_the_code_names_is_a_declared_dev_dependency() -> None:
    named = _stubs_named_in_code()
    assert {"dynamodb", "sns", "stepfunctions", "cognito-idp"} <= named
    assert named - _declared_stub_services() == set()


def test_the_data_layer_imports_without_the_stubs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_STUBS],
        cwd=ROOT / "functions",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
