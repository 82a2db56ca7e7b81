"""What a search reads: candidate hotels from the projection, narrowed by its keys."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from hotel_booking.search.model import HotelDoc


class SearchStore(Protocol):
    def candidates(self, city_prefix: str | None, max_price: Decimal | None) -> Iterable[HotelDoc]:
        """Hotels whose folded city starts with ``city_prefix`` (folded) and whose price is
        at most ``max_price``; it may return more (the query filters again), never fewer."""
        ...
