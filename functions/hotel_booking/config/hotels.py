"""The hotels API's settings (HotelsApiFunction)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hotel_booking.config.api import ApiSettings


class HotelsApiSettings(ApiSettings):
    """The hotels API also stores pictures, finds managers in the user pool, and searches
    the search projection."""

    pictures_bucket: Annotated[str, Field(min_length=1)] = Field(alias="PICTURES_BUCKET")
    user_pool_id: Annotated[str, Field(min_length=1)] = Field(alias="USER_POOL_ID")
    search_table: Annotated[str, Field(min_length=1)] = Field(alias="SEARCH_TABLE")
    #: Set only by the local runtime (the emulator's S3); never on AWS.
    s3_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL_S3")
