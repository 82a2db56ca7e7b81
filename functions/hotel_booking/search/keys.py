"""The order keys of search: one string per hotel and sort, and the bucket it lives in.

Each sort has its own index on the projection. Its partition key is a *bucket*, its sort key
the hotel's *order key*: a string whose byte order (DynamoDB's) is the sort's order (Python's
``str`` order is the same: UTF-8 keeps code point order). Buckets are numbered so that a
lower bucket only holds lower keys (:func:`bucket` is monotone), so a search walks the buckets
in number order and Queries each from where the last page stopped: the pages come out in the
exact order of the sort, however many buckets there are, and no sort's index has one hot
partition (a text sort has up to 730 buckets, price ~90 per decade of price, stars 5 x 730).

- ``city`` (the default): folded city, folded name, id. A city prefix is a range of buckets
  (one bucket for two letters or more) and ``begins_with`` on the order key.
- ``price``: the price in cents (15 digits), name, id: cheapest first.
- ``stars``: 5 - stars, name, id: most stars first.
- ``name``: folded name, id.
"""

from __future__ import annotations

from decimal import Decimal

from hotel_booking.models.domain import HotelFacts
from hotel_booking.search.text import fold

SORTS = ("city", "price", "stars", "name")
#: Between the parts of a key: below every character a part may hold (parts lose any such).
SEP = "\x01"
_TEXT = 28  # per character: below "a", "a".."z", above "z"
TEXT_BUCKETS = _TEXT * _TEXT
PRICE_BUCKETS = 10 + 90 * 14  # cents up to 15 digits
STARS_BUCKETS = 5 * TEXT_BUCKETS


def _part(text: str) -> str:
    return "".join(c for c in fold(text) if c > SEP)


def order_key(doc: HotelFacts, sort: str) -> str:
    tail = f"{_part(doc.name)}{SEP}{doc.hotelId}"
    if sort == "price":
        return f"{_cents(doc.pricePerNight):015d}{SEP}{tail}"
    if sort == "stars":
        return f"{5 - doc.stars}{SEP}{tail}"
    if sort == "name":
        return tail
    return f"{_part(doc.city)}{SEP}{tail}"


def _cents(price: Decimal) -> int:
    return int(price * 100)


def _char(c: str) -> int:
    """0 below "a", 1..26 for "a".."z", 27 above "z"."""
    if c < "a":
        return 0
    if c > "z":
        return _TEXT - 1
    return ord(c) - ord("a") + 1


def text_bucket(text: str) -> int:
    """By the first two characters; the second counts only after a letter "a".."z" (the
    classes below and above the letters lump many characters, so only their first
    character can keep the order)."""
    if not text:
        return 0
    first = _char(text[0])
    if first in (0, _TEXT - 1) or len(text) < 2:
        return first * _TEXT
    return first * _TEXT + _char(text[1])


def bucket(sort: str, key: str) -> int:
    """The bucket of an order key: a lower key never lands in a higher bucket."""
    if sort == "price":
        digits = key.split(SEP, 1)[0].lstrip("0") or "0"
        if len(digits) < 2:
            return int(digits)
        return 10 + (len(digits) - 2) * 90 + int(digits[:2]) - 10
    if sort == "stars":
        return int(key[0]) * TEXT_BUCKETS + text_bucket(key[2:])
    return text_bucket(key)


def prefix_buckets(prefix: str) -> range:
    """The buckets of the ``city`` order whose keys may start with the folded ``prefix``."""
    if not prefix:
        return range(TEXT_BUCKETS)
    first = _char(prefix[0])
    if len(prefix) >= 2 or first in (0, _TEXT - 1):
        b = text_bucket(prefix)
        return range(b, b + 1)
    return range(first * _TEXT, first * _TEXT + _TEXT)


def city_prefix(city: str) -> str:
    """A city prefix as the ``city`` order key starts."""
    return _part(city)
