"""Forms say what is wrong, next to the field: the pages' own checks and the API's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.conftest import Browsing, future, save_page_shot, unique


def error_of(page: Any, field_id: str) -> Any:
    return page.locator(f"#{field_id}-error")


def fill_hotel_form(page: Any, picture: Path, **overrides: str) -> None:
    values = {
        "name": unique("Form Test Hotel"),
        "stars": "3",
        "city": "Sligo",
        "pricePerNight": "80",
        "rooms": "2",
        "managerEmail": "manager@example.com",
        **overrides,
    }
    for field_id, value in values.items():
        if field_id in ("stars", "managerEmail"):
            page.locator(f"#{field_id}").select_option(value)
        else:
            page.locator(f"#{field_id}").fill(value)
    page.locator("#picture").set_input_files(picture)


def test_add_hotel_shows_each_problem_next_to_its_field_before_sending(
    browsing: Browsing, picture_file: Path
) -> None:
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("addHotel.html"))
    fill_hotel_form(admin, picture_file, stars="", pricePerNight="0")
    sent: list[str] = []
    admin.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    admin.get_by_role("button", name="Add hotel").click()

    stars = admin.get_by_label("Star rating")
    expect(error_of(admin, "stars")).to_have_text("Choose a star rating.")
    expect(error_of(admin, "stars")).to_be_visible()
    expect(stars).to_have_attribute("aria-invalid", "true")
    expect(stars).to_have_attribute("aria-describedby", "stars-error")
    expect(stars).to_be_focused()  # the first field to fix
    price = admin.get_by_label("Price per night")
    expect(error_of(admin, "pricePerNight")).to_have_text(
        "The price per night must be more than 0."
    )
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#hotel-summary")).to_have_text("2 fields need your attention.")
    expect(admin.locator("#hotel-summary")).to_have_attribute("role", "alert")
    expect(error_of(admin, "name")).to_be_hidden()
    save_page_shot(admin, "addHotel-errors")
    assert sent == []

    # Fixing the fields clears the messages.
    stars.select_option("3")
    price.fill("80")
    admin.get_by_role("button", name="Add hotel").click()
    expect(admin.locator("#added")).to_contain_text("was added")
    expect(error_of(admin, "stars")).to_be_hidden()
    expect(stars).not_to_have_attribute("aria-invalid", "true")


def test_add_hotel_shows_the_apis_field_errors_next_to_the_field(
    browsing: Browsing, tmp_path: Path
) -> None:
    # A text file named .png passes the browser's check; the API reads the bytes.
    fake = tmp_path / "not-a-picture.png"
    fake.write_text("this is not an image")
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("addHotel.html"))
    fill_hotel_form(admin, fake)
    with admin.expect_response(lambda r: r.request.method == "POST") as response:
        admin.get_by_role("button", name="Add hotel").click()
    assert response.value.status == 400
    expect(error_of(admin, "picture")).to_have_text("Picture must be a JPEG, PNG or WebP image.")
    expect(admin.get_by_label("Picture")).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#hotel-summary")).to_have_text("Please correct the field marked below.")


def test_a_wrong_password_is_announced(browsing: Browsing) -> None:
    page = browsing.new_page()
    page.goto(browsing.url("login.html"))
    page.locator("#login-submit").click()
    expect(error_of(page, "email")).to_have_text("Enter your email address.")
    expect(error_of(page, "password")).to_have_text("Enter your password.")
    page.get_by_label("Email").fill("guest@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.locator("#login-submit").click()
    summary = page.locator("#login-summary")
    expect(summary).to_have_text("Incorrect email or password.")
    expect(summary).to_have_attribute("role", "alert")
    expect(page.get_by_label("Password")).to_have_value("")
    assert page.evaluate("sessionStorage.length") == 0


def test_the_booking_form_checks_the_dates(
    browsing: Browsing, make_hotel: Any, local_stack: Any
) -> None:
    hotel = make_hotel(unique("Date Check Inn"), "Kinsale")
    guest = browsing.signed_in("guest@example.com")
    guest.goto(browsing.url(f"hotel.html?id={hotel['hotelId']}"))
    guest.get_by_label("Check-in").fill(future(10))
    guest.get_by_label("Check-out").fill(future(10))
    guest.get_by_role("button", name="Book", exact=True).click()
    expect(error_of(guest, "checkOut")).to_have_text("Check-out must be after check-in.")
    expect(guest.get_by_label("Check-out")).to_be_focused()
    guest.get_by_label("Check-out").fill(future(11))
    guest.get_by_label("Rooms").fill("9")
    guest.get_by_role("button", name="Book", exact=True).click()
    expect(error_of(guest, "rooms")).to_have_text("This hotel has 3 rooms.")
    assert "bookings.html" not in guest.url
