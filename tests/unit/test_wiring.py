"""The composition root builds a function's ports without building its clients: each boto3
client is made on its first call, once (cold starts: docs/performance.md)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from hotel_booking import wiring
from hotel_booking.config import SagaSettings
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
        client.meta  # noqa: B018 - the attribute access is what makes the client
    assert made == ["sns"]
