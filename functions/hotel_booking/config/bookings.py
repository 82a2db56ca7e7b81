"""The bookings API's settings (BookingsApiFunction)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config.api import ApiSettings


class BookingsApiSettings(ApiSettings):
    """The bookings API also starts the saga."""

    state_machine_arn: Annotated[str, Field(min_length=1)] = Field(alias="STATE_MACHINE_ARN")
    cancellation_state_machine_arn: Annotated[str, Field(min_length=1)] = Field(
        alias="CANCELLATION_STATE_MACHINE_ARN"
    )
    full_refund_days: Annotated[int, Field(ge=0)] = Field(alias="FULL_REFUND_DAYS")
