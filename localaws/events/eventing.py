"""The local event plumbing in one object: Lambda's pollers and EventBridge's delivery.

LocalCloud starts it after the Lambda runtime is installed and stops it first, so no poller
or delayed delivery outlives the emulator. Idle, it costs no CPU: every thread in it sleeps on
a condition until a message, a table write or a due retry wakes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localaws.engine.lambdas import LambdaRuntime
from localaws.engine.quiet import wait_quiet
from localaws.events.eventbridge import EventTargets
from localaws.events.pollers import Pollers
from localaws.events.scheduler import Scheduler


class EventPlumbing:
    def __init__(
        self,
        runtime: LambdaRuntime,
        client: Callable[[str], Any],
        scale: Callable[[], float] = lambda: 1.0,
    ) -> None:
        self.scheduler = Scheduler()
        self.pollers = Pollers(runtime, client, scale)
        self.targets = EventTargets(runtime, client, self.scheduler, scale)

    def start(self) -> None:
        self.scheduler.start()
        self.pollers.start()
        self.targets.start()

    def stop(self) -> None:
        self.targets.stop()
        self.pollers.stop()
        self.scheduler.stop()

    def wait_quiet(self, quiet: float = 0.2, timeout: float = 30.0) -> None:
        """Return once no delivery has been due or running for ``quiet`` seconds: a test that
        asserts something did NOT happen waits for this first."""
        wait_quiet(
            lambda: self.scheduler.busy or self.pollers.busy,
            quiet,
            timeout,
            "event deliveries",
            step=0.02,
        )
