"""Give the rooms back (compensation): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.handlers._common import build_ports, count_compensation, step_handler
from hotel_booking.logic.saga import release_room

lambda_handler = step_handler(
    release_room, build_ports(SagaSettings.from_env()), count_compensation("ReleaseRoom")
)
