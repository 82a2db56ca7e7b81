"""Run callables later, without polling: one dispatcher thread asleep on a condition.

EventBridge's asynchronous targets and Lambda's asynchronous retries use it. Each due job runs
on a thread of its own (as concurrent Lambda invocations would), so a slow consumer does not
hold back the others; an idle scheduler costs no CPU at all.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("localaws.events")


class Scheduler:
    def __init__(self, name: str = "localaws-scheduler") -> None:
        self._name = name
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._running = 0

    def start(self) -> None:
        self._stopped = False
        self._thread = threading.Thread(target=self._dispatch, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def call_later(self, delay: float, job: Callable[[], None]) -> None:
        with self._cond:
            if self._stopped:
                return
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._order), job))
            self._cond.notify_all()

    def call_soon(self, job: Callable[[], None]) -> None:
        self.call_later(0.0, job)

    @property
    def busy(self) -> bool:
        """A job is due, pending or running (tests wait for quiet before asserting 'nothing')."""
        with self._cond:
            return bool(self._heap) or self._running > 0

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
                self._running += 1
            threading.Thread(
                target=self._run, args=(job,), name=f"{self._name}-job", daemon=True
            ).start()

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("scheduled delivery failed")
        finally:
            with self._cond:
                self._running -= 1
