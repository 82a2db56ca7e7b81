"""The clock port: logic and records take the time from a ``Clock``, so tests can fix it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
