"""The sandbox payment gateway (the port is ``logic.ports.PaymentGateway``).

The sandbox honours the familiar test tokens (documented in README.md):

- ``tok_visa``: the charge succeeds;
- ``tok_chargeDeclined``: declined, a business error that is never retried;
- ``tok_processingError``: a transient gateway error, retried by the state machine and then
  compensated.

Any other token is declined as unknown, as a real gateway would.

Its outage switch (``outage``, the SSM parameter ``/<stack>/sandbox/payment-outage`` on a
deployed stack) makes every call fail with ``PaymentGatewayUnavailable``, as an unreachable
gateway would: that is what the circuit breaker (``dal/breaker.py``) counts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hotel_booking.errors import PaymentDeclined, PaymentGatewayUnavailable, TransientError
from hotel_booking.logic.ids import charge_reference_for
from hotel_booking.logic.ports import PaymentGateway

#: The log line written for every call that reaches the gateway (tests count them).
GATEWAY_CALL = "payment gateway called"


def _never() -> bool:
    return False


def _quiet(message: str, **fields: Any) -> None:
    return None


class SandboxGateway:
    """A deterministic gateway for development and tests (no money moves)."""

    def __init__(
        self, outage: Callable[[], bool] = _never, log: Callable[..., None] = _quiet
    ) -> None:
        self._outage = outage
        self._log = log

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        self._reach("charge", idempotency_key)
        if token == "tok_chargeDeclined":
            raise PaymentDeclined("card declined by the issuer")
        if token == "tok_processingError":
            raise TransientError("payment gateway processing error")
        if token != "tok_visa":
            # Never the token itself: this message becomes the booking's stored reason, the
            # execution's history and an operations alert (issue 21).
            raise PaymentDeclined("the payment token is not one the gateway knows")
        if amount <= 0:
            raise PaymentDeclined("amount must be positive")
        return charge_reference_for(idempotency_key)

    def refund(self, reference: str, idempotency_key: str) -> None:
        self._reach("refund", idempotency_key)
        return None

    def _reach(self, operation: str, idempotency_key: str) -> None:
        self._log(GATEWAY_CALL, operation=operation, idempotencyKey=idempotency_key)
        if self._outage():
            raise PaymentGatewayUnavailable(
                f"the payment gateway does not answer ({operation}; sandbox outage switch on)"
            )


def gateway_for(
    name: str, outage: Callable[[], bool] = _never, log: Callable[..., None] = _quiet
) -> PaymentGateway:
    if name == "sandbox":
        return SandboxGateway(outage, log)
    raise ValueError(f"unknown PAYMENT_GATEWAY {name!r}; only 'sandbox' is built in")
