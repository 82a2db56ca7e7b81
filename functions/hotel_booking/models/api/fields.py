"""The request fields' rules the three APIs share: plain text, dates, amounts, counts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from hotel_booking.models.domain import Email

#: Control characters (NUL, tabs, line breaks, DEL, C1) and Unicode line/paragraph separators:
#: no name, token or reason needs them, and SNS refuses them in subjects.
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The contract's patterns (api/openapi.yaml), ASCII digits only: Python's Decimal and int also
#: read "1e5", " 5", "5_0", "+5" and other scripts' digits, which no client is told it may send.
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_WHOLE = re.compile(r"[0-9]{1,9}")


def plain_text(value: str) -> str:
    if any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in value):
        raise ValueError("must not contain control characters (line breaks, tabs, NUL)")
    return value


def iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: pydantic alone would also take a timestamp at midnight."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


def amount(value: Any) -> Any:
    """An amount as text (a query string, a form) must be digits with at most two decimals;
    a JSON number stays a number (never true or false)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(value, str) and not _AMOUNT.fullmatch(value):
        raise ValueError("must be an amount such as 120 or 120.50")
    return value


def whole_number(value: Any) -> Any:
    """A whole number in a query string: digits only."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value):
        raise ValueError("must be a whole number (digits only)")
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Name = Annotated[Text, Field(min_length=1, max_length=120)]
City = Annotated[Text, Field(min_length=1, max_length=80)]
Stars = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=5)]
Price = Annotated[
    Decimal,
    BeforeValidator(amount),
    Field(gt=0, max_digits=10, decimal_places=2, allow_inf_nan=False),
]
Rooms = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=10_000)]
Date = Annotated[dt.date, BeforeValidator(iso_date)]
#: A JSON body's integers are JSON integers, as the contract says: not "1", not true.
StrictStars = Annotated[int, Field(ge=1, le=5, strict=True)]
StrictRooms = Annotated[int, Field(ge=1, le=10_000, strict=True)]
ManagerEmail = Annotated[Email, AfterValidator(plain_text)]
