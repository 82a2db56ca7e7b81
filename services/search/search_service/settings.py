"""The service's configuration, read once from the environment (the task definition's
``Environment``; locally, what localaws.gateways.ecs_tasks passes to each process)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field

from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    region: str = Field(alias="AWS_REGION")
    #: The search projection, and the inventory for what a stay's nights hold (read only).
    search_table: Annotated[str, Field(min_length=1)] = Field(alias="SEARCH_TABLE")
    inventory_table: Annotated[str, Field(min_length=1)] = Field(alias="INVENTORY_TABLE")
    pictures_bucket: str = Field(alias="PICTURES_BUCKET")
    #: Set only by the local stack (the emulator's S3); never on AWS.
    s3_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_S3")
    #: As GET /hotels: how many days ahead a stay may start.
    stay_horizon_days: Annotated[int, Field(ge=1, le=3660)] = Field(
        default=DEFAULT_STAY_HORIZON_DAYS, alias="STAY_HORIZON_DAYS"
    )
    host: str = Field(alias="HOST")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(alias="PORT")
    # Tuning, not wiring: sensible values are part of the service.
    #: Store failures in a row that open the breaker.
    breaker_fail_max: Annotated[int, Field(ge=1)] = Field(default=3, alias="BREAKER_FAIL_MAX")
    #: How long the breaker stays open before one trial call (and the Retry-After it sends).
    breaker_reset_seconds: Annotated[float, Field(gt=0)] = Field(
        default=10.0, alias="BREAKER_RESET_SECONDS"
    )
    #: botocore connect and read timeouts; one retry at most: a request never hangs.
    store_timeout_seconds: Annotated[float, Field(gt=0)] = Field(
        default=2.0, alias="STORE_TIMEOUT_SECONDS"
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Fail at start-up, naming every missing variable, rather than at the first request."""
        return cls.model_validate(dict(os.environ if environ is None else environ))
