"""Finish a cancellation (cancellation saga's last step): Lambda entry point."""

from __future__ import annotations

from typing import Any

from hotel_booking.config import SagaSettings
from hotel_booking.logic.cancellations import finish_cancellation
from hotel_booking.saga_steps._common import count, step_handler
from hotel_booking.wiring import finish_ports


def _record(result: dict[str, Any]) -> None:
    if result["changed"]:
        count("BookingsCancelled")


lambda_handler = step_handler(finish_cancellation, finish_ports(SagaSettings.from_env()), _record)
