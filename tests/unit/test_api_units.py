"""The API's parts that need no AWS: claims, bodies, pictures, the error table, page tokens."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from http import HTTPStatus

import pytest
from pydantic import BaseModel, ValidationError

from hotel_booking.api._http import STATUS_BY_ERROR, parse_json_object, parse_multipart
from hotel_booking.api._http import with_origin_header as add_origin
from hotel_booking.config.bookings import BookingsApiSettings
from hotel_booking.config.hotels import HotelsApiSettings
from hotel_booking.dal.executions import execution_arn_of
from hotel_booking.logic import bookings as booking_logic
from hotel_booking.logic import problems
from hotel_booking.logic.callers import Caller, parse_groups
from hotel_booking.logic.hotel_admin import is_live
from hotel_booking.logic.inventory import earliest_stay_date, stay_problems
from hotel_booking.logic.uploads import (
    MAX_FORM_PARTS,
    MAX_PICTURE_BYTES,
    Upload,
    accept_picture,
    sniff,
)
from hotel_booking.models import Booking, BookingStatus, Guest
from hotel_booking.models.api.bookings import BookingQuery, NewBooking
from hotel_booking.models.api.hotels import HotelChanges, HotelFields, HotelQuery
from hotel_booking.models.api.users import UserQuery
from hotel_booking.models.domain import ListPosition
from tests.fixtures.events import claims, multipart, png

NOW = dt.datetime(2030, 6, 15, 10, 0, tzinfo=dt.UTC)


# -- callers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, set()),
        ("", set()),
        ("Admin", {"Admin"}),
        ("Admin,HotelManager", {"Admin", "HotelManager"}),
        ("Admin, HotelManager", {"Admin", "HotelManager"}),
        ("[Admin HotelManager]", {"Admin", "HotelManager"}),
        ("[Admin]", {"Admin"}),
        ("[]", set()),
        ('["Admin","HotelManager"]', {"Admin", "HotelManager"}),
        (["Admin", "HotelManager"], {"Admin", "HotelManager"}),
        ([], set()),
    ],
)
def test_groups_in_every_shape(value: object, expected: set[str]) -> None:
    assert parse_groups(value) == expected


def test_a_caller_from_claims() -> None:
    caller = Caller.from_claims(claims("s1", "Boss@Example.com", "HotelManager"))
    assert caller is not None
    assert caller.sub == "s1" and caller.is_manager and not caller.is_admin
    assert caller.manages("s1")  # a hotel's manager is a sub (issue 9 item 2)
    assert not caller.manages("other-sub")
    assert not caller.manages("Boss@Example.com")  # never an email: users change their own
    assert not caller.manages(None)  # a hotel stored before managers were users
    assert Caller.from_claims(None) is None
    assert Caller.from_claims({"email": "no-sub@example.com"}) is None


def test_a_missing_email_verified_claim_is_false() -> None:
    caller = Caller.from_claims({"sub": "s1", "email": "boss@example.com"})
    assert caller is not None and caller.email_verified is False
    unverified = Caller.from_claims(claims("s1", "boss@example.com", "HotelManager", "false"))
    assert unverified is not None and unverified.email_verified is False
    verified = Caller.from_claims(claims("s1", "boss@example.com", "HotelManager"))
    assert verified is not None and verified.email_verified is True


def test_manager_sub_without_the_group_manages_nothing() -> None:
    caller = Caller.from_claims(claims("s1", "boss@example.com", "Admin"))
    assert caller is not None and caller.is_admin and not caller.manages("s1")


# -- bodies --------------------------------------------------------------------------------
def test_multipart_keeps_every_byte_of_a_file() -> None:
    for data in (b"", b"\r", b"\r\n", os.urandom(4096), b"\n--not-the-boundary\r\n" * 3):
        body, content_type = multipart({"name": "Hôtel ✓"}, [("picture", "x.bin", "x/y", data)])
        form = parse_multipart(body, content_type)
        assert form.fields == {"name": "Hôtel ✓"}
        assert form.files["picture"].data == data
        assert form.files["picture"].filename == "x.bin"


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        (b"whatever", "multipart/form-data", "body"),
        (b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n", "b", "body"),
        (b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n", None, "body"),
        (b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n", None, "body"),
        (b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\xff\xfe\r\n--b--\r\n", None, "a"),
        (
            b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
            b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--b--\r\n",
            None,
            "a",
        ),
    ],
    ids=["no-boundary", "not-multipart", "no-name", "truncated", "not-utf8", "twice"],
)
def test_a_bad_multipart_body_is_an_invalid_request(
    body: bytes, content_type: str | None, field: str
) -> None:
    with pytest.raises(problems.InvalidRequest) as caught:
        parse_multipart(body, content_type or "multipart/form-data; boundary=b")
    assert [e.field for e in caught.value.errors] == [field]


def test_a_form_of_more_parts_than_a_form_has_is_refused_before_it_is_parsed() -> None:
    # Issue 21: 20,000 empty parts (1.1 MB) held the function to its timeout.
    part = b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n\r\n'
    body = b"".join(part % i for i in range(20_000)) + b"--b--\r\n"
    with pytest.raises(problems.InvalidRequest) as caught:
        parse_multipart(body, "multipart/form-data; boundary=b")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("body", f"has more than {MAX_FORM_PARTS} parts")
    ]
    fine = b"".join(part % i for i in range(MAX_FORM_PARTS)) + b"--b--\r\n"
    assert len(parse_multipart(fine, "multipart/form-data; boundary=b").fields) == MAX_FORM_PARTS


def test_json_numbers_are_decimals_and_constants_are_refused() -> None:
    assert parse_json_object(b'{"price": 12.30}') == {"price": Decimal("12.30")}
    for raw in (b"", b"  ", b"{", b"[1]", b'"s"', b'{"a": NaN}', b"\xff"):
        with pytest.raises(problems.InvalidRequest):
            parse_json_object(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"rooms": 1e999999999}',  # would become a billion-digit integer
        b'{"rooms": 1e-999999999}',
        b'{"rooms": ' + b"9" * 5000 + b"}",  # past Python's int digit limit
        b'{"name": "\\ud800"}',  # valid JSON, not valid text
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["huge-exponent", "tiny-exponent", "long-int", "lone-surrogate", "deep"],
)
def test_hostile_json_is_refused_quickly(raw: bytes) -> None:
    with pytest.raises(problems.InvalidRequest):
        parse_json_object(raw)


# -- pictures ------------------------------------------------------------------------------
def test_pictures_are_known_by_their_first_bytes() -> None:
    assert sniff(png()) == ("png", "image/png")
    assert sniff(b"\xff\xd8\xff\xdb rest") == ("jpg", "image/jpeg")
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8L") == ("webp", "image/webp")
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff(b"GIF89a") is None
    assert sniff(b"") is None


def test_picture_limits() -> None:
    exactly = png() + b"\x00" * (MAX_PICTURE_BYTES - len(png()))
    assert accept_picture(Upload("picture", "a.png", "image/png", exactly)).extension == "png"
    with pytest.raises(problems.PictureTooLarge):
        accept_picture(Upload("picture", "a.png", "image/png", exactly + b"\x00"))
    with pytest.raises(problems.InvalidRequest):
        accept_picture(Upload("picture", "a.png", "image/png", b"<svg/>"))


# -- the error table -----------------------------------------------------------------------
def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_request_problem_has_a_4xx_or_a_deliberate_503() -> None:
    for cls in _all_subclasses(problems.RequestProblem):
        status = next(STATUS_BY_ERROR[c] for c in cls.__mro__ if c in STATUS_BY_ERROR)
        assert 400 <= status < 500 or status == HTTPStatus.SERVICE_UNAVAILABLE, cls


def test_pydantic_errors_become_field_problems() -> None:
    with pytest.raises(ValidationError) as caught:
        NewBooking.model_validate({"rooms": 0, "extra": 1})
    named = {p.field: p.message for p in problems.field_problems(caught.value)}
    assert named["hotelId"] == "is required"
    assert named["extra"] == "is not a known field"
    assert "greater than or equal to 1" in named["rooms"]


def test_the_origin_header_is_added_when_powertools_left_it_out() -> None:
    result: dict[str, object] = {"statusCode": 200, "multiValueHeaders": {}}
    add_origin(result, "https://hotels.example.com")
    assert result["multiValueHeaders"] == {
        "Access-Control-Allow-Origin": ["https://hotels.example.com"]
    }
    kept = {"multiValueHeaders": {"access-control-allow-origin": ["*"]}}
    add_origin(kept, "https://hotels.example.com")
    assert kept == {"multiValueHeaders": {"access-control-allow-origin": ["*"]}}


# -- rules ---------------------------------------------------------------------------------
def test_stays_start_today_somewhere_on_earth() -> None:
    late_utc = dt.datetime(2030, 6, 15, 23, 30, tzinfo=dt.UTC)
    assert earliest_stay_date(late_utc) == dt.date(2030, 6, 15)
    early_utc = dt.datetime(2030, 6, 15, 3, 0, tzinfo=dt.UTC)
    assert earliest_stay_date(early_utc) == dt.date(2030, 6, 14)  # still the 14th in Hawaii
    today = NOW.date()
    assert stay_problems(today, today + dt.timedelta(days=30), NOW) == {}
    assert set(stay_problems(today, today + dt.timedelta(days=31), NOW)) == {"checkOut"}
    assert set(stay_problems(today - dt.timedelta(days=2), today, NOW)) == {"checkIn"}


@pytest.mark.parametrize(
    ("status", "check_out_in_days", "live"),
    [
        (BookingStatus.PENDING, -10, True),
        (BookingStatus.ROOM_RESERVED, 5, True),
        (BookingStatus.PAYMENT_RECORDED, 5, True),
        (BookingStatus.AWAITING_APPROVAL, 5, True),
        (BookingStatus.CONFIRMED, 0, True),
        (BookingStatus.CONFIRMED, 3, True),
        (BookingStatus.CONFIRMED, -1, False),
        (BookingStatus.REJECTED, 5, False),
        (BookingStatus.EXPIRED, 5, False),
        (BookingStatus.FAILED, 5, False),
        (BookingStatus.CANCELLING, -1, True),
        (BookingStatus.CANCELLED, 5, False),
    ],
)
def test_which_bookings_keep_a_hotel_alive(
    status: BookingStatus, check_out_in_days: int, live: bool
) -> None:
    today = NOW.date()
    check_out = today + dt.timedelta(days=check_out_in_days)
    booking = Booking(
        bookingId="bk_1",
        hotelId="h1",
        guest=Guest(sub="s", name="n", email="n@example.com"),
        checkIn=check_out - dt.timedelta(days=1),
        checkOut=check_out,
        rooms=1,
        status=status,
        createdAt=NOW,
        updatedAt=NOW,
    )
    assert is_live(booking, today) is live


def test_page_tokens_are_bound_to_their_listing() -> None:
    last = ListPosition(dt.datetime(2030, 6, 15, 10, 0, 0, 123, tzinfo=dt.UTC), "bk_40")
    token = booking_logic._token(last, "abc")
    assert booking_logic._position(token, "abc") == last
    naive = booking_logic._token(ListPosition(dt.datetime(2030, 6, 15), "bk_1"), "abc")
    for bad, fingerprint in ((token, "other"), ("%%%", "abc"), ("e30", "abc"), (naive, "abc")):
        with pytest.raises(problems.InvalidRequest):
            booking_logic._position(bad, fingerprint)


def test_execution_arn_from_the_state_machine_arn() -> None:
    machine = "arn:aws:states:eu-west-2:123456789012:stateMachine:api-booking"
    assert (
        execution_arn_of(machine, "bk_1")
        == "arn:aws:states:eu-west-2:123456789012:execution:api-booking:bk_1"
    )


# -- settings ------------------------------------------------------------------------------
def test_api_settings_name_each_missing_variable() -> None:
    base = {
        "AWS_REGION": "eu-west-2",
        "HOTELS_TABLE": "h",
        "INVENTORY_TABLE": "i",
        "BOOKINGS_TABLE": "b",
        "PAYMENTS_TABLE": "p",
        "APPROVALS_TABLE": "a",
        "HOTEL_TOPIC_ARN_PREFIX": "arn:aws:sns:eu-west-2:1:s-hotel-",
        "OPS_TOPIC_ARN": "o",
        "SENDER_EMAIL": "bookings@example.com",
        "PAYMENT_GATEWAY": "sandbox",
        "APPROVAL_TIMEOUT_SECONDS": "60",
        "PAYMENT_RETRY_WAIT_SECONDS": "30",
        "PAYMENT_RETRY_WINDOW_SECONDS": "300",
        "ALLOWED_ORIGIN": "*",
    }
    every = {"PICTURES_BUCKET": "pics", "USER_POOL_ID": "pool", "SEARCH_TABLE": "s"}
    HotelsApiSettings.from_env({**base, **every})
    machines = {
        "STATE_MACHINE_ARN": "arn",
        "CANCELLATION_STATE_MACHINE_ARN": "arn2",
        "FULL_REFUND_DAYS": "2",
    }
    BookingsApiSettings.from_env({**base, **machines})
    with pytest.raises(ValidationError, match="PICTURES_BUCKET"):
        HotelsApiSettings.from_env(base)
    with pytest.raises(ValidationError, match="PICTURES_BUCKET"):
        HotelsApiSettings.from_env(base | {"SEARCH_TABLE": "s", "USER_POOL_ID": "pool"})
    with pytest.raises(ValidationError, match="USER_POOL_ID"):
        HotelsApiSettings.from_env({**base, "PICTURES_BUCKET": "pics", "SEARCH_TABLE": "s"})
    with pytest.raises(ValidationError, match="SEARCH_TABLE"):
        HotelsApiSettings.from_env(base | {"PICTURES_BUCKET": "pics", "USER_POOL_ID": "pool"})
    with pytest.raises(ValidationError, match="ALLOWED_ORIGIN"):
        BookingsApiSettings.from_env(
            {k: v for k, v in base.items() if k != "ALLOWED_ORIGIN"} | machines
        )


# -- numbers as the contract writes them (issue 21: "1e5" was stored as 100000.00) ----------
HOTEL = {
    "name": "N",
    "city": "C",
    "stars": 3,
    "rooms": 2,
    "managerEmail": "m@example.com",
}


@pytest.mark.parametrize(
    "price", ["1e5", " 5", "5 ", "5.", ".5", "+5", "5_0", "0x5", "\u0665", "5.001", "NaN", True]
)
def test_a_price_the_contract_refuses_is_refused(price: object) -> None:
    with pytest.raises(ValidationError):
        HotelFields.model_validate({**HOTEL, "pricePerNight": price})
    with pytest.raises(ValidationError):
        HotelChanges.model_validate({"pricePerNight": price})
    if isinstance(price, str):
        with pytest.raises(ValidationError):
            HotelQuery.model_validate({"maxPrice": price})


@pytest.mark.parametrize(
    ("price", "stored"),
    [("5", "5"), ("5.5", "5.5"), ("120.00", "120.00"), (Decimal("1E+5"), "1E+5"), (7, "7")],
)
def test_a_price_as_the_contract_writes_it_is_taken(price: object, stored: str) -> None:
    assert str(HotelFields.model_validate({**HOTEL, "pricePerNight": price}).pricePerNight) == (
        stored
    )


@pytest.mark.parametrize("value", [" 5", "5 ", "5.0", "+5", "5_0", "\u0665", "1e1", "9" * 5000])
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (HotelQuery, "minStars"),
        (HotelQuery, "rooms"),
        (HotelQuery, "limit"),
        (BookingQuery, "limit"),
        (UserQuery, "limit"),
    ],
)
def test_a_query_number_is_digits_only(model: type[BaseModel], field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({field: value})
    assert getattr(model.model_validate({field: "5"}), field) == 5
