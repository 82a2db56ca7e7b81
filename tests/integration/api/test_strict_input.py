"""The API takes the types its contract (api/openapi.yaml) says and nothing looser: JSON
integers are JSON integers, dates are YYYY-MM-DD, no text carries control characters, and a
stay starts at most the horizon (two years by default) ahead. Each refusal is a 400 naming
the field; nothing is stored and no saga starts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from hotel_booking.models import BookingStatus
from tests.fixtures.api_client import CHECK_IN, ApiClient
from tests.fixtures.events import ADMIN, form_event, guest

CONTROL = "must not contain control characters (line breaks, tabs, NUL)"
NOT_AN_INTEGER = "Input should be a valid integer"
NOT_A_DATE = "must be a date as YYYY-MM-DD"


def someone() -> dict[str, Any]:
    return guest(f"strict{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def hotel(api: ApiClient) -> dict[str, Any]:
    return api.create_hotel(rooms=3)


# -- POST /bookings ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rooms": "1"}, "rooms", NOT_AN_INTEGER),
        ({"rooms": True}, "rooms", NOT_AN_INTEGER),
        ({"rooms": 1.5}, "rooms", NOT_AN_INTEGER),
        ({"checkIn": f"{CHECK_IN.isoformat()}T00:00:00Z"}, "checkIn", NOT_A_DATE),
        ({"checkOut": f"{CHECK_IN.isoformat()} 00:00"}, "checkOut", NOT_A_DATE),
        ({"checkIn": 1_900_000_000}, "checkIn", NOT_A_DATE),
        ({"checkIn": CHECK_IN.strftime("%Y%m%d")}, "checkIn", NOT_A_DATE),
        ({"guestName": "Gus\x00Guest"}, "guestName", CONTROL),
        ({"guestName": "Ann\nSmith"}, "guestName", CONTROL),
        ({"guestName": "Ann\r\nSmith"}, "guestName", CONTROL),
        ({"guestName": "Ann\u2028Smith"}, "guestName", CONTROL),
        ({"guestName": "Ann\x85Smith"}, "guestName", CONTROL),
        ({"paymentToken": "tok_visa\x07"}, "paymentToken", CONTROL),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_a_loosely_typed_or_controlled_booking_field_is_a_400_naming_it(
    api: ApiClient, hotel: dict[str, Any], change: dict[str, Any], field: str, message: str
) -> None:
    body = {**api.booking_request(hotel), **change}
    resp = api.bookings("POST", "/bookings", body=body, claims=someone())
    assert resp.status == 400, resp.body
    assert resp.field_errors == {field: message}


def test_a_stay_starts_at_most_two_years_ahead(api: ApiClient, hotel: dict[str, Any]) -> None:
    today = dt.datetime.now(dt.UTC).date()
    too_far = today + dt.timedelta(days=733)
    resp = api.bookings(
        "POST",
        "/bookings",
        body=api.booking_request(hotel, check_in=too_far),
        claims=someone(),
    )
    assert resp.status == 400, resp.body
    assert resp.field_errors == {"checkIn": "must be at most 730 days ahead"}
    within = api.booking_request(hotel, check_in=today + dt.timedelta(days=728))
    assert api.bookings("POST", "/bookings", body=within, claims=someone()).status == 202


def test_search_dates_are_strict_and_within_the_horizon(api: ApiClient) -> None:
    day = CHECK_IN.isoformat()
    stamp = api.hotels("GET", "/hotels", query={"checkIn": f"{day}T00:00:00Z", "checkOut": day})
    assert stamp.status == 400 and stamp.field_errors == {"checkIn": NOT_A_DATE}
    far = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=800)
    later = far + dt.timedelta(days=2)
    resp = api.hotels(
        "GET", "/hotels", query={"checkIn": far.isoformat(), "checkOut": later.isoformat()}
    )
    assert resp.status == 400 and resp.field_errors == {"checkIn": "must be at most 730 days ahead"}


def test_a_decision_reason_with_control_characters_is_refused(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    booking_id = str(api.book(hotel, someone())["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    resp = api.bookings(
        "POST",
        f"/bookings/{booking_id}/decision",
        body={"decision": "reject", "reason": "no\x1b[31m rooms"},
        claims=ADMIN,
    )
    assert resp.status == 400
    assert resp.field_errors == {"reason": CONTROL}
    still = api.bookings("GET", f"/bookings/{booking_id}", claims=ADMIN)
    assert still.body["status"] == "AWAITING_APPROVAL"


# -- hotels: JSON --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rooms": "3"}, "rooms", NOT_AN_INTEGER),
        ({"rooms": True}, "rooms", NOT_AN_INTEGER),
        ({"stars": "4"}, "stars", NOT_AN_INTEGER),
        ({"stars": False}, "stars", NOT_AN_INTEGER),
        ({"pricePerNight": True}, "pricePerNight", "must be a number, not true or false"),
        ({"name": "Grand\r\nHotel"}, "name", CONTROL),
        ({"name": "Grand\x00Hotel"}, "name", CONTROL),
        ({"city": "Lis\tbon"}, "city", CONTROL),
        ({"managerEmail": "boss\x00@example.com"}, "managerEmail", CONTROL),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_a_loosely_typed_or_controlled_hotel_field_is_a_400_naming_it(
    api: ApiClient, change: dict[str, Any], field: str, message: str
) -> None:
    created = api.hotels("POST", "/hotels", body=api.hotel_fields(**change), claims=ADMIN)
    assert created.status == 400, created.body
    assert created.field_errors == {field: message}
    hotel = api.create_hotel()
    changed = api.hotels("PUT", f"/hotels/{hotel['hotelId']}", body=change, claims=ADMIN)
    assert changed.status == 400, changed.body
    assert changed.field_errors == {field: message}
    # (The public read leaves out what only Admins see: the manager and their subscription.)
    admin_only = {"managerEmail", "managerSub", "managerSubscription"}
    assert api.hotels("GET", f"/hotels/{hotel['hotelId']}").body == {
        k: v for k, v in hotel.items() if k not in admin_only
    }


# -- hotels: multipart form (every field is text; numbers are parsed explicitly) ------------
def form(**overrides: str) -> dict[str, str]:
    n = uuid.uuid4().hex[:6]
    return {
        "name": f"Strict Form Hotel {n}",
        "city": "Porto",
        "stars": "3",
        "pricePerNight": "85.50",
        "rooms": "5",
        "managerEmail": f"strict.form.{n}@example.com",
        **overrides,
    }


def test_form_numbers_are_parsed_from_their_digits(api: ApiClient) -> None:
    fields = form()
    api.manager_sub(fields["managerEmail"])  # a hotel's manager is a HotelManager of the pool
    resp = api.invoke("HotelsApiFunction", form_event("POST", "/hotels", fields, claims=ADMIN))
    assert resp.status == 201, resp.body
    assert resp.body["stars"] == 3 and resp.body["rooms"] == 5


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rooms": "5.0"}, "rooms", NOT_AN_INTEGER),
        ({"rooms": "+5"}, "rooms", NOT_AN_INTEGER),
        ({"rooms": "true"}, "rooms", NOT_AN_INTEGER),
        ({"stars": " 3"}, "stars", NOT_AN_INTEGER),
        ({"name": "Grand\r\nHotel"}, "name", CONTROL),
        ({"city": "Por\x00to"}, "city", CONTROL),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_a_bad_form_field_is_a_400_naming_it(
    api: ApiClient, change: dict[str, str], field: str, message: str
) -> None:
    resp = api.invoke(
        "HotelsApiFunction", form_event("POST", "/hotels", form(**change), claims=ADMIN)
    )
    assert resp.status == 400, resp.body
    assert resp.field_errors == {field: message}
