"""The console in Debian's Chromium (Playwright): the list, then one execution, at desktop and
phone widths. Screenshots: test-artifacts/console-*.png."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devstack.run import LocalStack
from hotel_booking.models import BookingStatus, Decision
from tests.e2e.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE
from tests.fixtures.saga_driver import SagaDriver
from tests.support_console.conftest import COMPENSATED_PATH, Bookings


def in_chromium(viewport: dict[str, int], steps: Callable[[Any], None], name: str) -> None:
    """Run ``steps(page)`` in Chromium, on a thread of its own: the Playwright sync API cannot
    start on a thread where another suite's Playwright (tests/e2e/browser) is already running."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install -e '.[dev]')",
    )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
        )

    def work() -> None:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=viewport, locale="en-GB")
                context.set_default_timeout(15_000)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                try:
                    steps(page)
                except BaseException:
                    shot(page, f"failed-{name}")
                    raise
                assert errors == [], "uncaught errors in the console page"
            finally:
                browser.close()

    with ThreadPoolExecutor(1, thread_name_prefix="console-browser") as pool:
        pool.submit(work).result()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_list_then_execution(local_stack: LocalStack, bookings: Bookings) -> None:
    in_chromium(DESKTOP, lambda page: list_then_execution(page, local_stack, bookings), "desk")


def list_then_execution(page: Any, local_stack: LocalStack, bookings: Bookings) -> None:
    from playwright.sync_api import expect

    page.goto(f"{local_stack.web_url}/console/")
    expect(page.get_by_role("heading", name="Booking executions")).to_be_visible()
    row = page.locator("#executions tbody tr", has_text=bookings.compensated)
    expect(row).to_contain_text("FAILED")
    expect(page.locator("#executions tbody tr", has_text=bookings.confirmed)).to_contain_text(
        "SUCCEEDED"
    )
    shot(page, "list")

    # the search box narrows the rows without a round trip
    page.get_by_placeholder("Find a booking or hotel").fill(bookings.confirmed)
    expect(page.locator("#executions tbody tr:visible")).to_have_count(1)
    page.get_by_placeholder("Find a booking or hotel").fill("")

    # the status filter
    page.get_by_role("link", name="Succeeded", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=SUCCEEDED"))
    expect(page.locator("#executions tbody tr", has_text=bookings.compensated)).to_have_count(0)
    page.get_by_role("link", name="All", exact=True).click()

    page.get_by_role("link", name=bookings.compensated).click()
    expect(page).to_have_url(re.compile(rf"/console/executions/{bookings.compensated}$"))
    expect(page.locator("#status")).to_have_text("FAILED")
    expect(page.locator("#path li")).to_have_text(COMPENSATED_PATH)
    failed = page.locator('svg .state.failed[data-state="RecordPayment"]')
    expect(failed).to_be_visible()
    expect(page.locator("svg .state.visited")).to_have_count(len(COMPENSATED_PATH))
    expect(page.locator("aside.booking")).to_contain_text("PAYMENT_DECLINED")
    shot(page, "execution")

    # a state in the picture filters the history to its events; an event opens to its payload
    failed.click()
    expect(page.locator("#state-filter")).to_have_value("RecordPayment")
    visible = page.locator("#events .ev:not(.head):visible")
    expect(visible.first).to_contain_text("RecordPayment")
    assert visible.count() < page.locator("#events .ev:not(.head)").count()
    event = page.locator("details.ev", has_text="LambdaFunctionFailed")
    event.locator("summary").click()
    expect(event.locator(".payload")).to_contain_text("card declined by the issuer")
    shot(page, "execution-history")


def test_readable_at_phone_width(local_stack: LocalStack, bookings: Bookings) -> None:
    in_chromium(PHONE, lambda page: at_phone_width(page, local_stack, bookings), "phone")


def at_phone_width(page: Any, local_stack: LocalStack, bookings: Bookings) -> None:
    from playwright.sync_api import expect

    page.goto(f"{local_stack.web_url}/console/")
    expect(page.locator("#executions tbody tr", has_text=bookings.compensated)).to_be_visible()
    # no sideways scrolling of the page itself
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-list")
    page.goto(f"{local_stack.web_url}/console/executions/{bookings.compensated}")
    expect(page.locator("svg .state.failed")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-execution")


def test_a_running_execution_page_follows_the_saga(
    local_stack: LocalStack, driver: SagaDriver
) -> None:
    hotel = driver.hotel()
    request = driver.request(hotel)
    booking_id = request["bookingId"]
    driver.start(request)
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)

    def follow(page: Any) -> None:
        from playwright.sync_api import expect

        page.goto(f"{local_stack.web_url}/console/executions/{booking_id}")
        expect(page.locator("#status")).to_have_text("RUNNING")
        expect(page.locator('svg .state.current[data-state="NotifyManager"]')).to_be_visible()
        driver.decide(booking_id, Decision.APPROVE)  # the manager approves meanwhile
        expect(page.locator("#status")).to_have_text("SUCCEEDED", timeout=15_000)
        expect(page.locator('svg .state.end[data-state="BookingConfirmed"]')).to_be_visible()

    in_chromium(DESKTOP, follow, "running")
