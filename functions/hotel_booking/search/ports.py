"""What a search reads: hotels in the order of a sort from the projection, and what the
inventory holds on a hotel's nights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol

from hotel_booking.search.model import HotelDoc


class SearchStore(Protocol):
    def walk(
        self, sort: str, prefix: str, after: str | None, budget: int, chunk: int
    ) -> Iterable[HotelDoc]:
        """Hotels in the order of ``sort`` (``search.keys``), from just after the order key
        ``after``; for ``city``, only keys that start with ``prefix``. At most ``budget``
        hotels, read ``chunk`` at a time (lazily: a caller that stops early reads no more)."""
        ...

    def held(self, hotel_id: str, nights: list[dt.date]) -> Mapping[dt.date, int]:
        """Rooms held per night (by bookings confirmed or still in the saga) on ``nights``;
        a night without a row holds none."""
        ...
