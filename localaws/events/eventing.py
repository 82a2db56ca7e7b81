"""The local event plumbing in one object: Lambda's pollers and EventBridge's delivery.

LocalCloud starts it after the Lambda runtime is installed and stops it first, so no poller
or delayed delivery outlives the emulator. Idle, it costs no CPU: every thread in it sleeps on
a condition until a message, a table write or a due retry wakes it.
"""

from __future__ import annotations

from localaws.engine.quiet import wait_quiet
from localaws.events.delivery import Delivery
from localaws.events.eventbridge import EventTargets
from localaws.events.pollers import Pollers
from localaws.events.scheduler import Scheduler


class EventPlumbing:
    def __init__(self, delivery: Delivery) -> None:
        self.scheduler = Scheduler()
        self.pollers = Pollers(delivery)
        self.targets = EventTargets(delivery, self.scheduler)

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
