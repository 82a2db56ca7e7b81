"""The attack on ``make run`` (issue 21, section 2) replayed over real HTTP against the local
stack: the gateways, the search service's breaker, Cognito and the log, as a hostile client
meets them."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import pytest
import requests

from devstack.run import LocalStack

HOTEL: dict[str, Any] = {
    "name": "Attack Inn",
    "city": "Utrecht",
    "stars": 3,
    "pricePerNight": "70.00",
    "rooms": 2,
    "managerEmail": "attack.manager@example.com",
}


@pytest.fixture(scope="module")
def hotel(local_stack: LocalStack) -> dict[str, Any]:
    token = local_stack.login("admin@example.com")
    local_stack.create_user(HOTEL["managerEmail"], "Attack Manager", "HotelManager")
    resp = requests.post(
        f"{local_stack.api_url}/hotels", json=HOTEL, headers={"Authorization": token}, timeout=30
    )
    assert resp.status_code == 201, resp.text
    local_stack.cloud.events.wait_quiet()  # search reads the projection
    return dict(resp.json())


def page_token(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_page_tokens_that_are_no_number_never_open_the_search_breaker(
    local_stack: LocalStack, hotel: dict[str, Any]
) -> None:
    # The attack: six of these opened the breaker on both tasks; every search then got 503.
    for price in ["NaN", "sNaN", "Infinity", "-Infinity", "NaN", "NaN", "NaN", "NaN"]:
        token = page_token({"s": "price", "k": [price, "a", "b"]})
        query = {"sort": "price", "nextToken": token}
        got = requests.get(local_stack.search_url, params=query, timeout=10)
        assert got.status_code == 400, got.text
        assert [e["field"] for e in got.json()["errors"]] == ["nextToken"]
        on_api = requests.get(f"{local_stack.api_url}/hotels", params=query, timeout=10)
        assert (on_api.status_code, on_api.json()) == (400, got.json())
    found = requests.get(local_stack.search_url, params={"city": "utrecht"}, timeout=10)
    assert found.status_code == 200, found.text
    assert [h["hotelId"] for h in found.json()["items"]] == [hotel["hotelId"]]
    assert local_stack.search is not None
    for task in local_stack.search.tasks:
        if not task.exited.is_set():
            health = requests.get(f"http://127.0.0.1:{task.port}/health", timeout=10).json()
            assert health["breaker"] == "closed"


# -- the gateways: what no HTTP client library sends, answered as API Gateway does ----------
def raw_http(url: str, request: bytes) -> tuple[int, bytes]:
    """Send these bytes as they are; the status and body of the answer."""
    host, _, port = url.split("//", 1)[1].split("/", 1)[0].partition(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab", b"-1\r\nabc\r\n0\r\n\r\n", b"3\r\nabcdef0\r\n\r\n"],
    ids=["not-hex", "cut-short", "negative", "overlong"],
)
def test_a_malformed_chunked_body_is_a_400_on_the_api(
    local_stack: LocalStack, chunks: bytes
) -> None:
    status, body = raw_http(
        local_stack.api_url,
        b"POST /bookings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n\r\n" + chunks,
    )
    assert status == 400, body
    assert json.loads(body) == {"message": "Bad Request"}


@pytest.mark.parametrize("target", [b"/search?city=\xff", b"/search?city=caf\xe9&name=\xc3("])
def test_a_query_that_is_not_utf8_is_a_400_on_the_search_api(
    local_stack: LocalStack, target: bytes
) -> None:
    status, body = raw_http(
        local_stack.search_url,
        b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert status == 400, body
    assert json.loads(body) == {"message": "Bad Request"}


def test_a_query_in_raw_utf8_reaches_the_search_as_its_text(
    local_stack: LocalStack, hotel: dict[str, Any]
) -> None:
    # "Utrécht" sent as raw UTF-8 bytes, not percent-encoded: the same answer as encoded.
    status, body = raw_http(
        local_stack.search_url,
        b"GET /search?city=utr\xc3\xa9cht HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert status == 200, body
    assert [h["hotelId"] for h in json.loads(body)["items"]] == [hotel["hotelId"]]
