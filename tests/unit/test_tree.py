"""Facts about the tree itself: names that cannot shadow the standard library, and paths the docs
and comments name that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = (
    "localaws|functions|support_console|deploy|services|tests|docs|hotel|statemachines|api"
    "|benchmarks|events"
)
PATH = re.compile(rf"(?<![\w/.-])(?:{TOP})/[\w./-]*\w(?![\\\w])")


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in out]


def test_no_module_or_package_is_named_like_a_standard_library_module() -> None:
    clashes = []
    for path in _tracked("*.py"):
        names = [path.stem]
        parent = path.parent
        while (parent / "__init__.py").exists():
            names.append(parent.name)
            parent = parent.parent
        clashes += [
            f"{path.relative_to(ROOT)} ({n})"
            for n in names
            if n in sys.stdlib_module_names and not n.startswith("__")
        ]
    assert not clashes, clashes


def _ignored(name: str) -> bool:
    return (
        subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False).returncode == 0
    )


def _bases(source: Path) -> list[Path]:
    """Where a path may be relative to: the root, the Lambda package (docs name its modules
    by their place in it), the search service, and the source's own folder."""
    return [
        ROOT,
        ROOT / "functions",
        ROOT / "functions" / "hotel_booking",
        ROOT / "services" / "search",
        source.parent,
    ]


def test_every_path_named_in_docs_and_comments_exists() -> None:
    """A path in docs/, README.md or a comment/docstring of the code points at something real
    (a placeholder with X, *, < or { is not a path)."""
    missing = set()
    sources = _tracked("*.md", "*.py", "Makefile", "*.yaml", "*.toml", "Dockerfile", "*.js")
    for source in sources:
        if "fixtures" in source.parts and source.suffix != ".py":
            continue
        for match in PATH.finditer(source.read_text(errors="replace")):
            name = match.group(0).rstrip(".")
            if any(c in name for c in "X*<>{}") or name.endswith("/"):
                continue
            # module.name (a module and one of its names) counts as the module's file
            candidates = {name, name.split(".", 1)[0] + ".py"}
            if not any((b / c).exists() for b in _bases(source) for c in candidates) and not (
                _ignored(name)  # generated, such as hotel/config.json (make run writes it)
            ):
                missing.add(f"{source.relative_to(ROOT)}: {name}")
    assert not missing, sorted(missing)


def test_no_tracked_file_is_a_symbolic_link() -> None:
    """A link in the tree (a helper's worktree linked to the shared .venv once) replaces the
    venv of every checkout that takes it, and points nowhere on a fresh clone."""
    out = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [line.split("\t", 1)[1] for line in out if line.startswith("120000 ")] == []
