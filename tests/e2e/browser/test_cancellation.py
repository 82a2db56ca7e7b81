"""The guest cancels a confirmed booking on the bookings page: the policy is shown, nothing is
sent until they confirm, and the card follows the cancellation to its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, save_page_shot, unique


def approve(browsing: Browsing, booking_id: str) -> None:
    manager = browsing.signed_in("manager@example.com")
    manager.goto(browsing.url("manager.html"))
    manager.locator(f"#booking-{booking_id}").get_by_role("button", name="Approve").click()
    expect(manager.locator("#announcer")).to_contain_text("Approved")


def test_guest_cancels_a_confirmed_booking_after_seeing_the_refund(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Cliffside Inn"), "Kinsale")
    booking_id = book(hotel, 30)["bookingId"]
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?new={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_attribute("data-status", "AWAITING_APPROVAL")
    approve(browsing, booking_id)
    expect(card.locator(".status")).to_have_attribute("data-status", "CONFIRMED")

    # The policy and what cancelling now would refund are on the card
    guest.reload()
    card = guest.locator(f"#booking-{booking_id}")
    policy = card.get_by_test_id("cancel-policy")
    expect(policy).to_contain_text("Free cancellation until")
    expect(policy).to_contain_text("cancelling now refunds")

    # Cancel asks first; "Keep booking" sends nothing
    card.get_by_role("button", name="Cancel booking").click()
    expect(card.get_by_test_id("cancel-confirm")).to_contain_text("Cancel this booking?")
    expect(card.get_by_test_id("cancel-confirm")).to_contain_text("You will be refunded")
    card.get_by_role("button", name="Keep booking").click()
    expect(card.get_by_role("button", name="Cancel booking")).to_be_visible()
    expect(card.locator(".status")).to_have_attribute("data-status", "CONFIRMED")
    save_page_shot(guest, "bookings-cancel-policy")

    # Confirmed: the card follows the cancellation to CANCELLED without a reload
    card.get_by_role("button", name="Cancel booking").click()
    card.get_by_role("button", name="Yes, cancel it").click()
    status = guest.locator(f"#booking-{booking_id} .status")
    expect(status).to_have_attribute("data-status", "CANCELLED")
    expect(status).to_have_text("Cancelled")
    expect(guest.locator(f"#booking-{booking_id}").get_by_test_id("reason")).to_have_text(
        "You cancelled this booking. Your payment has been refunded."
    )
    expect(guest.locator(f"#booking-{booking_id}").get_by_test_id("cancel")).to_have_count(0)
    save_page_shot(guest, "bookings-cancelled")


def test_a_failed_booking_has_no_cancel_button(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
    local_stack: Any,
) -> None:
    hotel = make_hotel(unique("Pier House"), "Cobh")
    booking_id = book(hotel, 30, token="tok_chargeDeclined")["bookingId"]
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?new={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_attribute("data-status", "FAILED")
    expect(card.get_by_test_id("cancel")).to_have_count(0)
    # and the API says why, should anyone try
    resp = requests.post(
        f"{local_stack.api_url}/bookings/{booking_id}/cancel",
        headers={"Authorization": local_stack.login("guest@example.com")},
        timeout=30,
    )
    assert resp.status_code == 409
    assert resp.json()["message"] == f"booking {booking_id} is failed: there is nothing to cancel"


def test_after_the_free_period_the_page_says_nothing_is_refunded(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Lighthouse Rooms"), "Youghal")
    booking_id = book(hotel, 1)["bookingId"]  # check-in tomorrow: inside the 2-day window
    approve(browsing, booking_id)
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?new={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_attribute("data-status", "CONFIRMED")
    expect(card.get_by_test_id("cancel-policy")).to_contain_text(
        "The free cancellation period ended"
    )
    card.get_by_role("button", name="Cancel booking").click()
    expect(card.get_by_test_id("cancel-confirm")).to_contain_text("You will not be refunded.")
    card.get_by_role("button", name="Yes, cancel it").click()
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_attribute("data-status", "CANCELLED")
    expect(card.get_by_test_id("reason")).to_have_text(
        "You cancelled this booking. Under the cancellation policy it was not refunded."
    )
