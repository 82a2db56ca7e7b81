"""What every event delivery needs from the running cloud, handed down in one object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localaws.engine.lambdas import LambdaRuntime


def _real_time() -> float:
    return 1.0


@dataclass(frozen=True)
class Delivery:
    """The functions to invoke, a boto3 client per service, and the retry clock's scale (tests
    run back-off waits faster; the order of attempts is unchanged)."""

    runtime: LambdaRuntime
    client: Callable[[str], Any]
    scale: Callable[[], float] = _real_time
