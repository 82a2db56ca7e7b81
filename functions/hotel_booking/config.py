"""Configuration read once from the environment into a pydantic model (no silent defaults)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field

#: The Powertools service of the event functions: a logger and metrics of their own, so they
#: never share state with the saga's and API's (one process locally; Powertools keeps a
#: service's logger keys and metrics in module state).
EVENTS_SERVICE = "hotel-booking-events"
#: How far ahead a stay may start unless ``STAY_HORIZON_DAYS`` says otherwise: two years.
DEFAULT_STAY_HORIZON_DAYS = 730


class EnvSettings(BaseModel):
    """Settings read from the environment, once, at cold start. ``defer_build``: a function
    builds the validator of the one settings class it reads, not of all nine."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Fail at cold start, naming every missing variable, rather than at first use."""
        return cls.model_validate(dict(os.environ if environ is None else environ))


class SagaSettings(EnvSettings):
    """What every saga function is told by template.yaml (Globals.Function.Environment)."""

    region: str = Field(alias="AWS_REGION")
    hotels_table: str = Field(alias="HOTELS_TABLE")
    inventory_table: str = Field(alias="INVENTORY_TABLE")
    bookings_table: str = Field(alias="BOOKINGS_TABLE")
    payments_table: str = Field(alias="PAYMENTS_TABLE")
    approvals_table: str = Field(alias="APPROVALS_TABLE")
    # A hotel's topic is this prefix + its hotelId (created and deleted with the hotel).
    hotel_topic_arn_prefix: Annotated[str, Field(min_length=1)] = Field(
        alias="HOTEL_TOPIC_ARN_PREFIX"
    )
    ops_topic_arn: str = Field(alias="OPS_TOPIC_ARN")
    # The SES identity guests' emails come from (template parameter SenderEmail).
    sender_email: Annotated[str, Field(min_length=1)] = Field(alias="SENDER_EMAIL")
    payment_gateway: str = Field(alias="PAYMENT_GATEWAY")
    approval_timeout_seconds: Annotated[int, Field(ge=1)] = Field(alias="APPROVAL_TIMEOUT_SECONDS")
    #: While the gateway is unavailable the saga waits this long between attempts...
    payment_retry_wait_seconds: Annotated[int, Field(ge=1)] = Field(
        alias="PAYMENT_RETRY_WAIT_SECONDS"
    )
    #: ...for at most this long in all, then compensates (PAYMENT_UNAVAILABLE).
    payment_retry_window_seconds: Annotated[int, Field(ge=0)] = Field(
        alias="PAYMENT_RETRY_WINDOW_SECONDS"
    )
    #: Where the web pages are (ends in "/"): guests' emails link to their bookings there.
    site_url: str = Field(default="", alias="SITE_URL")
    #: The cancellation policy guests' confirmations state (template CancellationFullRefundDays).
    full_refund_days: Annotated[int, Field(ge=0)] = Field(default=0, alias="FULL_REFUND_DAYS")


class PaymentSettings(SagaSettings):
    """The steps that call the payment gateway: its circuit breaker and outage switch."""

    circuit_table: Annotated[str, Field(min_length=1)] = Field(alias="CIRCUIT_BREAKER_TABLE")
    failure_threshold: Annotated[int, Field(ge=1)] = Field(alias="BREAKER_FAILURE_THRESHOLD")
    recovery_seconds: Annotated[int, Field(ge=1)] = Field(alias="BREAKER_RECOVERY_SECONDS")
    state_cache_seconds: Annotated[int, Field(ge=0)] = Field(alias="BREAKER_STATE_CACHE_SECONDS")
    outage_parameter: Annotated[str, Field(min_length=1)] = Field(alias="PAYMENT_OUTAGE_PARAMETER")
    outage_cache_seconds: Annotated[int, Field(ge=0)] = Field(alias="PAYMENT_OUTAGE_CACHE_SECONDS")


class NotifySettings(SagaSettings):
    """NotifyManager also signs the approval links it emails."""

    approval_link_key_arn: str = Field(alias="APPROVAL_LINK_KEY_ARN")
    public_api_url: Annotated[str, Field(min_length=1)] = Field(alias="PUBLIC_API_URL")


#: A custom domain's base path mapping (template parameter ApiBasePath), "" when none.
BasePath = Annotated[str, Field(pattern=r"^([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$")]


def base_path_prefixes(base_path: str) -> list[str | re.Pattern[str]] | None:
    """Powertools' ``strip_prefixes`` for a custom domain's base path mapping: API Gateway
    passes ``/<base path>/hotels`` as the path, which no route matches unless stripped."""
    return [f"/{base_path}"] if base_path else None


class ApprovalPageSettings(SagaSettings):
    """The approve/reject pages check the same signatures."""

    approval_link_key_arn: str = Field(alias="APPROVAL_LINK_KEY_ARN")
    #: API Gateway passes a custom domain's base path in the request path: stripped before
    #: routing. Empty (no custom domain) unless the template sets it.
    api_base_path: BasePath = Field(default="", alias="API_BASE_PATH")


class ApiSettings(SagaSettings):
    """What every REST API function is told: the saga's settings plus the browser origin."""

    allowed_origin: Annotated[str, Field(min_length=1)] = Field(alias="ALLOWED_ORIGIN")
    #: As for the approval pages: a custom domain's base path, stripped before routing.
    api_base_path: BasePath = Field(default="", alias="API_BASE_PATH")
    #: How many days ahead a stay may start (searching and booking); two years unless set.
    stay_horizon_days: Annotated[int, Field(ge=1, le=3660)] = Field(
        default=DEFAULT_STAY_HORIZON_DAYS, alias="STAY_HORIZON_DAYS"
    )


class HotelsApiSettings(ApiSettings):
    """The hotels API also stores pictures, finds managers in the user pool, and searches
    the search projection."""

    pictures_bucket: Annotated[str, Field(min_length=1)] = Field(alias="PICTURES_BUCKET")
    user_pool_id: Annotated[str, Field(min_length=1)] = Field(alias="USER_POOL_ID")
    search_table: Annotated[str, Field(min_length=1)] = Field(alias="SEARCH_TABLE")
    #: Set only by the local runtime (the emulator's S3); never on AWS.
    s3_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_S3")


class PublisherSettings(EnvSettings):
    """EventPublisherFunction: which stream is which table, and the bus."""

    region: str = Field(alias="AWS_REGION")
    hotels_table: str = Field(alias="HOTELS_TABLE")
    bookings_table: str = Field(alias="BOOKINGS_TABLE")
    event_bus_name: Annotated[str, Field(min_length=1)] = Field(alias="EVENT_BUS_NAME")


class ProjectorSettings(EnvSettings):
    """SearchProjectorFunction writes the search projection only."""

    region: str = Field(alias="AWS_REGION")
    search_table: Annotated[str, Field(min_length=1)] = Field(alias="SEARCH_TABLE")


class UsersApiSettings(ApiSettings):
    """The users API reads and changes the user pool."""

    user_pool_id: Annotated[str, Field(min_length=1)] = Field(alias="USER_POOL_ID")


class BookingsApiSettings(ApiSettings):
    """The bookings API also starts the saga."""

    state_machine_arn: Annotated[str, Field(min_length=1)] = Field(alias="STATE_MACHINE_ARN")
    cancellation_state_machine_arn: Annotated[str, Field(min_length=1)] = Field(
        alias="CANCELLATION_STATE_MACHINE_ARN"
    )
    full_refund_days: Annotated[int, Field(ge=0)] = Field(alias="FULL_REFUND_DAYS")
