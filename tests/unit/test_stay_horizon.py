"""How far ahead a stay may start: a setting read once (STAY_HORIZON_DAYS, two years unless
set), handed to the logic through its ports, decided in logic/inventory.py's stay rules."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from hotel_booking.config.bookings import BookingsApiSettings
from hotel_booking.config.hotels import HotelsApiSettings
from hotel_booking.logic.inventory import latest_stay_date, stay_problems
from hotel_booking.wiring import booking_ports, hotel_ports
from tests.fixtures.samples import SETTINGS_ENV

NOW = dt.datetime(2030, 6, 15, 10, 0, tzinfo=dt.UTC)
ENV = SETTINGS_ENV


def test_the_horizon_is_two_years_unless_configured() -> None:
    assert HotelsApiSettings.from_env(ENV).stay_horizon_days == 730
    assert BookingsApiSettings.from_env(ENV).stay_horizon_days == 730
    settings = BookingsApiSettings.from_env({**ENV, "STAY_HORIZON_DAYS": "90"})
    assert settings.stay_horizon_days == 90
    assert booking_ports(settings).stay_horizon_days == 90
    hotels = HotelsApiSettings.from_env({**ENV, "STAY_HORIZON_DAYS": "90"})
    assert hotel_ports(hotels).stay_horizon_days == 90
    for bad in ("0", "soon", "-1"):
        with pytest.raises(ValidationError, match="STAY_HORIZON_DAYS"):
            HotelsApiSettings.from_env({**ENV, "STAY_HORIZON_DAYS": bad})


def test_a_stay_may_start_up_to_the_horizon_and_not_a_day_later() -> None:
    # 10:00 UTC on 15 June is already 16 June in Kiribati (UTC+14): the horizon counts from there.
    last = latest_stay_date(NOW, 30)
    assert last == dt.date(2030, 7, 16)
    assert stay_problems(last, last + dt.timedelta(days=2), NOW, 30) == {}
    later = last + dt.timedelta(days=1)
    assert stay_problems(later, later + dt.timedelta(days=2), NOW, 30) == {
        "checkIn": "must be at most 30 days ahead"
    }
    two_years = latest_stay_date(NOW, 730)
    assert stay_problems(two_years, two_years + dt.timedelta(days=1), NOW) == {}
    assert set(stay_problems(two_years + dt.timedelta(days=1), two_years + dt.timedelta(2), NOW))
