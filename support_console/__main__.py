"""python -m support_console executions list|show | services | events | alarms: booking
executions, the search service's tasks, the bus's consumers and the alarms in a terminal."""

from __future__ import annotations

import sys

from support_console import alarms, events, services
from support_console.cli import main

USAGE = """usage: python -m support_console executions {list,show} [options]
       python -m support_console services [options]
       python -m support_console events [options]
       python -m support_console alarms [options]

  executions  list booking executions or show one (local stack, or --aws)
  services    the search service's tasks in Cloud Map and their health
  events      queues consuming the stack's bus, their DLQs' depths, recent events (local)
  alarms      the stack's CloudWatch alarms and their states, firing first"""


def run(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if argv[:1] == ["services"]:
        return services.main(argv[1:])
    if argv[:1] == ["events"]:
        return events.main(argv[1:])
    if argv[:1] == ["alarms"]:
        return alarms.main(argv[1:])
    if not argv or argv[0] != "executions":
        print(USAGE, file=sys.stderr)
        return 2
    return main(argv[1:])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
