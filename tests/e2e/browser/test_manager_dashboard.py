"""The manager's dashboard: each request's deadline, the note that reaches the guest on
Approve, upcoming arrivals and recent decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, save_page_shot, unique


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
