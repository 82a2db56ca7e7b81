"""The hotel's page says whether rooms are free for the chosen nights before the guest presses
Book: a sold-out stay is said and Book refused (with the reason read out), other nights show
what is left, and a hold the saga releases is offered again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests
from playwright.sync_api import expect

from devstack.run import LocalStack
from tests.e2e.browser.conftest import Browsing, future, save_page_shot, unique


def reject(local_stack: LocalStack, booking_id: str) -> None:
    resp = requests.post(
        f"{local_stack.api_url}/bookings/{booking_id}/decision",
        json={"decision": "reject", "reason": "no rooms after all"},
        headers={"Authorization": local_stack.login("manager@example.com")},
        timeout=10,
    )
    assert resp.status_code in (200, 202), resp.text


def test_a_sold_out_stay_is_said_and_book_refused_and_other_nights_show_rooms_left(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
    local_stack: LocalStack,
) -> None:
    # Given a one-room hotel whose room is held on days 40-42 by a booking awaiting approval
    hotel = make_hotel(unique("Single Room Inn"), "Dingle", rooms="1")
    held = book(hotel, 40)
    stay = {"id": hotel["hotelId"], "checkIn": future(40), "checkOut": future(42)}
    # When a guest opens its page for those nights (a link from search, a bookmark)
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"hotel.html?{urlencode(stay)}"))
    # Then the page says it is sold out, and Book is refused with that reason
    rooms = guest.locator("#availability")
    expect(rooms).to_contain_text("Sold out for")
    expect(rooms).to_contain_text("Try other dates.")
    book_button = guest.get_by_role("button", name="Book", exact=True)
    expect(book_button).to_be_disabled()
    expect(book_button).to_have_accessible_description(rooms.inner_text())
    expect(guest.get_by_label("Check-in")).to_have_value(future(40))
    expect(guest.get_by_text("1 room in the hotel")).to_be_visible()
    save_page_shot(guest, "hotel-sold-out")
    book_button.click(force=True)  # pressed anyway (a keyboard user hears the reason)
    expect(guest.locator("#book-summary")).to_contain_text("Sold out for")
    assert "bookings.html" not in guest.url
    # When the guest moves the stay to nights after the hold, the room left is shown
    guest.get_by_label("Check-in").fill(future(42))
    guest.get_by_label("Check-out").fill(future(44))
    expect(rooms).to_contain_text("1 room left for")
    expect(book_button).to_be_enabled()
    expect(guest.locator("#book-summary")).to_be_hidden()
    assert f"checkIn={future(42)}" in guest.url  # a reload or bookmark keeps the stay
    # When the guest goes back to the held nights and, while the page is open, the manager
    # rejects the booking that held the room
    guest.get_by_label("Check-in").fill(future(40))
    guest.get_by_label("Check-out").fill(future(42))
    expect(rooms).to_contain_text("Sold out for")
    reject(local_stack, held["bookingId"])
    # Then the page offers the room again by itself (it asks again while sold out)
    expect(rooms).to_contain_text("1 room left for")
    expect(book_button).to_be_enabled()


def test_a_visitor_sees_the_rooms_left_and_signs_in_with_the_stay_kept(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    hotel = make_hotel(unique("Harbour View"), "Kinsale")
    stay = {"id": hotel["hotelId"], "checkIn": future(30), "checkOut": future(33), "rooms": "2"}
    page = browsing.new_page()
    page.goto(browsing.url(f"hotel.html?{urlencode(stay)}"))
    expect(page.locator("#availability")).to_contain_text("3 rooms left for")
    expect(page.locator("#availability")).to_contain_text("(3 nights)")
    expect(page.get_by_label("Rooms")).to_have_value("2")
    sign_in = page.get_by_role("link", name="Sign in to book")
    expect(sign_in).to_have_attribute("href", re.compile(f"checkIn%3D{future(30)}"))
    expect(page.get_by_role("button", name="Book", exact=True)).to_have_count(0)
    # Dates the API refuses (beyond the stay horizon): said in words, naming the field
    page.get_by_label("Check-in").fill(future(900))
    page.get_by_label("Check-out").fill(future(902))
    expect(page.locator("#availability")).to_have_text(
        re.compile(
            r"^The rooms free could not be checked: Check-in must be at most \d+ days ahead\.$"
        )
    )
