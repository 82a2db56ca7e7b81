"""The local mailbox page: no meta refresh (it reloaded under screen readers); new mail is
announced by a status message and shown with a button; long links wrap on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, settle, unique

PHONE_390 = {"width": 390, "height": 844}
LONG_LINK = "http://localhost:3000/approvals/apr_" + "x" * 120 + "?decision=approve&sig=" + "y" * 60


def mail(browsing: Browsing, to: str, body: str) -> None:
    browsing.stack.mailbox.deliver(to, "A long link", body, "arn:aws:sns:test", {})


def test_new_mail_is_announced_and_shown_without_a_meta_refresh(browsing: Browsing) -> None:
    to = f"{unique('mailbox')}@example.com"
    mail(browsing, to, "first")
    page = browsing.new_page()
    page.goto(f"{browsing.stack.web_url}/mailbox/?to={to}")
    settle(page)
    assert page.locator("meta[http-equiv='refresh' i]").count() == 0
    expect(page.locator(".mail")).to_have_count(1)
    # When a message arrives, the page says so (a status message) and does not reload itself
    mail(browsing, to, "second")
    status = page.get_by_role("status")
    expect(status).to_have_text("1 new message")
    expect(page.locator(".mail")).to_have_count(1)
    # The button shows it
    page.get_by_role("button", name="Show new mail").click()
    expect(page.locator(".mail")).to_have_count(2)
    expect(page.get_by_role("status")).to_have_text("")


def right_edges(page: Any) -> list[float]:
    return list(
        page.eval_on_selector_all(
            "a, pre, nav", "els => els.map(e => e.getBoundingClientRect().right)"
        )
    )


def test_long_links_wrap_on_a_390_px_screen(browsing: Browsing) -> None:
    to = f"{unique('narrow')}@example.com"
    mail(browsing, to, f"Approve: {LONG_LINK}\nReject: {LONG_LINK.replace('approve', 'reject')}")
    page = browsing.new_page(PHONE_390)
    page.goto(f"{browsing.stack.web_url}/mailbox/?to={to}")
    settle(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert max(right_edges(page)) <= PHONE_390["width"]
    assert page.get_by_role("link", name=LONG_LINK).is_visible()
