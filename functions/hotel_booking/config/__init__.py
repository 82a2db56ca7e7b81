"""Configuration read once from the environment into a pydantic model (no silent defaults).

The settings every saga step reads are here; a function's own settings are in the module of
its kind (``config.payments``, ``config.users``, ...), so a function builds, at cold start,
its own settings class and its bases, not every function's.
"""

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
    builds the validator of the one settings class it reads, not of all of them."""

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


#: A custom domain's base path mapping (template parameter ApiBasePath), "" when none.
BasePath = Annotated[str, Field(pattern=r"^([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$")]


def base_path_prefixes(base_path: str) -> list[str | re.Pattern[str]] | None:
    """Powertools' ``strip_prefixes`` for a custom domain's base path mapping: API Gateway
    passes ``/<base path>/hotels`` as the path, which no route matches unless stripped."""
    return [f"/{base_path}"] if base_path else None
