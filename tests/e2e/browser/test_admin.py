"""The admin's hotel list: edit (PUT JSON) and delete (refused while bookings are live)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, future, unique
from tests.fixtures.mail import confirm_subscription


def test_admin_edits_a_hotel(browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]) -> None:
    hotel = make_hotel(unique("Old Mill"), "Kilkenny")
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("admin.html"))
    admin.get_by_role("button", name=f"Edit {hotel['name']}").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_label("Name")).to_have_value(hotel["name"])
    # Who manages it comes from GET /hotels/{id}/manager (issue 9 item 12): pre-selected.
    expect(dialog.get_by_label("Manager", exact=True)).to_have_value("manager@example.com")
    dialog.get_by_label("Price per night").fill("0")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.locator("#edit-pricePerNight-error")).to_have_text(
        "The price per night must be more than 0."
    )
    dialog.get_by_label("Price per night").fill("132.50")
    dialog.get_by_label("Star rating").select_option("5")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(admin.locator("#announcer")).to_contain_text(f"Saved the changes to {hotel['name']}")
    row = admin.locator(f"#hotel-{hotel['hotelId']}")
    expect(row).to_contain_text("€132.50")
    expect(row.get_by_role("img", name="5 stars")).to_be_visible()

    saved = requests.get(f"{browsing.stack.api_url}/hotels/{hotel['hotelId']}", timeout=10).json()
    assert (saved["pricePerNight"], saved["stars"]) == ("132.50", 5)
    admin_view = requests.put(
        f"{browsing.stack.api_url}/hotels/{hotel['hotelId']}",
        json={},
        headers={"Authorization": browsing.stack.login("admin@example.com")},
        timeout=10,
    ).json()
    assert admin_view["managerEmail"] == "manager@example.com"  # kept


def test_admin_deletes_a_hotel_but_not_one_with_live_bookings(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    idle = make_hotel(unique("Empty Rooms"), "Athlone")
    busy = make_hotel(unique("Busy Rooms"), "Athlone")
    book(busy, 15)
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("admin.html"))

    admin.get_by_role("button", name=f"Delete {busy['name']}").click()
    dialog = admin.get_by_role("dialog", name=f"Delete {busy['name']}?")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog.locator("#delete-error")).to_contain_text(f"{busy['name']} cannot be deleted")
    dialog.get_by_role("button", name="Keep it").click()
    expect(admin.locator(f"#hotel-{busy['hotelId']}")).to_be_visible()

    admin.get_by_role("button", name=f"Delete {idle['name']}").click()
    admin.get_by_role("dialog", name=f"Delete {idle['name']}?").get_by_role(
        "button", name="Delete"
    ).click()
    expect(admin.locator("#announcer")).to_have_text(f"Deleted {idle['name']}.")
    expect(admin.locator(f"#hotel-{idle['hotelId']}")).to_have_count(0)
    gone = requests.get(f"{browsing.stack.api_url}/hotels/{idle['hotelId']}", timeout=10)
    assert gone.status_code == 404


def test_fewer_rooms_than_are_booked_is_refused_naming_the_nights(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    # Given a 2-room hotel whose 2 rooms are both held on the same two nights
    hotel = make_hotel(unique("Full House"), "Sligo", rooms="2")
    made = [book(hotel, 25)["bookingId"] for _ in range(2)]
    guest = {"Authorization": browsing.stack.login("guest@example.com")}
    for booking_id in made:
        for _ in range(200):
            status = requests.get(
                f"{browsing.stack.api_url}/bookings/{booking_id}", headers=guest, timeout=10
            ).json()["status"]
            if status == "AWAITING_APPROVAL":
                break
            time.sleep(0.05)
        assert status == "AWAITING_APPROVAL"

    # When the admin lowers the rooms to 1
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("admin.html"))
    admin.get_by_role("button", name=f"Edit {hotel['name']}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Rooms").fill("1")
    dialog.get_by_role("button", name="Save changes").click()

    # Then the page says which nights hold more, beside the field, and nothing changed
    nights = f"{future(25)}, {future(26)}"
    expect(dialog.locator("#edit-rooms-error")).to_have_text(
        f"Rooms cannot go below what is booked on {nights}."
    )
    expect(dialog.get_by_label("Rooms")).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator("#edit-summary")).to_have_text("Please correct the field marked below.")
    saved = requests.get(f"{browsing.stack.api_url}/hotels/{hotel['hotelId']}", timeout=10).json()
    assert saved["rooms"] == 2


def test_admin_sees_whether_the_manager_confirmed_the_approval_emails(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    # Given a new hotel: SNS asked its manager to confirm the subscription to its topic
    manager = f"{unique('confirming').lower().replace(' ', '-')}@example.com"
    browsing.stack.create_user(manager, "Confirming Manager", "HotelManager")
    hotel = make_hotel(unique("Pending Lodge"), "Cork", managerEmail=manager)
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("admin.html"))
    row = admin.locator(f"#hotel-{hotel['hotelId']}")
    expect(row.locator(".subscription")).to_contain_text("Waiting for the manager to confirm")

    # When the manager follows the link in the confirmation email (the local mailbox)
    assert browsing.stack.stack is not None
    topic = browsing.stack.stack.outputs["HotelTopicArnPrefix"] + hotel["hotelId"]
    confirm_subscription(browsing.stack, manager, topic)

    # Then the admin page says so
    admin.reload()
    expect(row.locator(".subscription")).to_have_text("Manager confirmed the approval emails.")
