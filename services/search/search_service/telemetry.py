"""JSON logs and EMF metrics, as the Lambdas write them (Powertools, outside Lambda).

On ECS the awslogs driver sends stdout to CloudWatch Logs, which extracts the EMF documents
into metrics (namespace ``HotelBooking``, dimensions ``service`` and ``route``, the route's
template): Requests, Latency, Errors by status class, and BreakerOpen (1 per request answered
while the breaker is open).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "search-service"
CORRELATION_HEADERS = ("x-correlation-id", "x-amzn-requestid", "x-request-id")
#: The ``route`` dimension of a request no route matched (404s, junk paths).
UNMATCHED = "unmatched"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="HotelBooking", service=SERVICE)
# Powertools keeps one metric set per process: concurrent requests publish one at a time.
_metrics_lock = threading.Lock()


def correlation_id(headers: dict[str, str]) -> str:
    """The caller's id (API Gateway sets X-Correlation-Id to its request id), else a new one."""
    for name in CORRELATION_HEADERS:
        value = headers.get(name, "").strip()
        if value and len(value) <= 128 and value.isprintable():
            return value
    return str(uuid.uuid4())


def route_of(scope: Mapping[str, Any]) -> str:
    """The metric dimension of a request: the template of the route that answered it (one of
    the app's few), or ``unmatched``. Never the raw path: each distinct dimension value is a
    custom metric CloudWatch bills for, and anyone can send a new junk path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


def publish(route: str, status: int, latency_ms: float, breaker_state: str) -> None:
    with _metrics_lock:
        metrics.add_dimension(name="route", value=route)
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
        if status >= 500:
            metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        metrics.add_metric(
            name="BreakerOpen", unit=MetricUnit.Count, value=int(breaker_state == "open")
        )
        metrics.flush_metrics()


def publish_breaker_change(state: str) -> None:
    with _metrics_lock:
        metrics.add_dimension(name="state", value=state)
        metrics.add_metric(name="BreakerStateChanges", unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
