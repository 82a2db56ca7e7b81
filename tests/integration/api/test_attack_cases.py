"""The findings of the attack on ``make run`` (issue 21, section 2), each replayed against the
deployed functions: what a hostile client sent, and what it must get now (a clear 4xx, never a
5xx, and nothing it may not see)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import pytest

from hotel_booking.models import BookingStatus
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN, guest


def page_token(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def cheap_hotel(api: ApiClient) -> dict[str, object]:
    """A hotel search finds, so a page token is compared with something."""
    return api.create_hotel(pricePerNight="10.00")


@pytest.mark.parametrize("price", ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf"])
@pytest.mark.parametrize("who", [None, ADMIN])
def test_a_page_token_with_a_price_that_is_no_number_is_a_bad_token(
    api: ApiClient, cheap_hotel: dict[str, object], price: str, who: dict[str, str] | None
) -> None:
    token = page_token({"s": "price", "k": [price, "a", "b"]})
    resp = api.hotels("GET", "/hotels", query={"sort": "price", "nextToken": token}, claims=who)
    assert resp.status == 400, resp.body
    assert "nextToken" in resp.field_errors


# -- POST/PUT /hotels: who may send a body is checked before the body is read ----------------
PART = b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n\r\n'
MANY_PARTS = b"".join(PART % i for i in range(20_000)) + b"--b--\r\n"
FORM = {"Content-Type": "multipart/form-data; boundary=b"}
NOT_A_FORM = {"Content-Type": "multipart/form-data"}  # no boundary: unreadable


@pytest.mark.parametrize(("method", "path"), [("POST", "/hotels"), ("PUT", "/hotels/ht_x")])
@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), (guest("attacker"), 403)], ids=["anonymous", "guest"]
)
@pytest.mark.parametrize(
    ("body", "headers"), [(MANY_PARTS, FORM), (b"\xff" * 64, NOT_A_FORM)], ids=["many", "bad"]
)
def test_only_an_admin_gets_a_hotel_form_read(
    api: ApiClient,
    method: str,
    path: str,
    who: dict[str, str] | None,
    status: int,
    body: bytes,
    headers: dict[str, str],
) -> None:
    resp = api.hotels(method, path, body=body, headers=headers, claims=who)
    assert resp.status == status, resp.body
    assert "errors" not in resp.body  # nothing was said about the body


@pytest.mark.parametrize(("method", "path"), [("POST", "/hotels"), ("PUT", "/hotels/{id}")])
def test_an_admin_form_of_thousands_of_parts_is_refused_before_it_is_parsed(
    api: ApiClient, cheap_hotel: dict[str, object], method: str, path: str
) -> None:
    path = path.format(id=cheap_hotel["hotelId"])
    resp = api.hotels(method, path, body=MANY_PARTS, headers=FORM, claims=ADMIN)
    assert resp.status == 400, resp.body
    assert resp.field_errors == {"body": "has more than 16 parts"}


# -- what guests and managers are shown ------------------------------------------------------
SECRET_TOKEN = "tok_live_4242424242secret"
EXCEPTION_NAMES = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)\b")


def shown(resp: Any) -> str:
    assert resp.status == 200, resp.body
    return json.dumps(resp.body)


def assert_nothing_internal(text: str, account: str) -> None:
    assert SECRET_TOKEN not in text
    assert "arn:aws" not in text
    assert account not in text
    assert "console.aws.amazon.com" not in text
    assert not EXCEPTION_NAMES.search(text), EXCEPTION_NAMES.search(text)


@pytest.mark.parametrize(
    ("token", "reason"),
    [(SECRET_TOKEN, "PAYMENT_DECLINED"), ("tok_processingError", "PAYMENT_ERROR")],
)
def test_a_guest_and_a_manager_see_no_token_arn_account_or_exception_name(
    api: ApiClient, token: str, reason: str
) -> None:
    hotel = api.create_hotel()
    who = guest(f"g{uuid.uuid4().hex[:8]}")
    booking_id = api.book(hotel, who, paymentToken=token)["bookingId"]
    api.saga.wait_status(booking_id, BookingStatus.FAILED, timeout=60)
    arn = api.saga.execution_arn(booking_id)
    account = arn.split(":")[4]

    manager = api.manager(hotel["managerEmail"])
    for caller in (who, manager):
        one = api.bookings("GET", f"/bookings/{booking_id}", claims=caller)
        assert one.body["reason"] == reason
        assert_nothing_internal(shown(one), account)
        assert_nothing_internal(shown(api.bookings("GET", "/bookings", claims=caller)), account)
    staff = api.bookings("GET", f"/bookings/{booking_id}", claims=ADMIN).body
    assert (staff["executionArn"], staff["reason"]) == (arn, reason)
    assert staff["reasonDetail"]  # the technical detail, for support

    # Nowhere a person reads it: the stored record, the messages, the failures in the history.
    assert SECRET_TOKEN not in api.saga.booking(booking_id).model_dump_json()
    mail = api.saga.guest_emails(booking_id) + api.manager_messages(hotel, booking_id)
    assert SECRET_TOKEN not in json.dumps(mail, default=str)
    failures = [
        e for e in api.saga.history(booking_id) if any(k.endswith("FailedEventDetails") for k in e)
    ]
    assert failures and SECRET_TOKEN not in json.dumps(failures, default=str)
