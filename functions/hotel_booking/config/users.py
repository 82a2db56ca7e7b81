"""The users API's settings (UsersApiFunction)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config.api import ApiSettings


class UsersApiSettings(ApiSettings):
    """The users API reads and changes the user pool."""

    user_pool_id: Annotated[str, Field(min_length=1)] = Field(alias="USER_POOL_ID")
