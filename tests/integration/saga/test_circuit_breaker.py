"""The payment circuit across containers: closed -> open -> half-open -> closed.

Each "container" is a BreakerGateway with its own Powertools persistence (its own state
cache), all sharing the stack's circuit table on the local engine. The clock the breaker
reads is a fake the test moves; the gateway is a fake whose outage the test switches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.circuit_breaker import CircuitTransition, base

from hotel_booking.dal.breaker import (
    BreakerGateway,
    breaker_config,
    circuit_store,
)
from hotel_booking.errors import PaymentDeclined, PaymentGatewayUnavailable
from tests.fixtures.circuit import reset_circuit, stored_state
from tests.fixtures.saga_driver import SagaDriver

THRESHOLD = 3
RECOVERY = 30


class FakeGateway:
    """Counts the calls that reach it; fails as unreachable while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self._lock = threading.Lock()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        with self._lock:
            self.calls += 1
        self.entered.set()
        self.release.wait(5)
        if self.down:
            raise PaymentGatewayUnavailable("gateway down")
        if token == "tok_chargeDeclined":
            raise PaymentDeclined("declined")
        return f"ch_{idempotency_key}"

    def refund(self, reference: str, idempotency_key: str) -> None:
        self.charge("tok_visa", Decimal(0), "EUR", idempotency_key)


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def table(saga: SagaDriver) -> Iterator[str]:
    name = saga.stack.ref("CircuitBreakerTable")
    dynamodb = saga.cloud.client("dynamodb")
    reset_circuit(dynamodb, name)
    yield name
    reset_circuit(dynamodb, name)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(base.CircuitBreakerHandler, "_now", staticmethod(fake))
    return fake


def containers(
    saga: SagaDriver, table: str, gateway: FakeGateway, n: int
) -> tuple[list[BreakerGateway], list[CircuitTransition]]:
    seen: list[CircuitTransition] = []
    config = breaker_config(THRESHOLD, RECOVERY, state_cache_seconds=0)
    made = [
        BreakerGateway(
            gateway, circuit_store(saga.cloud.client("dynamodb"), table), config, seen.append
        )
        for _ in range(n)
    ]
    return made, seen


def pay(container: BreakerGateway, key: str = "bk") -> str:
    return container.charge("tok_visa", Decimal("10.00"), "EUR", idempotency_key=key)


def moves(seen: list[CircuitTransition]) -> list[tuple[str, str]]:
    return [(str(t.from_state), str(t.to_state)) for t in seen]


def test_closed_open_half_open_closed_across_containers(
    saga: SagaDriver, table: str, clock: Clock
) -> None:
    dynamodb = saga.cloud.client("dynamodb")
    gateway = FakeGateway()
    (a, b, c), seen = containers(saga, table, gateway, 3)

    # Given a healthy gateway: calls go through and nothing is written
    assert pay(a) == "ch_bk"
    assert stored_state(dynamodb, table) is None

    # When it goes down: consecutive failures (counted per container) trip the circuit
    gateway.down = True
    for _ in range(THRESHOLD):
        with pytest.raises(PaymentGatewayUnavailable, match="gateway down"):
            pay(a)
    assert stored_state(dynamodb, table) == "OPEN"
    assert gateway.calls == 1 + THRESHOLD

    # Then every container fails fast without calling the gateway
    for container in (a, b, c):
        with pytest.raises(PaymentGatewayUnavailable, match="circuit payment-gateway is OPEN"):
            pay(container)
    assert gateway.calls == 1 + THRESHOLD

    # Still open just before the cool-down ends
    clock.now += RECOVERY - 1
    with pytest.raises(PaymentGatewayUnavailable, match="is OPEN"):
        pay(b)
    assert gateway.calls == 1 + THRESHOLD

    # After it, one probe goes through; it fails, so the circuit re-opens for everyone
    clock.now += 1
    with pytest.raises(PaymentGatewayUnavailable, match="gateway down"):
        pay(b)
    assert gateway.calls == 2 + THRESHOLD
    assert stored_state(dynamodb, table) == "OPEN"
    with pytest.raises(PaymentGatewayUnavailable, match="is OPEN"):
        pay(c)

    # When the gateway is back and the next cool-down has passed, a probe closes the circuit
    gateway.down = False
    clock.now += RECOVERY
    assert pay(c, "probe") == "ch_probe"
    assert stored_state(dynamodb, table) == "CLOSED"
    assert pay(a, "after") == "ch_after"
    assert pay(b, "after2") == "ch_after2"
    assert gateway.calls == 5 + THRESHOLD

    assert moves(seen) == [
        ("CLOSED", "OPEN"),
        ("OPEN", "HALF_OPEN"),
        ("HALF_OPEN", "OPEN"),
        ("OPEN", "HALF_OPEN"),
        ("HALF_OPEN", "CLOSED"),
    ]


def test_one_probe_among_concurrent_containers(saga: SagaDriver, table: str, clock: Clock) -> None:
    gateway = FakeGateway()
    (a, b, c), seen = containers(saga, table, gateway, 3)
    gateway.down = True
    for _ in range(THRESHOLD):
        with pytest.raises(PaymentGatewayUnavailable):
            pay(a)
    calls_when_opened = gateway.calls
    gateway.down = False
    clock.now += RECOVERY

    # Given the probe is in flight in container b (held inside the gateway call)...
    gateway.entered.clear()
    gateway.release.clear()
    results: dict[str, Any] = {}

    def probe() -> None:
        results["b"] = pay(b, "probe")

    prober = threading.Thread(target=probe)
    prober.start()
    assert gateway.entered.wait(5)

    # ...the other containers are refused without reaching the gateway
    for container in (a, c):
        with pytest.raises(PaymentGatewayUnavailable, match="is HALF_OPEN"):
            pay(container)
    assert gateway.calls == calls_when_opened + 1

    # When the probe succeeds, the circuit closes for everyone
    gateway.release.set()
    prober.join(5)
    assert results["b"] == "ch_probe"
    assert stored_state(saga.cloud.client("dynamodb"), table) == "CLOSED"
    assert pay(a, "next") == "ch_next"
    assert moves(seen)[-2:] == [("OPEN", "HALF_OPEN"), ("HALF_OPEN", "CLOSED")]


def test_a_declined_card_does_not_count_against_the_gateway(
    saga: SagaDriver, table: str, clock: Clock
) -> None:
    gateway = FakeGateway()
    (a,), seen = containers(saga, table, gateway, 1)
    for _ in range(THRESHOLD + 2):
        with pytest.raises(PaymentDeclined):
            a.charge("tok_chargeDeclined", Decimal(1), "EUR", idempotency_key="x")
    assert stored_state(saga.cloud.client("dynamodb"), table) is None
    assert seen == []
