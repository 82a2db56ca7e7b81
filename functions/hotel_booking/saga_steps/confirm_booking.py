"""Confirm the booking and tell the guest (saga step): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import confirm_booking
from hotel_booking.saga_steps._common import build_ports, count, step_handler

lambda_handler = step_handler(
    confirm_booking, build_ports(SagaSettings.from_env()), lambda r: count("BookingsConfirmed")
)
