"""Nothing a client sends makes the API answer 5xx: every route, fed garbage, answers with the
CORS header and either ignores the garbage (a GET's body, unknown query parameters) or says
what is wrong in a JSON 4xx. The approval pages (HTML, no sign-in) answer an HTML 4xx.

Byte sequences that are not UTF-8 reach a function in every form API Gateway can hand them
over: a base64 body (binary media types, or anything not text locally), a text body with
replacement characters or (JSON can escape them) lone surrogates, and query strings and paths
holding either, or the percent-encoded bytes left as they were."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest

from localaws.cloud import LocalCloud
from tests.conftest import TEMPLATE
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
APPROVAL_ROUTES = [
    ("ApprovalsFunction", "GET", "/approvals/ap_x"),
    ("ApprovalsFunction", "POST", "/approvals/ap_x"),
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
def api(cloud: LocalCloud) -> ApiClient:
    """A stack of this module's own. It sends ~600 requests per route as an Admin, and the
    Admin's lists (GET /hotels, GET /bookings) read their whole tables: on the shared stack,
    this module's time depended on what the tests run before it had left there (15-30 s for
    one route after the 201-hotel test, against 1-2 s on an empty stack)."""
    stack = cloud.deploy(TEMPLATE, stack_name="api-hostile", parameters={"AllowedOrigin": "*"})
    return ApiClient(cloud, stack)


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


@pytest.mark.parametrize(("function", "method", "path"), APPROVAL_ROUTES)
def test_the_approval_pages_never_get_a_5xx(
    api: ApiClient, function: str, method: str, path: str
) -> None:
    for body, headers, query in GARBAGE:
        event = rest_event(method, path, body=body, headers=headers, query=query)
        assert_page(api.invoke_raw(function, event), (method, path, body, headers, query))


# -- bytes that are not UTF-8 --------------------------------------------------------------
_rng = random.Random(9)  # bounded and the same on every run
NOT_UTF8: list[bytes] = [
    b"\xff",
    b"decision=approve&sig=\xff\xfe",
    b"\xc3\x28",  # a lead byte without its continuation
    b"\xc0\xaf",  # an overlong "/"
    b"\xed\xa0\x80",  # a surrogate, UTF-8 encoded
    b"\xf5\x80\x80\x80",  # past U+10FFFF
    b"\xe2\x82",  # cut short
    b"\x00\x01\x7f\x80\x9f",
    *(bytes(_rng.randrange(256) for _ in range(_rng.randrange(1, 48))) for _ in range(2)),
]
FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = [FORM, "application/json", "multipart/form-data; boundary=zz", "text/plain"]


def as_texts(raw: bytes) -> list[str]:
    """What a function may find where API Gateway put these bytes into text."""
    return [
        raw.decode("utf-8", "replace"),
        raw.decode("utf-8", "surrogateescape"),  # lone surrogates, as JSON escapes them
        raw.decode("latin-1"),
        "".join(f"%{b:02X}" for b in raw),  # percent-encoded, left undecoded
    ]


def hostile_events(method: str, path: str, raw: bytes) -> list[dict[str, Any]]:
    events = []
    for content_type in CONTENT_TYPES:
        headers = {"Content-Type": content_type}
        events.append(rest_event(method, path, body=raw, headers=headers, claims=ADMIN))
        if content_type.startswith(("application/x-www-form-urlencoded", "application/json")):
            for text in as_texts(raw):
                events.append(rest_event(method, path, body=text, headers=headers, claims=ADMIN))
    for text in as_texts(raw):
        form = f"decision=approve&expires=99999999999&sig={text}"
        events.append(rest_event(method, path, body=form, headers={"Content-Type": FORM}))
        query = {"decision": text, "expires": text, "sig": text, text: "1", "limit": text}
        events.append(rest_event(method, path, query=query, claims=ADMIN))
        link = {"decision": "approve", "expires": "99999999999", "sig": text}
        events.append(rest_event(method, path, query=link))
        event = rest_event(method, path, query=link, claims=ADMIN)
        parameters = event["pathParameters"] or {}
        for name in parameters:
            parameters[name] = text
        event["path"] = path.rsplit("/", 1)[0] + "/" + text if parameters else path + text
        events.append(event)
    return events


@pytest.mark.parametrize(("function", "method", "path"), ROUTES + APPROVAL_ROUTES)
def test_bytes_that_are_not_utf8_get_a_4xx_anywhere_in_the_request(
    api: ApiClient, function: str, method: str, path: str
) -> None:
    for raw in NOT_UTF8:
        for event in hostile_events(method, path, raw):
            seen = (method, path, raw, event["body"], event["queryStringParameters"])
            resp = api.invoke_raw(function, event)
            if function == "ApprovalsFunction":
                assert_page(resp, seen)
                continue
            assert resp.status < 500, (seen, resp)
            assert resp.header("Access-Control-Allow-Origin") == "*", seen
            if resp.status >= 400:
                assert '"message"' in resp.body, (seen, resp)
            else:
                assert method == "GET", (seen, resp)


def assert_page(resp: Any, seen: object) -> None:
    """An approval page: a 4xx (or a GET that shows a page) in HTML, never a 5xx."""
    assert resp.status < 500, (seen, resp)
    assert (resp.header("Content-Type") or "").startswith("text/html"), (seen, resp)
    assert "<html" in resp.body, (seen, resp)
    assert resp.status >= 400 or (resp.status == 200 and "<form" not in resp.body), (seen, resp)
