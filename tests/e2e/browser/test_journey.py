"""The booking journey through the pages: admin adds a hotel, the guest finds and books it,
the manager decides, and the guest watches the booking's status change without reloading."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, future, save_page_shot, sign_in, unique


def booking_card(page: Any) -> Any:
    """The booking just made: bookings.html?new=ID highlights it."""
    return page.locator("article.booking.highlight")


def book_on_hotel_page(page: Any, token: str, days_ahead: int) -> None:
    page.get_by_label("Check-in").fill(future(days_ahead))
    page.get_by_label("Check-out").fill(future(days_ahead + 2))
    page.get_by_label("Payment").select_option(token)
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/bookings\.html\?new="))


def test_admin_adds_a_hotel_guest_books_it_manager_approves_guest_sees_it_confirmed(
    browsing: Browsing, picture_file: Path
) -> None:
    name = unique("Seaview Rooms")

    # The admin signs in and adds the hotel, picture and all.
    admin = browsing.new_page()
    admin.goto(browsing.url("login.html"))
    save_page_shot(admin, "login")
    sign_in(admin, browsing.url("login.html"), "admin@example.com", browsing.stack.password)
    expect(admin.get_by_test_id("user-name")).to_have_text("Ada Admin")
    admin.goto(browsing.url("addHotel.html"))
    admin.get_by_label("Name").fill(name)
    admin.get_by_label("Star rating").select_option("4")
    admin.get_by_label("City").fill("Galway")
    admin.get_by_label("Picture").set_input_files(picture_file)
    admin.get_by_label("Price per night").fill("110")
    admin.get_by_label("Rooms").fill("5")
    admin.get_by_label("Manager", exact=True).select_option("manager@example.com")
    expect(admin.locator("#picture-preview")).to_be_visible()
    save_page_shot(admin, "addHotel")
    admin.get_by_role("button", name="Add hotel").click()
    expect(admin.locator("#added")).to_contain_text(f"“{name}” was added")
    admin.goto(browsing.url("admin.html"))
    expect(admin.locator(".admin-list")).to_contain_text(name)
    save_page_shot(admin, "admin")

    # The guest finds it by city, with its picture, stars and price.
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url("index.html"))
    guest.get_by_label("City").fill("Galway")
    guest.get_by_role("button", name="Search").click()
    card = guest.locator(".hotel-card", has_text=name)
    expect(card).to_be_visible()
    expect(card.get_by_role("img", name="4 stars")).to_be_visible()
    expect(card).to_contain_text("Galway")
    expect(card).to_contain_text("€110.00")
    picture = card.get_by_role("img", name=f"Picture of {name}")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 320
    save_page_shot(guest, "index")

    # ... opens it and books two nights with the card that pays.
    card.get_by_role("link", name=name).click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(name)
    guest.get_by_label("Check-in").fill(future(30))
    guest.get_by_label("Check-out").fill(future(32))
    expect(guest.locator("#total")).to_contain_text("€220.00")
    save_page_shot(guest, "hotel")
    book_on_hotel_page(guest, "tok_visa", 30)
    booking = booking_card(guest)
    expect(booking).to_contain_text(name)
    status = booking.locator(".status")
    expect(status).to_have_attribute("data-status", "AWAITING_APPROVAL")
    expect(status).to_have_text("Awaiting hotel approval")
    expect(booking.locator('.progress [aria-current="step"]')).to_have_text("Hotel approval")
    guest.evaluate("window.stillTheSamePage = true")
    save_page_shot(guest, "bookings-awaiting-approval")

    # The manager approves it on the dashboard.
    manager = browsing.signed_in("manager@example.com")
    manager.goto(browsing.url("manager.html"))
    request = manager.locator("article.booking", has_text=name)
    expect(request).to_contain_text("Gus Guest")
    expect(request).to_contain_text("€220.00")
    save_page_shot(manager, "manager")
    request.get_by_role("button", name="Approve").click()
    expect(manager.locator("#announcer")).to_contain_text("Approved")
    expect(request).to_have_count(0)

    # The guest's page, never reloaded, shows the booking confirmed.
    expect(status).to_have_attribute("data-status", "CONFIRMED")
    expect(status).to_have_text("Confirmed")
    expect(guest.locator("#announcer")).to_contain_text("Confirmed")
    assert guest.evaluate("window.stillTheSamePage") is True
    save_page_shot(guest, "bookings-confirmed")


def test_a_declined_card_ends_failed_with_the_reason_on_screen(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    hotel = make_hotel(unique("Quayside Hotel"), "Cork")
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"hotel.html?id={hotel['hotelId']}"))
    book_on_hotel_page(guest, "tok_chargeDeclined", 20)
    booking = booking_card(guest)
    expect(booking.locator(".status")).to_have_attribute("data-status", "FAILED")
    expect(booking.locator(".status")).to_have_text("Failed")
    expect(booking.get_by_test_id("reason")).to_have_text(
        "The card was declined. You have not been charged."
    )
    save_page_shot(guest, "bookings-failed")


def test_a_rejection_shows_the_managers_reason_to_the_guest(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Harbour View"), "Dingle")
    booking_id = book(hotel, 25)["bookingId"]
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?new={booking_id}"))
    status = booking_card(guest).locator(".status")
    expect(status).to_have_attribute("data-status", "AWAITING_APPROVAL")

    manager = browsing.signed_in("manager@example.com")
    manager.goto(browsing.url("manager.html"))
    request = manager.locator(f"#booking-{booking_id}")
    request.get_by_label("Reason").fill("Closed for repairs that week")
    request.get_by_role("button", name="Reject").click()
    expect(manager.locator("#announcer")).to_contain_text("Rejected")

    expect(status).to_have_attribute("data-status", "REJECTED")
    expect(booking_card(guest).get_by_test_id("reason")).to_have_text(
        "The hotel declined the booking. The hotel said: “Closed for repairs that week.”"
        " Your payment has been refunded."
    )
