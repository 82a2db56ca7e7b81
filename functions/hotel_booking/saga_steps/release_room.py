"""Give the rooms back (compensation): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import release_room
from hotel_booking.saga_steps._common import count_compensation, step_handler
from hotel_booking.wiring import saga_ports

lambda_handler = step_handler(
    release_room, saga_ports(SagaSettings.from_env()), count_compensation("ReleaseRoom")
)
