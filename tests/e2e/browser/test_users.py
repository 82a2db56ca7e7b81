"""The admin's users page: a user who signed up becomes a HotelManager, is given a hotel, and
then sees and decides its bookings, on the dashboard and from the email link (issue 12
"Admin: users" and its done-when, issue 9 item 2)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import expect

from localaws.aws.sns import CONFIRMATION_SUBJECT
from tests.e2e.browser import axe
from tests.e2e.browser.conftest import Browsing, save_page_shot, sign_in, unique
from tests.e2e.browser.test_accounts import PASSWORD, latest_code, new_email, sign_up
from tests.fixtures.mail import link, wait_for_mail


def test_admin_promotes_a_signed_up_user_and_gives_them_a_hotel(
    browsing: Browsing,
    make_hotel: Callable[..., dict[str, Any]],
    book: Callable[..., dict[str, Any]],
) -> None:
    stack = browsing.stack
    hotel = make_hotel(unique("Harbour Lights"), "Cobh")
    email = new_email("newmanager")

    # Someone signs up and confirms their email: an ordinary user.
    visitor = browsing.new_page()
    sign_up(visitor, browsing, email, "Mona Newman")
    visitor.get_by_label("Confirmation code").fill(latest_code(stack, email))
    visitor.get_by_role("button", name="Confirm").click()
    visitor.wait_for_url(re.compile(r"/login\.html\?.*confirmed=1"))

    # The admin cannot pick them yet: the picker lists HotelManager users only.
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("admin.html"))
    admin.get_by_role("button", name=f"Edit {hotel['name']}").click()
    picker = admin.get_by_role("dialog").get_by_label("Manager", exact=True)
    expect(picker).to_have_value("manager@example.com")
    assert email not in picker.locator("option").evaluate_all("os => os.map(o => o.value)")
    admin.get_by_role("dialog").get_by_role("button", name="Cancel").click()

    # The admin makes them a hotel manager on the users page.
    admin.get_by_role("link", name="Users").click()
    row = admin.locator("li", has=admin.get_by_role("heading", name="Mona Newman"))
    expect(row).to_contain_text(email)
    expect(row).to_contain_text("Confirmed")
    save_page_shot(admin, "users")
    row.get_by_role("button", name="Make hotel manager: Mona Newman").click()
    expect(admin.locator("#announcer")).to_have_text("Mona Newman is now a hotel manager.")
    expect(row.locator(".role")).to_have_text(["HotelManager"])
    expect(row.get_by_role("button", name="Remove hotel manager: Mona Newman")).to_be_focused()

    # ... and gives them the hotel.
    admin.goto(browsing.url("admin.html"))
    admin.get_by_role("button", name=f"Edit {hotel['name']}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Manager", exact=True).select_option(email)
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(admin.locator("#announcer")).to_contain_text(f"Saved the changes to {hotel['name']}")
    who = requests.get(
        f"{stack.api_url}/hotels/{hotel['hotelId']}/manager",
        headers={"Authorization": stack.login("admin@example.com")},
        timeout=10,
    ).json()
    assert who["managerEmail"] == email and who["managerSub"]

    # A guest books; the new manager signs in and sees the booking on their dashboard.
    booking = book(hotel, 33)
    manager = browsing.new_page()
    sign_in(manager, browsing.url("login.html"), email, PASSWORD)
    manager.goto(browsing.url("manager.html"))
    request = manager.locator(f"#booking-{booking['bookingId']}")
    expect(request).to_contain_text(hotel["name"])
    expect(request).to_contain_text("Gus Guest")
    request.get_by_role("button", name="Approve").click()
    expect(manager.locator("#announcer")).to_contain_text("Approved")

    # The previous manager no longer sees the hotel's bookings.
    old = requests.get(
        f"{stack.api_url}/bookings/{booking['bookingId']}",
        headers={"Authorization": stack.login("manager@example.com")},
        timeout=10,
    )
    assert old.status_code == 404

    # The manager follows SNS's confirmation link from their mailbox: approval emails now reach
    # them, and they approve the next booking from the email's link, in the browser.
    assert stack.stack is not None
    topic = stack.stack.outputs["HotelTopicArnPrefix"] + hotel["hotelId"]
    confirmation = wait_for_mail(stack, email, topic, CONFIRMATION_SUBJECT)
    manager.goto(link(confirmation, "Confirm subscription"))
    expect(manager.get_by_text("Subscription confirmed")).to_be_visible()
    second = book(hotel, 37)
    approval = wait_for_mail(stack, email, second["bookingId"])
    manager.context.add_init_script(axe.source())
    manager.goto(link(approval, "Approve"))
    # The page behind the email link: styled, labelled, 0 axe-core violations.
    expect(manager.get_by_label("Note for the guest")).to_be_visible()
    assert axe.violations(manager) == []
    save_page_shot(manager, "approval-confirm")
    manager.get_by_role("button", name="Approve this booking").click()
    expect(manager.get_by_text("You approved booking")).to_be_visible()
    assert axe.violations(manager) == []
    save_page_shot(manager, "approval-done")
    guest = {"Authorization": stack.login("guest@example.com")}
    status = ""
    for _ in range(200):
        status = requests.get(
            f"{stack.api_url}/bookings/{second['bookingId']}", headers=guest, timeout=10
        ).json()["status"]
        if status != "AWAITING_APPROVAL":
            break
        time.sleep(0.05)
    assert status == "CONFIRMED"


def test_admin_disables_and_enables_a_user(browsing: Browsing) -> None:
    stack = browsing.stack
    email = new_email("switched")
    stack.create_user(email, "Sid Switch", None)
    admin = browsing.signed_in("admin@example.com")
    admin.goto(browsing.url("users.html"))
    row = admin.locator("li", has=admin.get_by_role("heading", name="Sid Switch"))
    row.get_by_role("button", name="Disable Sid Switch").click()
    # The dialog says what will happen; nothing is sent before the admin confirms.
    dialog = admin.get_by_role("dialog", name="Disable Sid Switch?")
    expect(dialog).to_contain_text("will no longer be able to sign in")
    expect(dialog).to_contain_text("Their bookings stay as they are")
    dialog.get_by_role("button", name="Keep enabled").click()
    expect(row.locator(".role.disabled")).to_have_count(0)
    row.get_by_role("button", name="Disable Sid Switch").click()
    dialog.get_by_role("button", name="Disable").click()
    expect(admin.locator("#announcer")).to_have_text("Sid Switch is disabled.")
    expect(row.locator(".role.disabled")).to_have_text("Disabled")
    page = browsing.new_page()
    page.goto(browsing.url("login.html"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(stack.password)
    page.locator("#login-submit").click()
    expect(page.get_by_role("alert")).to_be_visible()
    row.get_by_role("button", name="Enable Sid Switch").click()
    expect(admin.locator("#announcer")).to_have_text("Sid Switch is enabled.")
    assert stack.login(email)
    # The admin's own row offers no way to lock themselves out.
    me = admin.locator("li", has=admin.get_by_role("heading", name="Ada Admin"))
    expect(me.get_by_role("button", name=re.compile("^Disable"))).to_have_count(0)
