"""python -m devstack <command>: the product's local system (``make run``, ``make demo``)."""

from __future__ import annotations

import sys

from localaws.stack.commands import dispatch

COMMANDS = {
    "run": (
        "the whole system: AWS emulated on loopback, API, web pages, mailbox",
        "devstack.run:main",
    ),
    "demo": ("one booking through the saga, printed step by step", "devstack.demo:main"),
    "reset": (
        "forget the data `run` kept (.localaws/state/); the next run starts clean",
        "devstack.run:reset",
    ),
}


def main() -> int:
    return dispatch("devstack", COMMANDS, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
