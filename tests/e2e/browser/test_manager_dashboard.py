"""The manager's dashboard: each request's deadline, the note that reaches the guest on
Approve, upcoming arrivals and recent decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, save_page_shot, sign_in, unique


def test_approve_with_a_note_and_see_arrivals_and_decisions(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Dashboard Arms"), "Ennis")
    booking_id = book(hotel, 80)["bookingId"]
    manager = browsing.signed_in("manager@example.com")  # lands on the approvals
    expect(manager.get_by_role("heading", level=1)).to_have_text("Bookings awaiting approval")
    card = manager.locator(f"#booking-{booking_id}")
    expect(card.get_by_test_id("deadline")).to_contain_text("Answer by")
    expect(card.get_by_test_id("deadline")).to_contain_text(" UTC")

    card.get_by_label("Note or reason for the guest (optional)").fill("Parking is free")
    card.get_by_role("button", name="Approve").click()
    expect(manager.locator("#announcer")).to_contain_text("Approved")

    arrival = manager.locator(f"#arrivals tr[data-booking-id='{booking_id}']")
    expect(arrival).to_contain_text("Gus Guest", timeout=40_000)  # the saga confirms it
    expect(arrival).to_contain_text("2 nights, 1 room")
    decision = manager.locator(f"#decisions li[data-booking-id='{booking_id}']")
    expect(decision).to_contain_text("Approved")
    expect(decision).to_contain_text("“Parking is free.”")
    save_page_shot(manager, "manager-dashboard")

    # The note reaches the guest on Approve.
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?booking={booking_id}"))
    note = guest.locator(f"#booking-{booking_id}").get_by_test_id("manager-note")
    expect(note).to_have_text("The hotel says: Parking is free.")


def test_a_short_first_page_still_shows_what_waits_on_the_next(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    """GET /bookings reads a bounded number of items per request, so a status-filtered page
    may come back empty with a nextToken (older bookings, an Admin's whole-site list): the
    dashboard reads on instead of saying nothing waits."""
    hotel = make_hotel(unique("Paged Arms"), "Tralee")
    booking_id = book(hotel, 81)["bookingId"]
    manager = browsing.new_page()
    short: list[str] = []

    def first_page_short(route: Any) -> None:
        url = route.request.url
        if "status=AWAITING_APPROVAL" in url and "nextToken" not in url:
            short.append(url)
            route.fulfill(json={"items": [], "nextToken": "read-on"})
        elif "nextToken=read-on" in url:
            route.continue_(
                url=url.replace("&nextToken=read-on", "").replace("nextToken=read-on&", "")
            )
        else:
            route.continue_()

    manager.route("**/bookings?*", first_page_short)
    sign_in(manager, browsing.url("login.html"), "manager@example.com", browsing.stack.password)
    expect(manager.locator(f"#booking-{booking_id}")).to_be_visible()
    assert short, "the dashboard never asked for the waiting bookings"
    expect(manager.locator("#pending .empty")).to_have_count(0)
