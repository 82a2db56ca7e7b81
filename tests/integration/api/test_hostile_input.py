"""Nothing a client sends makes the API answer 5xx: every route, fed garbage, answers with the
CORS header and either ignores the garbage (a GET's body, unknown query parameters) or says
what is wrong in a JSON 4xx."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN, rest_event

ROUTES = [
    ("HotelsApiFunction", "GET", "/hotels"),
    ("HotelsApiFunction", "GET", "/hotels/ht_x"),
    ("HotelsApiFunction", "POST", "/hotels"),
    ("HotelsApiFunction", "PUT", "/hotels/ht_x"),
    ("HotelsApiFunction", "PUT", "/hotels/{hotel}"),
    ("HotelsApiFunction", "DELETE", "/hotels/ht_x"),
    ("HotelsApiFunction", "GET", "/hotels/ht_x/manager"),
    ("HotelsApiFunction", "GET", "/hotels/{hotel}/manager"),
    ("UsersApiFunction", "GET", "/users"),
    ("UsersApiFunction", "PUT", "/users/u_x/groups/HotelManager"),
    ("UsersApiFunction", "DELETE", "/users/u_x/groups/HotelManager"),
    ("UsersApiFunction", "PUT", "/users/u_x/groups/\u0000"),
    ("UsersApiFunction", "POST", "/users/u_x/disable"),
    ("UsersApiFunction", "POST", "/users/\ud800\u0000/enable"),
    ("BookingsApiFunction", "POST", "/bookings"),
    ("BookingsApiFunction", "GET", "/bookings"),
    ("BookingsApiFunction", "GET", "/bookings/bk_x"),
    ("BookingsApiFunction", "POST", "/bookings/bk_x/decision"),
]

# (body, headers, query) a careless or hostile client might send.
GARBAGE: list[tuple[Any, dict[str, str], dict[str, str]]] = [
    (os.urandom(512), {"Content-Type": "multipart/form-data; boundary=zz"}, {}),
    (os.urandom(512), {"Content-Type": "application/json"}, {}),
    ("{" * 5000, {"Content-Type": "application/json"}, {}),
    ('{"rooms": 1e999999999, "stars": 1e999999999}', {"Content-Type": "application/json"}, {}),
    ('{"name": "\\ud800", "guestName": "\\udfff"}', {"Content-Type": "application/json"}, {}),
    ('{"hotelId": {"nested": [1, 2]}, "decision": ["approve"]}', {}, {}),
    ("null", {"Content-Type": "application/json; charset=latin-1"}, {}),
    ("", {"Content-Type": "image/png"}, {}),
    (
        None,
        {"Idempotency-Key": "\x00\x01"},
        {"limit": "9" * 5000, "minStars": "1e9", "nextToken": "\x00", "status": "x" * 10_000},
    ),
    (None, {}, {"checkIn": "0000-00-00", "checkOut": "9999-99-99", "maxPrice": "NaN"}),
]


@pytest.fixture(scope="module")
def hotel_id(api: ApiClient) -> str:
    """A hotel that exists, so PUT gets as far as reading the body."""
    return str(api.create_hotel()["hotelId"])


@pytest.mark.parametrize(("function", "method", "path"), ROUTES)
def test_garbage_never_gets_a_5xx(api: ApiClient, function: str, method: str, path: str) -> None:
    for body, headers, query in GARBAGE:
        event = rest_event(method, path, body=body, headers=headers, query=query, claims=ADMIN)
        resp = api.invoke(function, event)
        assert resp.status < 500, (method, path, body, headers, query, resp)
        if resp.status >= 400:
            assert isinstance(resp.body["message"], str) and resp.body["message"]
        else:
            assert method == "GET", (method, path, body, headers, query, resp)
        assert resp.header("Access-Control-Allow-Origin") == "*"
