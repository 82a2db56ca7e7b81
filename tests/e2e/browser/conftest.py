"""Browser tests: the pages of hotel/ in Debian's Chromium, driven by Playwright, against the
local stack (`make run`'s LocalStack on free ports, from tests/conftest.py).

Chromium is the system one (/usr/bin/chromium; `make test` installs it); Playwright's own
browser downloads are never used. A failing test leaves a screenshot of every page it had
open in test-artifacts/; the happy runs save one picture of each page in test-artifacts/pages/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack.run import LocalStack, demo_picture, multipart

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
PAGE_SHOTS = ARTIFACTS / "pages"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
FINAL = {"CONFIRMED", "REJECTED", "EXPIRED", "FAILED", "CANCELLED"}
TIMEOUT_MS = 20_000  # the saga runs on local Step Functions: seconds at most
# Counts the page's fetches in flight, for settle(): the pages load their data with fetch.
COUNT_FETCHES = """(() => {
  let inFlight = 0;
  const fetch = window.fetch.bind(window);
  Object.defineProperty(window, "__fetchesInFlight", { get: () => inFlight });
  window.fetch = (...args) => {
    inFlight += 1;
    return fetch(...args).finally(() => { inFlight -= 1; });
  };
})()"""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Browsing:
    """The pages one test opened, each in its own browser context (its own sessionStorage)."""

    browser: Any
    stack: LocalStack
    pages: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def url(self, page: str) -> str:
        return f"{self.stack.web_url}/hotel/{page}"

    def new_page(self, viewport: dict[str, int] | None = None) -> Any:
        context = self.browser.new_context(viewport=viewport or DESKTOP, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(COUNT_FETCHES)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))
        page.on("framenavigated", lambda frame: self.log.append(f"navigated: {frame.url}"))
        page.on(
            "response",
            lambda r: (
                self.log.append(f"HTTP {r.status} {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )
        page.on(
            "requestfailed",
            lambda r: self.log.append(f"request failed: {r.method} {r.url} {r.failure}"),
        )
        self.pages.append(page)
        return page

    def _console(self, page: Any, msg: Any) -> None:
        self.log.append(f"console {msg.type}: {msg.text}")
        # The pages run under the site's Content-Security-Policy: a violation fails the test.
        if "Content Security Policy" in msg.text:
            self.errors.append(f"{page.url}: {msg.text}")

    def signed_in(self, email: str, viewport: dict[str, int] | None = None) -> Any:
        """A new page whose user signed in through login.html."""
        page = self.new_page(viewport)
        sign_in(page, self.url("login.html"), email, self.stack.password)
        return page


def sign_in(page: Any, login_url: str, email: str, password: str) -> None:
    page.goto(login_url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#login-submit").click()
    # Each role lands on its work: guests on their bookings, managers on approvals, admins on
    # the hotels.
    page.wait_for_url(re.compile(r"/hotel/(bookings|manager|admin)\.html$"))
    page.get_by_test_id("user-name").wait_for()


@pytest.fixture
def browsing(
    browser: Any, local_stack: LocalStack, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    session = Browsing(browser, local_stack)
    yield session
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, page in enumerate(session.pages):
            if not page.is_closed():
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"), full_page=True)
        (ARTIFACTS / f"{name}.log").write_text("\n".join([*session.errors, *session.log]) + "\n")
    for page in session.pages:
        page.context.close()
    if report is not None and report.passed:
        assert session.errors == [], "uncaught errors in the pages"


def settle(page: Any) -> None:
    """Wait until the page has loaded, none of its fetches is in flight and its eager
    pictures are in: what Playwright's "networkidle" waits for, without its fixed half second
    of quiet on every page. Lazy pictures below the fold never load until scrolled to."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => window.__fetchesInFlight === 0
            && [...document.images].every(i => i.complete || i.loading === "lazy")"""
    )


def save_page_shot(page: Any, name: str) -> None:
    """One picture of a page for people to look at (test-artifacts/pages/NAME.png)."""
    PAGE_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(PAGE_SHOTS / f"{name}.png"), full_page=True)


# ---------------------------------------------------------------- data through the API
def future(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:4].upper()}"


@pytest.fixture(scope="session")
def picture_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pictures") / "seaview.png"
    path.write_bytes(demo_picture((40, 120, 150)))
    return path


@pytest.fixture
def make_hotel(local_stack: LocalStack) -> Callable[..., dict[str, Any]]:
    """Create a hotel as the admin, through the API (multipart with a picture)."""

    def create(name: str, city: str, **fields: str) -> dict[str, Any]:
        values = {
            "name": name,
            "city": city,
            "stars": "3",
            "pricePerNight": "95.00",
            "rooms": "3",
            "managerEmail": "manager@example.com",
            **fields,
        }
        body, content_type = multipart(
            values, [("picture", "hotel.png", "image/png", demo_picture((120, 90, 60)))]
        )
        resp = requests.post(
            f"{local_stack.api_url}/hotels",
            data=body,
            headers={
                "Authorization": local_stack.login("admin@example.com"),
                "Content-Type": content_type,
            },
            timeout=30,
        )
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    return create


@pytest.fixture
def book(local_stack: LocalStack) -> Iterator[Callable[..., dict[str, Any]]]:
    """Book a stay as the guest, through the API. Bookings still waiting for the manager at
    the end are rejected, so no saga of this test runs on into the next ones."""
    api = local_stack.api_url
    made: list[str] = []

    def create(hotel: dict[str, Any], days_ahead: int, token: str = "tok_visa") -> dict[str, Any]:
        resp = requests.post(
            f"{api}/bookings",
            json={
                "hotelId": hotel["hotelId"],
                "checkIn": future(days_ahead),
                "checkOut": future(days_ahead + 2),
                "rooms": 1,
                "guestName": "Gus Guest",
                "paymentToken": token,
            },
            headers={"Authorization": local_stack.login("guest@example.com")},
            timeout=30,
        )
        assert resp.status_code == 202, resp.text
        made.append(resp.json()["bookingId"])
        return dict(resp.json())

    yield create

    guest = {"Authorization": local_stack.login("guest@example.com")}
    manager = {"Authorization": local_stack.login("manager@example.com")}
    for booking_id in made:
        for _ in range(200):
            status = requests.get(f"{api}/bookings/{booking_id}", headers=guest, timeout=10).json()[
                "status"
            ]
            if status == "AWAITING_APPROVAL" or status in FINAL:
                break
            time.sleep(0.05)
        if status == "AWAITING_APPROVAL":
            requests.post(
                f"{api}/bookings/{booking_id}/decision",
                json={"decision": "reject", "reason": "test over"},
                headers=manager,
                timeout=10,
            )
