"""Record the payment (saga step): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config.payments import PaymentSettings
from hotel_booking.logic.saga import record_payment
from hotel_booking.saga_steps._common import step_handler
from hotel_booking.wiring import guarded_gateway, saga_ports

SETTINGS = PaymentSettings.from_env()
lambda_handler = step_handler(record_payment, saga_ports(SETTINGS, guarded_gateway(SETTINGS)))
