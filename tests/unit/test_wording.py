"""One date format, one money format, plurals right: what guests and managers read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hotel_booking.logic import wording


def test_dates_and_moments_read_as_the_pages_show_them() -> None:
    # The pages format with en-GB (hotel/js/ui.js): "Mon, 1 Dec 2025".
    assert wording.day(dt.date(2025, 12, 1)) == "Mon, 1 Dec 2025"
    at = dt.datetime(2025, 12, 1, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert wording.moment(at) == "Mon, 1 Dec 2025, 12:05 UTC"


def test_money_has_a_symbol_thousands_and_two_decimals() -> None:
    assert wording.money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert wording.money("80", "usd") == "$80.00"
    assert wording.money(Decimal("-3"), "GBP") == "-£3.00"
    assert wording.money(Decimal("10"), "CHF") == "CHF 10.00"
    assert wording.cents(24000, "EUR") == "€240.00"


def test_counts_are_singular_for_one() -> None:
    assert wording.count(1, "night") == "1 night"
    assert wording.count(2, "night") == "2 nights"
    assert wording.stay(dt.date(2027, 5, 1), dt.date(2027, 5, 2), 1) == (
        "Sat, 1 May 2027 to Sun, 2 May 2027 (1 night), 1 room"
    )


def test_a_sentence_ends_in_one_full_stop() -> None:
    assert wording.sentence("Closed for works.") == "Closed for works."
    assert wording.sentence("Closed for works") == "Closed for works."
    assert wording.sentence("Really?") == "Really?"
