"""The composition root builds a function's ports without building its clients: each boto3
client is made on its first call, once (cold starts: docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import boto3
import pytest

from hotel_booking import wiring
from hotel_booking.config import SagaSettings
from hotel_booking.config.payments import PaymentSettings
from tests.conftest import ROOT
from tests.fixtures.samples import SETTINGS_ENV


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The services whose clients boto3 was asked to make."""
    services: list[str] = []
    real = boto3.client

    def recording(service: str, *args: Any, **kwargs: Any) -> Any:
        services.append(service)
        return real(service, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(boto3, "client", recording)
    return services


def test_a_saga_steps_ports_make_no_client_until_one_is_used(made: list[str]) -> None:
    wiring.saga_ports(SagaSettings.from_env(SETTINGS_ENV))
    assert made == []
    # First use makes the client; later uses reuse it.
    client = wiring.client("dynamodb", "eu-west-2")
    assert client.meta.service_model.service_name == "dynamodb"
    assert client.meta.region_name == "eu-west-2"
    assert made == ["dynamodb"]


def test_a_lazy_client_is_made_once(made: list[str]) -> None:
    client = wiring.client("sns", "eu-west-2")
    for _ in range(3):
        client.meta.region_name  # noqa: B018 - the attribute access is what makes the client
    assert made == ["sns"]


PAYMENT_ENV = {
    **SETTINGS_ENV,
    "CIRCUIT_BREAKER_TABLE": "circuit",
    "BREAKER_FAILURE_THRESHOLD": "5",
    "BREAKER_RECOVERY_SECONDS": "30",
    "BREAKER_STATE_CACHE_SECONDS": "5",
    "PAYMENT_OUTAGE_PARAMETER": "/s/sandbox/payment-outage",
    "PAYMENT_OUTAGE_CACHE_SECONDS": "5",
}


def test_the_payment_steps_guarded_gateway_makes_no_client_at_cold_start(
    made: list[str],
) -> None:
    # Powertools' SSM provider and circuit breaker register their user-agent feature on the
    # client they are given: that alone made the SSM and DynamoDB clients at import.
    settings = PaymentSettings.from_env(PAYMENT_ENV)
    wiring.saga_ports(settings, wiring.guarded_gateway(settings))
    assert made == []


def test_an_event_handler_registered_before_the_client_exists_is_applied_when_made(
    made: list[str],
) -> None:
    # Given a handler registered on a lazy client (as Powertools does for its user agent)
    seen: list[str] = []
    client = wiring.client("ssm", "eu-west-2")
    client.meta.events.register("test-event.ssm", lambda **kwargs: seen.append("before"))
    assert made == []
    # When the client is made and the event fires
    client.meta.events.emit("test-event.ssm")
    # Then the handler ran on the real client, made once
    assert seen == ["before"]
    assert made == ["ssm"]
    client.meta.events.register("after-call.ssm.GetParameter", lambda **kwargs: None)
    assert made == ["ssm"]


def test_each_side_imports_only_its_own_models() -> None:
    """Every model module a function imports is built at its cold start: the REST functions
    that start no saga do not import the saga's models, the saga steps not the API's."""

    def loaded(module: str) -> set[str]:
        shown = subprocess.run(
            [sys.executable, "-c", f"import sys, {module}; print(*sorted(sys.modules))"],
            cwd=ROOT / "functions",
            capture_output=True,
            text=True,
            check=True,
        )
        return set(shown.stdout.split())

    for api in (
        "hotel_booking.logic.users",
        "hotel_booking.logic.hotels",
        "hotel_booking.logic.approval_pages",
    ):
        assert "hotel_booking.models.saga" not in loaded(api), api
    assert "hotel_booking.models.api" not in loaded("hotel_booking.logic.saga")
    # One module of API models per API: the users API builds none of the others'.
    users = loaded("hotel_booking.logic.users")
    assert {m for m in users if m.startswith("hotel_booking.models.api.")} == {
        "hotel_booking.models.api.fields",
        "hotel_booking.models.api.users",
    }


def test_a_function_builds_only_its_own_settings() -> None:
    """The composition root names every function's settings for typing only: importing it
    (every function does) loads no function's own settings module."""
    shown = subprocess.run(
        [sys.executable, "-c", "import sys, hotel_booking.wiring; print(*sorted(sys.modules))"],
        cwd=ROOT / "functions",
        capture_output=True,
        text=True,
        check=True,
    )
    assert [m for m in shown.stdout.split() if m.startswith("hotel_booking.config.")] == []
