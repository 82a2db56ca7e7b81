"""python -m localaws <command>: developer tooling for the local cloud.

The engine knows no app: ``up`` runs any SAM template. An app's own local system (its
seeding, pages, consoles) builds on ``LocalCloud`` and the gateways in a package of its own.
"""

from __future__ import annotations

import sys

from localaws.stack.commands import dispatch

COMMANDS = {
    "up": (
        "any SAM app: deploy --template and serve its AWS and HTTP APIs",
        "localaws.stack.up:main",
    ),
    "faults": (
        "inject, list or clear faults in the running stack (AWS FIS-shaped)",
        "localaws.stack.faults_cli:main",
    ),
}


def main() -> int:
    return dispatch("localaws", COMMANDS, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
