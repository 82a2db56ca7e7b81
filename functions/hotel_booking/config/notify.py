"""NotifyManager's settings: it also signs the approval links it emails."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config import SagaSettings


class NotifySettings(SagaSettings):
    """NotifyManager also signs the approval links it emails."""

    approval_link_key_arn: str = Field(alias="APPROVAL_LINK_KEY_ARN")
    public_api_url: Annotated[str, Field(min_length=1)] = Field(alias="PUBLIC_API_URL")
