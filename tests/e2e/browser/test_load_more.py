"""An Admin's list in pages (issue 23): "Show more hotels" appends the next page, no hotel
twice, and goes away after the last page."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, settle, unique


def every_hotel(browsing: Browsing) -> list[str]:
    """GET /admin/hotels page after page, as the Admin's API client would read it."""
    headers = {"Authorization": browsing.stack.login("admin@example.com")}
    ids: list[str] = []
    token = None
    while True:
        resp = requests.get(
            f"{browsing.stack.api_url}/admin/hotels",
            params={"limit": "100"} | ({"nextToken": token} if token else {}),
            headers=headers,
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        ids += [h["hotelId"] for h in resp.json()["items"]]
        token = resp.json().get("nextToken")
        if token is None:
            return ids


def with_limit(url: str, limit: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {"limit": str(limit)}
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_show_more_appends_the_next_page_until_the_last(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    # Given at least three hotels, read by the page in pages of a third of them or less (the
    # page asks for 50 a page; the test makes its pages small instead of making 51 hotels)
    for _ in range(max(0, 3 - len(every_hotel(browsing)))):  # the demo has three
        make_hotel(unique("Paged Inn"), "Cork")
    hotels = every_hotel(browsing)
    limit = len(hotels) // 3  # three pages or more
    admin = browsing.signed_in("admin@example.com")
    admin.route(
        "**/admin/hotels*", lambda route: route.continue_(url=with_limit(route.request.url, limit))
    )
    admin.goto(browsing.url("admin.html"))
    rows = admin.locator("#hotel-rows > li[data-hotel-id]")
    more = admin.get_by_role("button", name="Show more hotels")

    # Then the first page shows `limit` hotels and offers more
    expect(rows).to_have_count(limit)
    expect(more).to_be_visible()
    first = rows.evaluate_all("rows => rows.map(r => r.dataset.hotelId)")

    # When the Admin clicks "Show more" until it goes away
    clicks = 0
    while more.is_visible() and clicks < 10:
        with admin.expect_response(lambda r: "/admin/hotels" in r.url):
            more.click()
        settle(admin)
        clicks += 1

    # Then every hotel is shown once, the first page's first, and the button is gone
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.hotelId)")
    assert ids[: len(first)] == first
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(hotels)
    pages = math.ceil(len(hotels) / limit)  # (AWS may answer one more, empty, after a full page)
    assert pages - 1 <= clicks <= pages and clicks >= 2, (hotels, limit, clicks)
    expect(more).to_be_hidden()
