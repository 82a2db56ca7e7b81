"""The search itself: walk a sort's index, filter, and cut a page.

Pages are cut by key, not by offset: ``nextToken`` is the order key (``keys.order_key``) of
the last hotel read (opaque: base64 of JSON), and the next page starts after it, so a hotel
added or removed meanwhile shifts nothing on the pages still to come. Free rooms on the
stay's nights follow the one inventory rule (``logic.inventory.has_room``) over what the
saga's inventory holds: rooms held by bookings still in the saga count, and come back as
soon as the saga releases them.
"""

from __future__ import annotations

import base64
import binascii
import json

from hotel_booking.logic.inventory import has_room
from hotel_booking.models.domain import nights
from hotel_booking.search import keys
from hotel_booking.search.model import (
    READS_PER_ITEM,
    BadPageToken,
    HotelDoc,
    SearchPage,
    SearchQuery,
    SortBy,
)
from hotel_booking.search.ports import SearchStore
from hotel_booking.search.text import fold

_DEFAULT = "city"  # no sort asked: by city, then name


def search(store: SearchStore, query: SearchQuery) -> SearchPage:
    """One page: walk the sort's index from the token on, keep what passes the filters, stop
    at a full page or after ``READS_PER_ITEM * limit`` hotels read, whichever comes first.
    The cost of a page is bounded whatever the table holds; a selective filter may answer
    fewer hotels than ``limit`` (even none) with a ``nextToken`` to read on."""
    sort = query.sort.value if query.sort else _DEFAULT
    city = fold(query.city) if query.city else None
    words = fold(query.name).split() if query.name else []
    stay = nights(query.checkIn, query.checkOut) if query.checkIn and query.checkOut else []
    prefix = keys.city_prefix(query.city) if query.city and sort == _DEFAULT else ""
    after = _decode(query.nextToken, sort) if query.nextToken else None
    if after is not None and not after.startswith(prefix):
        raise BadPageToken("nextToken belongs to another search")

    def past_the_end(doc: HotelDoc) -> bool:
        """The sort's own order says no later hotel can pass the filter either."""
        if sort == SortBy.PRICE and query.maxPrice is not None:
            return doc.pricePerNight > query.maxPrice
        if sort == SortBy.STARS and query.minStars is not None:
            return doc.stars < query.minStars
        return False

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
        return not stay or has_room(doc, store.held(doc.hotelId, stay), stay, query.rooms)

    budget = READS_PER_ITEM * query.limit
    walked = iter(store.walk(sort, prefix, after, budget, query.limit + 1))
    page: list[HotelDoc] = []
    last: HotelDoc | None = None
    read = 0
    more = False
    for read, doc in enumerate(walked, start=1):
        if past_the_end(doc):
            break
        last = doc
        if wanted(doc):
            page.append(doc)
            if len(page) == query.limit:
                following = next(walked, None) if read < budget else last
                more = following is not None and not past_the_end(following)
                break
    else:
        more = read >= budget  # stopped by the budget: more may follow
    token = _encode(keys.order_key(last, sort), sort) if more and last is not None else None
    return SearchPage(items=page, nextToken=token)


def _encode(key: str, sort: str) -> str:
    raw = json.dumps({"s": sort, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, sort: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:  # RecursionError: JSON nested
        raise BadPageToken("nextToken is not valid") from exc  # thousands deep
    if not isinstance(data, dict) or data.get("s") != sort:
        raise BadPageToken("nextToken belongs to another search")
    key = data.get("k")
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY:
        raise BadPageToken("nextToken is not valid")
    return key


#: An order key: price digits, city, name and id with separators (models' field limits).
_MAX_KEY = 16 + 80 * 3 + 120 * 3 + 80 + 3
