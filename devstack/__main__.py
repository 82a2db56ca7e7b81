"""python -m devstack <command>: the product's local system (``make run``, ``make demo``)."""

from __future__ import annotations

import sys


def main() -> int:
    commands = {
        "run": "the whole system: AWS emulated on loopback, API, web pages, mailbox",
        "demo": "one booking through the saga, printed step by step",
        "reset": "forget the data `run` kept (.localaws/state/); the next run starts clean",
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print("usage: python -m devstack <command> [options]\n")
        for name, text in commands.items():
            print(f"  {name:10} {text}")
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "run":
        from devstack.run import main as run

        return run(rest)
    if command == "reset":
        from devstack.run import reset

        return reset(rest)
    if command == "demo":
        from devstack.demo import main as demo

        return demo(rest)
    return 2


if __name__ == "__main__":
    sys.exit(main())
