"""What the projection keeps per hotel, what a search asks, and the page it answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE = 100


class HotelDoc(BaseModel):
    """One hotel as search sees it: the newest version the projector applied, plus how many
    rooms confirmed stays take per night (a hint: in-flight reservations are not counted,
    and ReserveRoom stays the authority on whether a stay can be booked)."""

    model_config = ConfigDict(frozen=True)

    hotelId: str
    name: str
    city: str
    stars: int
    pricePerNight: Decimal
    currency: str
    rooms: int
    imageKey: str | None = None
    version: int
    booked: dict[str, int] = Field(default_factory=dict)

    def free_rooms(self, night: dt.date) -> int:
        return self.rooms - self.booked.get(night.isoformat(), 0)


class SortBy(StrEnum):
    """price: cheapest first; stars: most first; name: A to Z. Ties by name, then id."""

    PRICE = "price"
    STARS = "stars"
    NAME = "name"


class SearchQuery(BaseModel):
    """A validated search (the API checks dates against the inventory rules first)."""

    model_config = ConfigDict(frozen=True)

    city: str | None = None
    minStars: int | None = None
    maxPrice: Decimal | None = None
    name: str | None = None
    checkIn: dt.date | None = None
    checkOut: dt.date | None = None
    rooms: Annotated[int, Field(ge=1)] = 1
    sort: SortBy | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 20
    nextToken: str | None = None


class SearchPage(BaseModel):
    items: list[HotelDoc]
    nextToken: str | None = None


class BadPageToken(ValueError):
    """``nextToken`` is not one this search handed out (or was made for another sort)."""
