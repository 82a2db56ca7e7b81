"""The users API's requests and views (GET /users)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from hotel_booking.models.api.fields import whole_number
from hotel_booking.models.base import Model


class UserQuery(Model):
    """GET /users query string: a page of at most 60 (Cognito's own page limit)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    group: Literal["Admin", "HotelManager"] | None = None
    limit: Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=60)] = 60
    nextToken: Annotated[str, Field(min_length=1, max_length=4096)] | None = None


class UserView(Model):
    """A user of the pool as the Users page shows them (built from ``PoolUser`` by name)."""

    userId: str
    sub: str
    email: str | None
    name: str | None
    status: str
    enabled: bool
    groups: Annotated[list[str], AfterValidator(sorted)]

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class UserList(Model):
    items: list[UserView]
    nextToken: str | None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
