"""What every saga handler shares: Powertools utilities and the ports built at cold start."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from hotel_booking.config import SagaSettings
from hotel_booking.dal.dynamo import SagaStore
from hotel_booking.dal.topics import Topics
from hotel_booking.logic.payments import gateway_for
from hotel_booking.logic.saga import SagaPorts, StepEvent, parse
from hotel_booking.models import as_state

# Steps that emit no business metric would otherwise warn on every invocation.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger()
tracer = Tracer()
metrics = Metrics()

#: Correlation id for every log line: the bookingId inside the step envelope.
CORRELATION_PATH = "input.bookingId"


def build_ports(settings: SagaSettings) -> SagaPorts:
    """Clients are made once per container, in the container's own environment."""
    return SagaPorts(
        settings=settings,
        store=SagaStore(
            boto3.client("dynamodb", region_name=settings.region),
            hotels_table=settings.hotels_table,
            inventory_table=settings.inventory_table,
            bookings_table=settings.bookings_table,
            payments_table=settings.payments_table,
            approvals_table=settings.approvals_table,
        ),
        topics=Topics(
            boto3.client("sns", region_name=settings.region),
            manager_topic_arn=settings.manager_topic_arn,
            guest_topic_arn=settings.guest_topic_arn,
            ops_topic_arn=settings.ops_topic_arn,
        ),
        gateway=gateway_for(settings.payment_gateway),
    )


def run_step(
    step: Callable[[StepEvent, SagaPorts], BaseModel], event: dict[str, Any], ports: SagaPorts
) -> dict[str, Any]:
    """Parse the envelope, run the step, return JSON-ready state. Errors propagate by name."""
    envelope = parse(StepEvent, event)
    result = step(envelope, ports)
    logger.info("step done", extra={"state": envelope.stateName, "result": as_state(result)})
    return as_state(result)


def count(name: str, **dimensions: str) -> None:
    """One EMF metric point; dimensions are cleared when the handler's metrics flush."""
    for key, value in dimensions.items():
        metrics.add_dimension(name=key, value=value)
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
