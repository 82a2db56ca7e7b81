"""The findings of the attack on ``make run`` (issue 21, section 2), each replayed against the
deployed functions: what a hostile client sent, and what it must get now (a clear 4xx, never a
5xx, and nothing it may not see)."""

from __future__ import annotations

import base64
import json

import pytest

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
