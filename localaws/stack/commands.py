"""A ``python -m <package> <command>`` front door: each command's help and where it lives,
imported only when it is the one asked for (start-up stays light)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence


def dispatch(prog: str, commands: dict[str, tuple[str, str]], argv: Sequence[str]) -> int:
    """Run ``argv[0]``'s ``module:function`` with the rest; usage and 2 for anything else."""
    if not argv or argv[0] not in commands:
        print(f"usage: python -m {prog} <command> [options]\n")
        for name, (text, _) in commands.items():
            print(f"  {name:10} {text}")
        return 2
    module, _, function = commands[argv[0]][1].partition(":")
    run: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
    return run(list(argv[1:]))
