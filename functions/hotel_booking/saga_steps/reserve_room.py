"""Reserve the rooms (saga step): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import reserve_room
from hotel_booking.saga_steps._common import build_ports, count, step_handler

lambda_handler = step_handler(
    reserve_room, build_ports(SagaSettings.from_env()), lambda r: count("BookingsStarted")
)
