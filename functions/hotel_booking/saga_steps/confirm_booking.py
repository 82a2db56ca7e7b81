"""Confirm the booking and tell the guest (saga step): Lambda entry point."""

from __future__ import annotations

from typing import Any

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import confirm_booking
from hotel_booking.saga_steps._common import count, measure, step_handler
from hotel_booking.wiring import saga_ports


def _record(result: dict[str, Any]) -> None:
    count("BookingsConfirmed")
    measure("TimeFromApprovalToConfirmed", result.get("sinceDecidedMs"))


lambda_handler = step_handler(confirm_booking, saga_ports(SagaSettings.from_env()), _record)
