"""Reserve the rooms (saga step): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import reserve_room
from hotel_booking.saga_steps._common import count, step_handler
from hotel_booking.wiring import saga_ports

lambda_handler = step_handler(
    reserve_room, saga_ports(SagaSettings.from_env()), lambda r: count("BookingsStarted")
)
