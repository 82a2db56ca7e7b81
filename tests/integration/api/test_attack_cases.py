"""The findings of the attack on ``make run`` (issue 21, section 2), each replayed against the
deployed functions: what a hostile client sent, and what it must get now (a clear 4xx, never a
5xx, and nothing it may not see)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN


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
