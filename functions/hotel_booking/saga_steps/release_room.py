"""Give the rooms back (compensation): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import release_room
from hotel_booking.saga_steps._common import build_ports, count_compensation, step_handler

lambda_handler = step_handler(
    release_room, build_ports(SagaSettings.from_env()), count_compensation("ReleaseRoom")
)
