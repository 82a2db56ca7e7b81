"""What every REST API function is told, beyond the saga's settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config import DEFAULT_STAY_HORIZON_DAYS, BasePath, SagaSettings


class ApiSettings(SagaSettings):
    """What every REST API function is told: the saga's settings plus the browser origin."""

    allowed_origin: Annotated[str, Field(min_length=1)] = Field(alias="ALLOWED_ORIGIN")
    #: As for the approval pages: a custom domain's base path, stripped before routing.
    api_base_path: BasePath = Field(default="", alias="API_BASE_PATH")
    #: How many days ahead a stay may start (searching and booking); two years unless set.
    stay_horizon_days: Annotated[int, Field(ge=1, le=3660)] = Field(
        default=DEFAULT_STAY_HORIZON_DAYS, alias="STAY_HORIZON_DAYS"
    )
