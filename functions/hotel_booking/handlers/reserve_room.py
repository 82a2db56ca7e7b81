"""Reserve room: Lambda entry point."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.config import SagaSettings
from hotel_booking.handlers._common import (
    CORRELATION_PATH,
    build_ports,
    count,
    logger,
    metrics,
    run_step,
    tracer,
)
from hotel_booking.logic.saga import reserve_room

PORTS = build_ports(SagaSettings.from_env())


@logger.inject_lambda_context(correlation_id_path=CORRELATION_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = run_step(reserve_room, event, PORTS)
    count("BookingsStarted")
    return result
