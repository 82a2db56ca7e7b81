"""Record how a booking ended (failed, rejected, expired, cancelled), tell the guest."""

from __future__ import annotations

from typing import Any

from hotel_booking.config import SagaSettings
from hotel_booking.logic.domain import failure_class
from hotel_booking.logic.saga import record_failure
from hotel_booking.models import FailureReason
from hotel_booking.saga_steps._common import count, count_alone, step_handler
from hotel_booking.wiring import saga_ports

_METRIC_BY_STATUS = {
    "REJECTED": "BookingsRejected",
    "EXPIRED": "BookingsExpired",
    "FAILED": "BookingsFailed",
    "CANCELLED": "BookingsCancelled",
}


def _record(outcome: dict[str, Any]) -> None:
    count(_METRIC_BY_STATUS[outcome["status"]], reason=outcome["reason"])
    # Its own EMF document (dimensions service and class only), so one alarm watches every
    # operational reason at once: SagaFailures{class=operational}.
    count_alone("SagaFailures", **{"class": failure_class(FailureReason(outcome["reason"]))})


lambda_handler = step_handler(record_failure, saga_ports(SagaSettings.from_env()), _record)
