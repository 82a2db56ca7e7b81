"""The search itself: filter, sort and page the candidates a store hands over.

Pages are cut by key, not by offset: ``nextToken`` is the sort key of the last hotel shown
(opaque: base64 of JSON), and the next page starts after it, so a hotel added or removed
meanwhile shifts nothing on the pages still to come.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from hotel_booking.search.model import BadPageToken, HotelDoc, SearchPage, SearchQuery, SortBy
from hotel_booking.search.ports import SearchStore
from hotel_booking.search.text import fold

_DEFAULT = "city"  # no sort asked: by city, then name


def search(store: SearchStore, query: SearchQuery) -> SearchPage:
    city = fold(query.city) if query.city else None
    words = fold(query.name).split() if query.name else []
    nights = _nights(query.checkIn, query.checkOut)

    def wanted(doc: HotelDoc) -> bool:
        if city is not None and not fold(doc.city).startswith(city):
            return False
        if query.minStars is not None and doc.stars < query.minStars:
            return False
        if query.maxPrice is not None and doc.pricePerNight > query.maxPrice:
            return False
        if words:
            name = fold(doc.name)
            if not all(word in name for word in words):
                return False
        return all(doc.free_rooms(night) >= query.rooms for night in nights)

    sort = query.sort.value if query.sort else _DEFAULT
    # The token is the client's: refused before the store is asked anything (a bad token is
    # the caller's fault, never a store failure that a breaker would count).
    after = _decode(query.nextToken, sort) if query.nextToken else None
    found = sorted(
        (d for d in store.candidates(city, query.maxPrice) if wanted(d)), key=_keyer(sort)
    )
    if after is not None:
        found = [d for d in found if _key(d, sort) > after]
    page = found[: query.limit]
    more = len(found) > query.limit
    return SearchPage(items=page, nextToken=_encode(_key(page[-1], sort), sort) if more else None)


def _nights(check_in: dt.date | None, check_out: dt.date | None) -> list[dt.date]:
    if check_in is None or check_out is None:
        return []
    return [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]


def _key(doc: HotelDoc, sort: str) -> tuple[Any, ...]:
    tail = (fold(doc.name), doc.hotelId)
    if sort == SortBy.PRICE:
        return (doc.pricePerNight, *tail)
    if sort == SortBy.STARS:
        return (-doc.stars, *tail)
    if sort == SortBy.NAME:
        return tail
    return (fold(doc.city), *tail)


_SHAPES: dict[str, tuple[type, ...]] = {
    SortBy.PRICE: (Decimal, str, str),
    SortBy.STARS: (int, str, str),
    SortBy.NAME: (str, str),
    _DEFAULT: (str, str, str),
}


def _keyer(sort: str) -> Any:
    return lambda doc: _key(doc, sort)


def _encode(key: tuple[Any, ...], sort: str) -> str:
    plain = [str(part) if isinstance(part, Decimal) else part for part in key]
    raw = json.dumps({"s": sort, "k": plain}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, sort: str) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("s") != sort:
            raise BadPageToken("nextToken belongs to another search")
        key = data["k"]
        shape = _SHAPES[sort]
        if not isinstance(key, list) or len(key) != len(shape):
            raise BadPageToken("nextToken is not valid")
        parts = [_part(kind, part) for kind, part in zip(shape, key, strict=True)]
        if not all(
            isinstance(p, kind) and not isinstance(p, bool)
            for kind, p in zip(shape, parts, strict=True)
        ):
            raise BadPageToken("nextToken is not valid")
        return tuple(parts)
    except BadPageToken:
        raise
    except (
        binascii.Error,
        ValueError,
        KeyError,
        IndexError,
        InvalidOperation,
        TypeError,
        RecursionError,  # JSON nested thousands deep
    ) as exc:
        raise BadPageToken("nextToken is not valid") from exc


def _part(kind: type, part: Any) -> Any:
    """A price as :func:`_encode` writes it: a string of a finite decimal. ``NaN``, ``sNaN``
    and ``Infinity`` parse as Decimals but no price is one, and NaN cannot even be compared."""
    if kind is not Decimal:
        return part
    if not isinstance(part, str):
        raise BadPageToken("nextToken is not valid")
    value = Decimal(part)
    if not value.is_finite():
        raise BadPageToken("nextToken is not valid")
    return value
