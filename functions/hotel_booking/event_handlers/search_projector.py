"""SearchProjectorFunction: hotel and booking events (from its own SQS queue) -> the search
projection. Partial batch failures (Powertools BatchProcessor): a message that fails is
retried after the queue's visibility timeout, then goes to the DLQ after maxReceiveCount.
Duplicates and late events change nothing (``search/projector.py``). The lag from the change
to the projection is the metric ``SearchProjectionLag`` (milliseconds).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking import tracing
from hotel_booking.config import EVENTS_SERVICE
from hotel_booking.config.events import ProjectorSettings
from hotel_booking.models.events import parse_detail
from hotel_booking.search.projector import project
from hotel_booking.wiring import search_projection

# A batch with nothing to count would otherwise warn on every invocation.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger(service=EVENTS_SERVICE)
tracer = tracing.tracer(EVENTS_SERVICE)
metrics = EphemeralMetrics(service=EVENTS_SERVICE)
processor = BatchProcessor(event_type=EventType.SQS)

SETTINGS = ProjectorSettings.from_env()
PROJECTION = search_projection(SETTINGS)


def handle(record: SQSRecord) -> None:
    envelope = json.loads(record.body)
    detail = parse_detail(envelope["detail-type"], envelope["detail"])
    logger.set_correlation_id(
        getattr(detail, "bookingId", None) or getattr(detail, "hotelId", None)
    )
    changed = project(detail, PROJECTION)
    lag = dt.datetime.now(dt.UTC) - detail.occurredAt
    logger.debug(
        "event projected" if changed else "event changed nothing (duplicate or stale)",
        extra={"detailType": envelope["detail-type"], "eventId": detail.eventId},
    )
    metrics.add_metric(
        name="SearchProjectionLag", unit=MetricUnit.Milliseconds, value=lag.total_seconds() * 1000
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle, processor=processor, context=context
        )
    )
