"""RecordPayment's and RefundPayment's settings: the payment gateway's circuit breaker and
its outage switch."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config import SagaSettings


class PaymentSettings(SagaSettings):
    """The steps that call the payment gateway: its circuit breaker and outage switch."""

    circuit_table: Annotated[str, Field(min_length=1)] = Field(alias="CIRCUIT_BREAKER_TABLE")
    failure_threshold: Annotated[int, Field(ge=1)] = Field(alias="BREAKER_FAILURE_THRESHOLD")
    recovery_seconds: Annotated[int, Field(ge=1)] = Field(alias="BREAKER_RECOVERY_SECONDS")
    state_cache_seconds: Annotated[int, Field(ge=0)] = Field(alias="BREAKER_STATE_CACHE_SECONDS")
    outage_parameter: Annotated[str, Field(min_length=1)] = Field(alias="PAYMENT_OUTAGE_PARAMETER")
    outage_cache_seconds: Annotated[int, Field(ge=0)] = Field(alias="PAYMENT_OUTAGE_CACHE_SECONDS")
