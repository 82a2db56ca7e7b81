"""EventPublisherFunction: the hotels and bookings tables' streams -> the event bus.

Fed by DynamoDB Streams (NEW_AND_OLD_IMAGES) with ``ReportBatchItemFailures``: a change whose
event the bus refused (or that could not be read) is reported by its sequence number, and
Lambda retries the batch from there (bisecting, a bounded number of times, then the change's
stream position goes to the on-failure queue). The PutEvents calls are batched (10 entries,
256 KB), which Powertools' per-record BatchProcessor would not do.
"""

from __future__ import annotations

import warnings
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking import tracing
from hotel_booking.config import EVENTS_SERVICE
from hotel_booking.config.events import PublisherSettings
from hotel_booking.dal.streams import change_of
from hotel_booking.logic.publishing import Change, publish
from hotel_booking.wiring import event_bus

# A batch with nothing to count would otherwise warn on every invocation.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger(service=EVENTS_SERVICE)
tracer = tracing.tracer(EVENTS_SERVICE)
metrics = EphemeralMetrics(service=EVENTS_SERVICE)

SETTINGS = PublisherSettings.from_env()
BUS, TABLES = event_bus(SETTINGS)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    changes: list[Change] = []
    unreadable: list[str] = []
    for record in event.get("Records", []):
        try:
            changes.append(change_of(record, TABLES))
        except (KeyError, ValueError, TypeError):
            logger.exception("unreadable stream record", extra={"eventID": record.get("eventID")})
            unreadable.append(str(record.get("dynamodb", {}).get("SequenceNumber", "")))
    failed = sorted({*unreadable, *publish(changes, BUS)} - {""}, key=lambda s: (len(s), s))
    if failed:
        logger.warning("changes to retry", extra={"sequenceNumbers": failed})
        metrics.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}
