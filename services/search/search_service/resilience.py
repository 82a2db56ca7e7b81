"""The circuit breaker around the store (pybreaker, in process: one per task).

A store that fails ``fail_max`` times in a row opens the breaker: requests are answered 503 at
once, with ``Retry-After``, instead of each waiting for its own timeout. After
``reset_seconds`` one trial call goes through; its success closes the breaker again.
Only a store failure counts (botocore's errors, a connection or a timeout): a refused request
(400) is the caller's fault, and any other exception is not the store's either (issue 21: a
``NaN`` page token that failed inside the breaker opened it for everyone).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pybreaker
from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from hotel_booking.logic.problems import RequestProblem

T = TypeVar("T")
logger = Logger(service="search-service")

#: What the store's failure looks like: botocore's own errors, or the network's.
STORE_FAILURES = (BotoCoreError, ClientError, OSError)


def _not_a_store_failure(exc: BaseException) -> bool:
    """A refused request (:class:`RequestProblem`) included."""
    return not isinstance(exc, STORE_FAILURES)


class StoreUnavailable(Exception):
    """The store failed or the breaker is open: 503, try again after ``retry_after`` s."""

    def __init__(self, retry_after: int, reason: str) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.reason = reason


class StoreBreaker(pybreaker.CircuitBreakerListener):
    def __init__(
        self,
        fail_max: int,
        reset_seconds: float,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.reset_seconds = reset_seconds
        self._opened_at = 0.0
        self._lock = threading.Lock()
        self._on_change = on_change
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_seconds,
            exclude=[_not_a_store_failure],
            listeners=[self],
            name="store",
        )

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        return str(self.breaker.current_state)

    def call(self, func: Callable[[], T]) -> T:
        try:
            return self.breaker.call(func)
        except pybreaker.CircuitBreakerError as exc:
            raise StoreUnavailable(self.retry_after(), f"breaker open: {exc}") from exc
        except RequestProblem:
            raise
        except Exception as exc:
            # A store failure the breaker counted (not yet enough to open it), or an error
            # that is nobody's fault but ours (not counted): 503 all the same.
            raise StoreUnavailable(self.retry_after(), type(exc).__name__) from exc

    def retry_after(self) -> int:
        """Seconds until the breaker lets a trial call through (at least 1)."""
        with self._lock:
            if self.state != "open":
                return 1
            left = self.reset_seconds - (time.monotonic() - self._opened_at)
        return max(1, math.ceil(left))

    # -- pybreaker.CircuitBreakerListener -------------------------------------------------
    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        with self._lock:
            if new_state.name == "open":
                self._opened_at = time.monotonic()
        old = old_state.name if old_state else None
        logger.warning("store breaker changed", extra={"from": old, "to": new_state.name})
        if self._on_change:
            self._on_change(str(new_state.name))
