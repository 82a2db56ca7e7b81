"""The payment gateway behind Powertools' circuit breaker, its state shared in DynamoDB.

Every container counts consecutive gateway failures in memory (Powertools keeps the healthy
path write-free); the container that reaches the threshold writes OPEN to the circuit table,
which every other container reads (cached ``state_cache_seconds``). After the cool-down one
container wins a conditional write and probes the gateway (HALF_OPEN): success closes the
circuit for all, failure re-opens it. While the circuit is open no call reaches the gateway:
the caller gets ``PaymentGatewayUnavailable`` at once.

Only ``PaymentGatewayUnavailable`` (the gateway did not answer) counts as a failure: a declined
card or a card's processing error says nothing about the gateway's health.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.circuit_breaker import (
    CircuitBreakerConfig,
    CircuitInfo,
    CircuitTransition,
    circuit_breaker,
)
from aws_lambda_powertools.utilities.circuit_breaker.persistence import (
    CircuitBreakerDynamoDBPersistence,
)

from hotel_booking.errors import PaymentGatewayUnavailable
from hotel_booking.logic.ports import PaymentGateway

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The circuit's name: the key of its item in the circuit table and the metric dimension.
CIRCUIT = "payment-gateway"
#: The EMF metric counted on every transition (dimensions ``circuit`` and ``to``); the
#: template's alarm watches ``to=OPEN``.
TRANSITION_METRIC = "CircuitTransitions"


def emit_transition(transition: CircuitTransition) -> None:
    """One EMF point per transition, flushed at once (transitions are rare)."""
    with single_metric(name=TRANSITION_METRIC, unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="circuit", value=transition.circuit_name)
        metric.add_dimension(name="to", value=str(transition.to_state))


def _refuse(*args: Any, circuit: CircuitInfo, **kwargs: Any) -> Any:
    raise PaymentGatewayUnavailable(
        f"circuit {circuit.name} is {circuit.state}: the payment gateway is not called "
        f"until a probe after the cool-down succeeds"
    )


class BreakerGateway:
    """A :class:`PaymentGateway` whose charges and refunds go through one circuit."""

    def __init__(
        self,
        inner: PaymentGateway,
        persistence: CircuitBreakerDynamoDBPersistence,
        config: CircuitBreakerConfig,
        on_transition: Callable[[CircuitTransition], None] = emit_transition,
    ) -> None:
        guard = circuit_breaker(
            name=CIRCUIT,
            persistence_store=persistence,
            config=config,
            on_circuit_open=_refuse,
            on_transition=on_transition,
        )
        self._charge = guard(inner.charge)
        self._refund = guard(inner.refund)

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        return str(self._charge(token, amount, currency, idempotency_key=idempotency_key))

    def refund(self, reference: str, idempotency_key: str) -> None:
        self._refund(reference, idempotency_key=idempotency_key)


def breaker_config(
    failure_threshold: int, recovery_seconds: int, state_cache_seconds: int
) -> CircuitBreakerConfig:
    """One successful probe closes the circuit (the sandbox answers or it does not)."""
    return CircuitBreakerConfig(
        failure_threshold=failure_threshold,
        recovery_timeout=recovery_seconds,
        success_threshold=1,
        handled_exceptions=(PaymentGatewayUnavailable,),
        local_cache_max_age=state_cache_seconds,
    )


def circuit_store(client: DynamoDBClient, table: str) -> CircuitBreakerDynamoDBPersistence:
    return CircuitBreakerDynamoDBPersistence(table_name=table, boto3_client=client)
