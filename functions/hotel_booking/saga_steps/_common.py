"""What every saga step's entry point shares: Powertools utilities around one call into logic."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from hotel_booking import tracing
from hotel_booking.logic.saga import parse
from hotel_booking.models.saga import StepEvent, as_state

# Steps that emit no business metric would otherwise warn on every invocation.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger()
tracer = tracing.tracer()
metrics = Metrics()

#: Correlation id for every log line: the bookingId inside the step envelope.
CORRELATION_PATH = "input.bookingId"


P = TypeVar("P")
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def step_handler(
    step: Callable[[StepEvent, P], BaseModel],
    ports: P,
    record: Callable[[dict[str, Any]], None] = lambda result: None,
) -> Handler:
    """The Lambda entry point for one saga step: Powertools around one call into logic.

    ``record`` turns the step's result into business metrics (see :func:`count`).
    """

    @logger.inject_lambda_context(correlation_id_path=CORRELATION_PATH)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        envelope = parse(StepEvent, event)
        result = as_state(step(envelope, ports))
        logger.info("step done", extra={"state": envelope.stateName, "result": result})
        record(result)
        return result

    return lambda_handler


def count(name: str, **dimensions: str) -> None:
    """One EMF metric point; dimensions are cleared when the handler's metrics flush."""
    for key, value in dimensions.items():
        metrics.add_dimension(name=key, value=value)
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def measure(name: str, milliseconds: int | None) -> None:
    """One latency point (EMF, dimension service), when there is one to record."""
    if milliseconds is not None:
        metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=milliseconds)


def count_alone(name: str, **dimensions: str) -> None:
    """One EMF metric point in a document of its own: only ``service`` and these dimensions,
    whatever else the handler counts (an alarm must name every dimension of its metric)."""
    with single_metric(name=name, unit=MetricUnit.Count, value=1) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def count_compensation(step: str) -> Callable[[dict[str, Any]], None]:
    """Count a compensation only when it changed something (a retry that finds it done is not)."""

    def record(result: dict[str, Any]) -> None:
        if result["changed"]:
            count("CompensationsRun", step=step)

    return record
