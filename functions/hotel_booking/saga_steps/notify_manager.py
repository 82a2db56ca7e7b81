"""Store the task token and email the hotel manager (saga step): Lambda entry point."""

from __future__ import annotations

import functools
from typing import Any

from hotel_booking.config.notify import NotifySettings
from hotel_booking.logic.saga import notify_manager
from hotel_booking.saga_steps._common import count, measure, step_handler
from hotel_booking.wiring import link_signer, saga_ports

SETTINGS = NotifySettings.from_env()


def _record(result: dict[str, Any]) -> None:
    """The first request for approval of a booking: one pending approval more, and how long
    the saga took to get there (the dashboard's approvals and saga latency)."""
    if result["notified"]:
        count("ApprovalsRequested")
        measure("TimeToApprovalRequest", result.get("sinceReservedMs"))


lambda_handler = step_handler(
    functools.partial(notify_manager, signer=link_signer(SETTINGS)), saga_ports(SETTINGS), _record
)
