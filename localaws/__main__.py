"""python -m localaws <command>: developer tooling for the local cloud.

The engine knows no app: ``up`` runs any SAM template. An app's own local system (its
seeding, pages, consoles) builds on ``LocalCloud`` and the gateways in a package of its own.
"""

from __future__ import annotations

import sys


def main() -> int:
    commands = {
        "up": "any SAM app: deploy --template and serve its AWS and HTTP APIs",
        "faults": "inject, list or clear faults in the running stack (AWS FIS-shaped)",
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print("usage: python -m localaws <command> [options]\n")
        for name, text in commands.items():
            print(f"  {name:10} {text}")
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "up":
        from localaws.stack.up import main as up

        return up(rest)
    if command == "faults":
        from localaws.stack.faults_cli import main as faults

        return faults(rest)
    return 2


if __name__ == "__main__":
    sys.exit(main())
