"""Record the payment (saga step): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config import SagaSettings
from hotel_booking.logic.saga import record_payment
from hotel_booking.saga_steps._common import step_handler
from hotel_booking.wiring import saga_ports

lambda_handler = step_handler(record_payment, saga_ports(SagaSettings.from_env()))
