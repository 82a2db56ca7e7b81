"""Record payment: Lambda entry point."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.config import SagaSettings
from hotel_booking.handlers._common import (
    CORRELATION_PATH,
    build_ports,
    logger,
    metrics,
    run_step,
    tracer,
)
from hotel_booking.logic.saga import record_payment

PORTS = build_ports(SagaSettings.from_env())


@logger.inject_lambda_context(correlation_id_path=CORRELATION_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_step(record_payment, event, PORTS)
