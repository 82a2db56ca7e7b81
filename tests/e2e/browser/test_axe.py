"""Every page state under hotel/ (and the approval pages behind the managers' email links) at
0 axe-core violations, desktop and phone: visitors, a guest, a manager and an admin."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser import axe
from tests.e2e.browser.conftest import (
    DESKTOP,
    PHONE,
    Browsing,
    future,
    settle,
    sign_in,
    unique,
)


class Audit:
    """Pages opened in contexts that carry axe; each state audited once, named."""

    def __init__(self, browsing: Browsing, viewport: dict[str, int]) -> None:
        self.browsing = browsing
        self.viewport = viewport
        self.found: dict[str, list[str]] = {}
        self.states: list[str] = []

    def page(self, email: str | None = None) -> Any:
        page = self.browsing.new_page(self.viewport)
        page.context.add_init_script(axe.source())
        if email:
            sign_in(page, self.browsing.url("login.html"), email, self.browsing.stack.password)
        return page

    def check(self, page: Any, state: str) -> None:
        # Every page has its h1 once its module has run (settle() alone can come before the
        # module's first fetch starts).
        page.locator("h1").first.wait_for()
        settle(page)
        self.states.append(state)
        problems = axe.violations(page)
        if problems:
            self.found[state] = problems

    def assert_clean(self) -> None:
        assert self.found == {}, "\n".join(
            f"{state}:\n  " + "\n  ".join(lines) for state, lines in self.found.items()
        )


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def audit(browsing: Browsing, request: pytest.FixtureRequest) -> Audit:
    return Audit(browsing, request.param)


def test_visitor_pages(audit: Audit, make_hotel: Callable[..., dict[str, Any]]) -> None:
    hotel = make_hotel(unique("Axe Lodge"), "Galway")
    page = audit.page()
    page.goto(audit.browsing.url("index.html"))
    audit.check(page, "index")
    page.get_by_label("City").fill("Galway")
    page.get_by_role("button", name="Search").click()
    audit.check(page, "index: searched")
    page.goto(audit.browsing.url(f"hotel.html?id={hotel['hotelId']}"))
    expect(page.locator("#availability")).to_contain_text("rooms left")
    audit.check(page, "hotel: visitor, rooms left")
    for target in ("login.html", "signup.html", "forgot.html", "confirm.html?email=a%40b.example"):
        page.goto(audit.browsing.url(target))
        audit.check(page, target)
    page.goto(audit.browsing.url("login.html"))
    page.locator("#login-submit").click()
    audit.check(page, "login: errors")
    page.goto(audit.browsing.url("forgot.html"))
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#reset-sent")).to_be_visible()
    audit.check(page, "forgot: code sent")
    page.goto(audit.browsing.url("signup.html"))
    page.get_by_role("button", name=re.compile("Create")).click()
    audit.check(page, "signup: errors")
    audit.assert_clean()


def test_guest_pages(
    audit: Audit,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Axe Inn"), "Sligo", rooms="1")
    waiting = book(hotel, 60)["bookingId"]
    book(hotel, 62, token="tok_chargeDeclined")
    page = audit.page("guest@example.com")
    page.goto(audit.browsing.url(f"hotel.html?id={hotel['hotelId']}"))
    expect(page.locator("#availability")).to_contain_text("1 room left")
    audit.check(page, "hotel: booking form, a room left")
    stay = f"checkIn={future(60)}&checkOut={future(62)}"
    page.goto(audit.browsing.url(f"hotel.html?id={hotel['hotelId']}&{stay}"))
    expect(page.locator("#availability")).to_contain_text("Sold out")
    audit.check(page, "hotel: sold out, Book refused")
    page.get_by_role("button", name="Book", exact=True).click(force=True)
    audit.check(page, "hotel: Book pressed while sold out")
    page.goto(audit.browsing.url(f"bookings.html?booking={waiting}"))
    card = page.locator(f"#booking-{waiting}")
    expect(card.get_by_test_id("waiting")).to_be_visible()
    audit.check(page, "bookings: waiting, failed")
    card.get_by_role("button", name="Cancel booking").click()
    audit.check(page, "bookings: cancel asked")
    page.goto(audit.browsing.url("manager.html"))
    expect(page.get_by_role("heading", name="Not available to you")).to_be_visible()
    audit.check(page, "manager: not for guests")
    audit.assert_clean()


def test_manager_and_admin_pages(
    audit: Audit,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Axe House"), "Cork")
    book(hotel, 70)
    manager = audit.page("manager@example.com")
    manager.goto(audit.browsing.url("manager.html"))
    expect(manager.locator("article.booking").first).to_be_visible()
    audit.check(manager, "manager: pending")

    admin = audit.page("admin@example.com")
    for target in ("admin.html", "addHotel.html", "users.html"):
        admin.goto(audit.browsing.url(target))
        audit.check(admin, target)
    admin.get_by_role("button", name="Disable Gus Guest").click()
    expect(admin.get_by_role("dialog", name="Disable Gus Guest?")).to_be_visible()
    audit.check(admin, "users: disable dialog")
    admin.get_by_role("button", name="Keep enabled").click()
    admin.goto(audit.browsing.url("addHotel.html"))
    admin.get_by_role("button", name=re.compile("Add")).last.click()
    audit.check(admin, "addHotel: errors")
    admin.goto(audit.browsing.url("admin.html"))
    admin.get_by_role("button", name=f"Delete {hotel['name']}").click()
    expect(admin.get_by_role("dialog")).to_be_visible()
    audit.check(admin, "admin: delete dialog")
    admin.keyboard.press("Escape")
    admin.get_by_role("button", name=f"Edit {hotel['name']}").click()
    audit.check(admin, "admin: edit form")
    audit.assert_clean()


def test_approval_pages(audit: Audit, make_hotel: Callable[..., dict[str, Any]]) -> None:
    """The pages behind the email links, served by the API (not under hotel/)."""
    stack = audit.browsing.stack
    page = audit.page()
    page.goto(f"{stack.api_url}/approvals/apr_nothing?decision=approve&expires=1&sig=x")
    audit.check(page, "approval: link not valid")
    assert requests.get(page.url, timeout=10).status_code == 403
    audit.assert_clean()
