"""What the projection keeps per hotel, what a search asks, and the page it answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from hotel_booking.models.base import Model
from hotel_booking.models.domain import HotelFacts

MAX_PAGE = 100
#: A search reads at most this many index items per page asked for (filters may leave fewer
#: than a page: the answer then carries a ``nextToken`` to read on, as DynamoDB's ``Limit``).
READS_PER_ITEM = 3


class HotelDoc(HotelFacts):
    """One hotel as search sees it: its public facts at the newest version the projector
    applied. What its nights hold is read from the inventory the saga keeps, not kept here,
    so the item never grows with bookings (it stays under 4 KB: ``dynamo.ITEM_BUDGET``)."""

    model_config = ConfigDict(frozen=True)

    version: int


class SortBy(StrEnum):
    """price: cheapest first; stars: most first; name: A to Z. Ties by name, then id."""

    PRICE = "price"
    STARS = "stars"
    NAME = "name"


class SearchQuery(Model):
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


class SearchPage(Model):
    items: list[HotelDoc]
    nextToken: str | None = None


class BadPageToken(ValueError):
    """``nextToken`` is not one this search handed out (or was made for another sort)."""
