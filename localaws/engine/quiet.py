"""Waiting until nothing has been busy for a while: tests that assert something did NOT
happen wait for the engine to be quiet first."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_quiet(
    busy: Callable[[], bool], quiet: float, timeout: float, what: str, step: float = 0.01
) -> None:
    """Return once ``busy()`` has been false for ``quiet`` seconds; TimeoutError naming
    ``what`` if it never is within ``timeout``."""
    deadline = time.monotonic() + timeout
    since: float | None = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if busy():
            since = None
        elif since is None:
            since = now
        elif now - since >= quiet:
            return
        time.sleep(step)
    raise TimeoutError(f"{what} still running after {timeout}s")
