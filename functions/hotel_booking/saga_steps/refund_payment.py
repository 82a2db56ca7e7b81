"""Refund the payment (compensation): Lambda entry point."""

from __future__ import annotations

from hotel_booking.config.payments import PaymentSettings
from hotel_booking.logic.saga import refund_payment
from hotel_booking.saga_steps._common import count_compensation, step_handler
from hotel_booking.wiring import guarded_gateway, saga_ports

SETTINGS = PaymentSettings.from_env()
lambda_handler = step_handler(
    refund_payment,
    saga_ports(SETTINGS, guarded_gateway(SETTINGS)),
    count_compensation("RefundPayment"),
)
