"""Store the task token and email the hotel manager (saga step): Lambda entry point."""

from __future__ import annotations

import functools

from hotel_booking.config import NotifySettings
from hotel_booking.logic.saga import notify_manager
from hotel_booking.saga_steps._common import step_handler
from hotel_booking.wiring import link_signer, saga_ports

SETTINGS = NotifySettings.from_env()

lambda_handler = step_handler(
    functools.partial(notify_manager, signer=link_signer(SETTINGS)), saga_ports(SETTINGS)
)
