"""The patch registry (localaws/patches.py) says exactly what the engine changes in moto and
botocore, installs it in one order, can leave the speedups out, and can take a patch back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from localaws import patches

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this worker's moto is patched already.
_CHANGES = r"""
import json, sys
from localaws.cloud import LocalCloud
from localaws import patches

cloud = LocalCloud()
hooks = patches.Hooks(
    cloud.runtime, cloud.clock, cloud.mailbox, cloud.confirmations, cloud.cognito_codes
)
for p in patches.PATCHES:
    for t in p.targets:
        patches.resolve(t)

def snap():
    out = {}
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith(("moto", "botocore", "boto3", "jsonpath_ng")):
            continue
        for k, v in list(vars(mod).items()):
            out[f"{name}:{k}"] = id(v)
            if isinstance(v, type) and getattr(v, "__module__", None) == name:
                for k2, v2 in list(vars(v).items()):
                    out[f"{name}:{k}.{k2}"] = id(v2)
    return out

changes = {}
for p in patches.PATCHES:
    before = snap()
    p.install(hooks)
    after = snap()
    changes[p.name] = sorted(k for k in after if before.get(k) != after[k])
print(json.dumps(changes))
"""


def test_every_change_an_install_makes_is_declared_by_its_patch() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _CHANGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'functions'}", "PATH": "/usr/bin:/bin"},
    )
    changes = json.loads(out.stdout.strip().splitlines()[-1])
    for patch in patches.PATCHES:
        undeclared = set(changes[patch.name]) - set(patch.targets)
        assert not undeclared, f"{patch.name} changes {sorted(undeclared)} it does not declare"


def test_names_are_unique_and_kinds_known() -> None:
    names = [p.name for p in patches.PATCHES]
    assert len(names) == len(set(names))
    assert {p.kind for p in patches.PATCHES} == {"fix", "speedup"}
    assert all(p.why and p.pinned for p in patches.PATCHES)


def test_speedups_switch_reads_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(patches.SPEEDUPS_VARIABLE, "off")
    assert not patches.speedups_enabled()
    monkeypatch.setenv(patches.SPEEDUPS_VARIABLE, "on")
    assert patches.speedups_enabled()
    monkeypatch.delenv(patches.SPEEDUPS_VARIABLE)
    assert patches.speedups_enabled()


def test_a_patch_can_be_taken_back_and_put_again(cloud) -> None:
    name = "random strings at once"
    owner, attr = patches.resolve(patches.PATCHES_BY_NAME[name].targets[0])
    patched = vars(owner)[attr]
    patches.uninstall(name)
    try:
        assert vars(owner)[attr] is not patched
        assert name not in patches.installed()
    finally:
        patches.install(cloud_hooks(cloud))
    assert name in patches.installed()


def cloud_hooks(cloud) -> patches.Hooks:
    return patches.Hooks(
        cloud.runtime, cloud.clock, cloud.mailbox, cloud.confirmations, cloud.cognito_codes
    )


def test_docs_patch_table_lists_the_registry() -> None:
    """docs/local.md's table has one row per patch, named as the registry names it."""
    text = (ROOT / "docs" / "local.md").read_text()
    section = text.split("## What localaws patches", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| (fix|speedup) \|", section, re.M)
    assert [name for name, _ in rows] == [p.name for p in patches.PATCHES]
    assert [kind for _, kind in rows] == [p.kind for p in patches.PATCHES]
