"""How dates, times, money and counts read to people: one format for emails and pages alike
(the web pages use the same, en-GB, in hotel/js/ui.js)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

#: Symbols for the currencies a hotel may price in; any other shows its code.
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


def day(date: dt.date) -> str:
    """2025-12-01 -> "Mon, 1 Dec 2025"."""
    return f"{date:%a}, {date.day} {date:%b %Y}"


def moment(at: dt.datetime) -> str:
    """An instant in UTC: "Mon, 1 Dec 2025, 14:05 UTC"."""
    utc = at.astimezone(dt.UTC) if at.tzinfo else at
    return f"{day(utc.date())}, {utc:%H:%M} UTC"


def money(amount: Decimal | int | float | str, currency: str) -> str:
    """12345.5 EUR -> "€12,345.50"; an unknown currency reads "CHF 12,345.50"."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    number = f"{abs(value):,.2f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency.upper()} {number}"


def cents(amount_cents: int, currency: str) -> str:
    return money(Decimal(amount_cents) / 100, currency)


def count(n: int, word: str, plural: str | None = None) -> str:
    """1 night, 2 nights; 1 room, 3 rooms."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def stay(check_in: dt.date, check_out: dt.date, rooms: int) -> str:
    """ "Mon, 1 Dec 2025 to Thu, 4 Dec 2025 (3 nights), 1 room"."""
    nights = (check_out - check_in).days
    return f"{day(check_in)} to {day(check_out)} ({count(nights, 'night')}), {count(rooms, 'room')}"


def sentence(text: str) -> str:
    """Text ending in one full stop (a reason someone typed may or may not end with one)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."
