"""python -m localaws <command>: developer tooling for the local cloud."""

from __future__ import annotations

import sys


def main() -> int:
    commands = {
        "up": "any SAM app: deploy --template and serve its AWS and HTTP APIs",
        "run": "the whole system: AWS emulated on loopback, API, web pages, mailbox",
        "demo": "one booking through the saga, printed step by step",
        "reset": "forget the data `run` kept (.localaws/state/); the next run starts clean",
        "faults": "inject, list or clear faults in the running stack (AWS FIS-shaped)",
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print("usage: python -m localaws <command> [options]\n")
        for name, text in commands.items():
            print(f"  {name:10} {text}")
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "run":
        from localaws.stack.run import main as run

        return run(rest)
    if command == "reset":
        from localaws.stack.run import reset

        return reset(rest)
    if command == "up":
        from localaws.stack.up import main as up

        return up(rest)
    if command == "demo":
        from localaws.stack.demo import main as demo

        return demo(rest)
    if command == "faults":
        from localaws.stack.faults_cli import main as faults

        return faults(rest)
    return 2


if __name__ == "__main__":
    sys.exit(main())
