"""A booking that takes time says what it waits for and until when, and can be cancelled
meanwhile: during a payment-provider outage (the saga retries) and while the hotel decides."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from devstack.run import LocalStack
from tests.e2e.browser.conftest import Browsing, save_page_shot, sign_in, unique
from tests.fixtures.circuit import reset_circuit


def set_outage(stack: LocalStack, value: str) -> None:
    assert stack.stack is not None
    stack.cloud.client("ssm").put_parameter(
        Name=stack.stack.outputs["PaymentOutageParameterName"], Value=value, Overwrite=True
    )


@pytest.fixture
def outage(local_stack: LocalStack) -> Iterator[None]:
    assert local_stack.stack is not None
    dynamodb = local_stack.cloud.client("dynamodb")
    table = local_stack.stack.ref("CircuitBreakerTable")
    reset_circuit(dynamodb, table)
    set_outage(local_stack, "on")
    yield
    set_outage(local_stack, "off")
    reset_circuit(dynamodb, table)


def test_during_a_payment_outage_the_guest_is_told_until_when_and_cancels(
    browsing: Browsing,
    outage: None,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Harbour Lights"), "Cobh")
    booking_id = book(hotel, 40)["bookingId"]
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?booking={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")

    waiting = card.get_by_test_id("waiting")
    expect(waiting).to_contain_text("Our payment provider is not answering")
    expect(waiting).to_contain_text("We keep trying until")
    expect(waiting).to_contain_text(" UTC")
    expect(card.get_by_test_id("cancel-policy")).to_have_text(
        "Nothing has been charged yet: cancelling now charges nothing."
    )
    save_page_shot(guest, "bookings-waiting-for-payment")

    card.get_by_role("button", name="Cancel booking").click()
    expect(card.get_by_test_id("cancel-confirm")).to_contain_text("Nothing has been charged")
    card.get_by_role("button", name="Yes, cancel it").click()

    # Being cancelled: said in words, no tracker, no second Cancel.
    expect(card.locator(".status")).to_have_text("Being cancelled")
    expect(card.get_by_test_id("waiting")).to_contain_text("is being cancelled")
    expect(card.locator(".progress")).to_have_count(0)
    expect(card.get_by_test_id("cancel")).to_have_count(0)
    assert not browsing.errors


def test_waiting_for_the_hotel_says_until_when(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Quay House"), "Clifden")
    booking_id = book(hotel, 45)["bookingId"]
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"bookings.html?booking={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_attribute("data-status", "AWAITING_APPROVAL")
    waiting = card.get_by_test_id("waiting")
    expect(waiting).to_contain_text("the hotel has been asked to accept your booking")
    expect(waiting).to_contain_text("at the latest")
    expect(card.get_by_role("button", name="Cancel booking")).to_be_visible()
    # No internal ids or exception names on the card; one date format.
    text = card.inner_text()
    assert hotel["hotelId"] not in text and "Error" not in text
    assert "2 nights · 1 room" in text


def test_a_confirmed_booking_being_cancelled_keeps_its_tracker_off(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    hotel = make_hotel(unique("Bridge End"), "Westport")
    booking_id = book(hotel, 50)["bookingId"]
    guest = browsing.signed_in("guest@example.com")

    # The API answers CANCELLING for this booking (as it does while the cancellation runs).
    def cancelling(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body.update(status="CANCELLING", cancellation=None)
        route.fulfill(response=response, body=json.dumps(body))

    guest.route(f"**/bookings/{booking_id}", cancelling)
    guest.goto(browsing.url(f"bookings.html?booking={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    expect(card.locator(".status")).to_have_text("Being cancelled")
    expect(card.locator(".progress")).to_have_count(0)
    expect(card.get_by_test_id("waiting")).to_contain_text("is being cancelled")


def test_a_refresh_keeps_the_open_cancel_step_and_its_focus(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    """The page asks for a booking under way every 1.5 s and rebuilds its card when it
    changed; the guest's open "Cancel this booking?" step and the focused "Yes, cancel it"
    stay (they vanished at the next poll: the click landed on nothing)."""
    hotel = make_hotel(unique("Steady Inn"), "Kinsale")
    booking_id = book(hotel, 41)["bookingId"]
    guest = browsing.new_page()
    polls: list[int] = []

    def changed_at_every_poll(route: Any) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        body = response.json()
        polls.append(1)
        body["updatedAt"] = f"2030-01-01T00:00:{len(polls) % 60:02d}Z"
        route.fulfill(response=response, json=body)

    guest.route(f"**/bookings/{booking_id}", changed_at_every_poll)
    sign_in(guest, browsing.url("login.html"), "guest@example.com", browsing.stack.password)
    guest.goto(browsing.url(f"bookings.html?booking={booking_id}"))
    card = guest.locator(f"#booking-{booking_id}")
    card.get_by_role("button", name="Cancel booking").click()
    yes = card.get_by_role("button", name="Yes, cancel it")
    expect(yes).to_be_focused()

    seen = len(polls)
    for _ in range(100):  # two more polls, each a change: the card is rebuilt twice
        if len(polls) >= seen + 2:
            break
        guest.wait_for_timeout(100)
    assert len(polls) >= seen + 2, "the page stopped asking for the booking"
    expect(card.get_by_test_id("cancel-confirm")).to_be_visible()
    expect(yes).to_be_focused()
