"""API Gateway's stage throttling for the local REST API: a token bucket per method.

The stage's ``MethodSettings`` (the API's stage in the template) give a rate (tokens added a
second) and a burst (the bucket's size) for ``/*`` ``*`` (every method) and for single
methods, which replace the stage's default for that method. A request takes a token from its
method's bucket; with none left API Gateway answers ``429 {"message":"Too Many Requests"}``
before the authorizer or the function. The account-level limit (10,000/s) is not emulated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from localaws.provision.deploy import Stack

TOO_MANY = "Too Many Requests"


@dataclass
class Bucket:
    """A token bucket: ``burst`` tokens at most, ``rate`` more each second."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class StageThrottle:
    """The buckets of one stage; :meth:`allow` is asked once per request."""

    def __init__(
        self,
        limits: dict[tuple[str, str], tuple[float, float]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        #: (resource path, method) -> (rate, burst); ("/*", "*") is the stage's default.
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_stack(cls, stack: Stack, api_logical_id: str, stage: str) -> StageThrottle:
        api = stack.resources[api_logical_id].ref
        limits: dict[tuple[str, str], tuple[float, float]] = {}
        for resource in stack.of_type("AWS::ApiGateway::Stage"):
            props = resource.properties
            if props.get("RestApiId") != api or props.get("StageName") != stage:
                continue
            for setting in props.get("MethodSettings", []):
                if "ThrottlingRateLimit" not in setting and "ThrottlingBurstLimit" not in setting:
                    continue
                path = setting.get("ResourcePath", "/*")
                # "/~1items~1{itemId}" names /items/{itemId}; "/*" every resource.
                path = path if path == "/*" else path[1:].replace("~1", "/")
                key = (path, str(setting.get("HttpMethod", "*")).upper())
                limits[key] = (
                    float(setting.get("ThrottlingRateLimit", 10000)),
                    float(setting.get("ThrottlingBurstLimit", 5000)),
                )
        return cls(limits)

    def limit_for(self, path: str, method: str) -> tuple[tuple[str, str], tuple[float, float]]:
        """The setting that applies to a route: its own, else the stage's default."""
        for key in ((path, method), (path, "*"), ("/*", method), ("/*", "*")):
            if key in self.limits:
                return key, self.limits[key]
        return ("/*", "*"), (10000.0, 5000.0)  # the account's default limit

    def allow(self, path: str, method: str) -> bool:
        """Take a token for one request to ``method path`` (the route's template path)."""
        key, (rate, burst) = self.limit_for(path, method.upper())
        # The stage's default is a bucket per method, as API Gateway applies it.
        bucket_key = (path, method.upper()) if key == ("/*", "*") else key
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(bucket_key)
            if bucket is None:
                bucket = self._buckets[bucket_key] = Bucket(rate, burst, burst, now)
            return bucket.take(now)
