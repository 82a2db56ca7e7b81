"""The sandbox payment gateway (the port is ``logic.ports.PaymentGateway``).

The sandbox honours the familiar test tokens (documented in README.md):

- ``tok_visa``: the charge succeeds;
- ``tok_chargeDeclined``: declined, a business error that is never retried;
- ``tok_processingError``: a transient gateway error, retried by the state machine and then
  compensated.

Any other token is declined as unknown, as a real gateway would.
"""

from __future__ import annotations

from decimal import Decimal

from hotel_booking.errors import PaymentDeclined, TransientError
from hotel_booking.logic.ids import charge_reference_for
from hotel_booking.logic.ports import PaymentGateway


class SandboxGateway:
    """A deterministic gateway for development and tests (no money moves)."""

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        if token == "tok_chargeDeclined":
            raise PaymentDeclined("card declined by the issuer (tok_chargeDeclined)")
        if token == "tok_processingError":
            raise TransientError("payment gateway processing error (tok_processingError)")
        if token != "tok_visa":
            raise PaymentDeclined(f"unknown payment token {token!r}")
        if amount <= 0:
            raise PaymentDeclined("amount must be positive")
        return charge_reference_for(idempotency_key)

    def refund(self, reference: str, idempotency_key: str) -> None:
        return None


def gateway_for(name: str) -> PaymentGateway:
    if name == "sandbox":
        return SandboxGateway()
    raise ValueError(f"unknown PAYMENT_GATEWAY {name!r}; only 'sandbox' is built in")
