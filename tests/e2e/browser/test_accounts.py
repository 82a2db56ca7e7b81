"""Accounts through the pages, as a new visitor meets them: sign up with the code from the
mailbox, wrong and expired codes, forgot password, the first sign-in of a user an admin made,
a session that outlives its ID token, and sign-out that revokes the refresh token."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from devstack.run import LocalStack
from tests.e2e.browser.conftest import Browsing, future, save_page_shot, sign_in, unique

PASSWORD = "Sunny-Rooms7"


def new_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def latest_code(stack: LocalStack, email: str, count: int = 1) -> str:
    """The code in the newest of the first `count` emails Cognito sent to `email`."""
    for _ in range(100):
        mails = stack.mailbox.messages(email)
        if len(mails) >= count:
            match = re.search(r"\b(\d{6})\b", mails[-1]["body"])
            assert match, mails[-1]
            return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no email #{count} for {email}: {stack.mailbox.messages(email)}")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def sign_up(page: Any, browsing: Browsing, email: str, name: str) -> None:
    page.goto(browsing.url("signup.html"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/confirm\.html\?"))


def reject_as_manager(stack: LocalStack, booking_id: str) -> None:
    """End the saga the test started, so it does not run on into other tests."""
    headers = {"Authorization": stack.login("manager@example.com")}
    for _ in range(200):
        resp = requests.post(
            f"{stack.api_url}/bookings/{booking_id}/decision",
            json={"decision": "reject", "reason": "test over"},
            headers=headers,
            timeout=10,
        )
        if resp.status_code != 409:
            return
        time.sleep(0.05)


def test_a_new_visitor_signs_up_confirms_from_the_mailbox_books_and_sees_the_booking(
    browsing: Browsing, make_hotel: Callable[..., dict[str, Any]]
) -> None:
    stack = browsing.stack
    hotel = make_hotel(unique("Welcome Inn"), "Kinsale")
    email = new_email("newbie")
    page = browsing.new_page()

    # The rules for the password are there before anything is sent, and tick off as typed.
    page.goto(browsing.url("index.html"))
    page.get_by_role("link", name="Create an account").click()
    rules = page.locator("#password-rules li")
    expect(rules).to_have_text(
        ["at least 8 characters", "a lowercase letter", "an uppercase letter", "a number"]
    )
    page.get_by_label("Password", exact=True).fill("sunny")
    expect(page.locator("#password-rules li.met")).to_have_text(["a lowercase letter"])
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("at least 8 characters")
    assert stack.mailbox.messages(email) == []  # nothing was sent to Cognito
    save_page_shot(page, "signup")

    sign_up(page, browsing, email, "Nora Newbie")
    expect(page.locator("#sent")).to_contain_text("We emailed a code to n***@e***")
    expect(page.get_by_label("Email")).to_have_value(email)
    code = latest_code(stack, email)
    mail = stack.mailbox.messages(email)[-1]
    assert mail["subject"] == "Your Hotel Booking code"
    save_page_shot(page, "confirm")

    # A wrong code is refused, as Cognito refuses it on AWS.
    page.get_by_label("Confirmation code").fill(wrong(code))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#code-error")).to_have_text(
        "That code is not right. Check the newest email and try again."
    )
    page.get_by_label("Confirmation code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/login\.html\?.*confirmed=1"))
    expect(page.locator("#notice")).to_have_text(
        "Your email is confirmed. Sign in with your password."
    )
    expect(page.get_by_label("Email")).to_have_value(email)

    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/bookings\.html$"))
    expect(page.get_by_test_id("user-name")).to_have_text("Nora Newbie")

    page.goto(browsing.url(f"hotel.html?id={hotel['hotelId']}"))
    page.get_by_label("Check-in").fill(future(40))
    page.get_by_label("Check-out").fill(future(42))
    page.get_by_label("Payment").select_option("tok_visa")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/bookings\.html\?new="))
    booking_id = page.url.split("new=")[1]
    card = page.locator("article.booking.highlight")
    expect(card).to_contain_text(hotel["name"])
    expect(card.locator(".status")).to_have_attribute("data-status", "AWAITING_APPROVAL")
    save_page_shot(page, "bookings-new-user")
    reject_as_manager(stack, booking_id)


def test_an_expired_code_is_refused_and_a_new_one_works(browsing: Browsing) -> None:
    stack = browsing.stack
    email = new_email("late")
    page = browsing.new_page()
    sign_up(page, browsing, email, "Lena Late")
    code = latest_code(stack, email)

    # A day later, the sign-up code has expired (24 hours on AWS).
    real_clock = stack.cognito_codes.clock
    stack.cognito_codes.clock = lambda: real_clock() + 24 * 3600 + 1
    try:
        page.get_by_label("Confirmation code").fill(code)
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("#code-error")).to_have_text(
            "That code has expired. Send yourself a new one."
        )
    finally:
        stack.cognito_codes.clock = real_clock

    page.get_by_role("button", name="Send a new code").click()
    expect(page.locator("#resent")).to_contain_text("A new code is on its way to l***@e***")
    new_code = latest_code(stack, email, count=2)
    # Only the newest code works.
    if new_code != code:
        page.get_by_label("Confirmation code").fill(code)
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("#code-error")).to_contain_text("That code is not right")
    page.get_by_label("Confirmation code").fill(new_code)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/login\.html\?.*confirmed=1"))


def test_signing_in_before_confirming_leads_to_the_confirm_page(browsing: Browsing) -> None:
    email = new_email("eager")
    page = browsing.new_page()
    sign_up(page, browsing, email, "Ed Eager")
    sign_in_page = browsing.url("login.html")
    page.goto(sign_in_page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    expect(page.locator("#login-summary")).to_contain_text("has not been confirmed yet")
    page.get_by_role("link", name="Enter the code we emailed you").click()
    page.wait_for_url(re.compile(r"/confirm\.html\?"))
    expect(page.get_by_label("Email")).to_have_value(email)


def test_forgot_password_sets_a_new_one_with_the_emailed_code(browsing: Browsing) -> None:
    stack = browsing.stack
    email = new_email("forgetful")
    stack.create_user(email, "Fay Forgetful", None)
    page = browsing.new_page()
    page.goto(browsing.url("login.html"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Email").dispatch_event("change")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(re.compile(r"/forgot\.html"))
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#reset-sent")).to_contain_text(
        f"If an account uses {email}, we have emailed a 6-digit code to that address"
    )
    code = latest_code(stack, email)
    save_page_shot(page, "forgot")

    page.get_by_label("Reset code").fill(wrong(code))
    page.get_by_label("New password").fill("Brand-New-Pass1")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#code-error")).to_contain_text("That code is not right")
    page.get_by_label("Reset code").fill(code)
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url(re.compile(r"/login\.html\?.*reset=1"))
    expect(page.locator("#notice")).to_have_text(
        "Your password was changed. Sign in with the new one."
    )

    page.get_by_label("Password").fill(stack.password)  # the old one no longer works
    page.locator("#login-submit").click()
    expect(page.locator("#login-summary")).to_have_text("Incorrect email or password.")
    page.get_by_label("Password").fill("Brand-New-Pass1")
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/bookings\.html$"))
    expect(page.get_by_test_id("user-name")).to_have_text("Fay Forgetful")


def test_forgot_password_for_an_unknown_address_reveals_nothing(browsing: Browsing) -> None:
    page = browsing.new_page()
    page.goto(browsing.url("forgot.html"))
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Email me a code").click()
    sent = page.locator("#reset-sent")
    expect(sent).to_contain_text("If an account uses nobody@example.org, we have emailed")
    assert "***" not in sent.inner_text() and "@h" not in sent.inner_text()


def test_a_user_an_admin_created_sets_a_password_at_first_sign_in(browsing: Browsing) -> None:
    stack = browsing.stack
    email = new_email("invited")
    # As `make admin` does on AWS: Cognito emails the invitation with a temporary password.
    stack.cloud.client("cognito-idp").admin_create_user(
        UserPoolId=stack.config["userPoolId"],
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": "Ivy Invited"},
        ],
        DesiredDeliveryMediums=["EMAIL"],
    )
    invitation = stack.mailbox.messages(email)[-1]
    assert invitation["subject"] == "Your Hotel Booking account"
    temporary = re.search(r"temporary password (\S+) and", invitation["body"]).group(1)  # type: ignore[union-attr]
    page = browsing.new_page()
    page.goto(browsing.url("login.html?next=index.html"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(temporary)
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/newPassword\.html\?next=index\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    save_page_shot(page, "newPassword")
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#password-error")).to_contain_text("at least 8 characters")
    page.get_by_label("New password").fill("Ivy-Own-Pass9")
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    expect(page.get_by_test_id("user-name")).to_have_text("Ivy Invited")

    # The temporary password is gone; the new one signs in.
    other = browsing.new_page()
    sign_in(other, browsing.url("login.html"), email, "Ivy-Own-Pass9")


def session_of(page: Any) -> dict[str, Any]:
    return dict(json.loads(page.evaluate("sessionStorage.getItem('hotel.session')")))


def test_a_page_opened_two_hours_after_sign_in_still_works(browsing: Browsing) -> None:
    page = browsing.new_page()
    page.clock.install()
    targets: list[str] = []
    page.on(
        "request",
        lambda r: targets.append(r.headers.get("x-amz-target", "")) if r.method == "POST" else None,
    )
    authorizations: list[str] = []
    page.on(
        "request",
        lambda r: (
            authorizations.append(r.headers["authorization"])
            if "/bookings" in r.url and "authorization" in r.headers
            else None
        ),
    )
    sign_in(page, browsing.url("login.html"), "guest@example.com", browsing.stack.password)
    first_token = session_of(page)["idToken"]

    # Two hours pass on this computer: the one-hour ID token has expired here.
    page.clock.fast_forward("02:00:00")
    page.goto(browsing.url("bookings.html"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My bookings")
    expect(page.get_by_test_id("user-name")).to_have_text("Gus Guest")
    expect(page.locator("#list-error")).to_be_hidden()
    page.wait_for_load_state("networkidle")

    assert "AWSCognitoIdentityProviderService.InitiateAuth" in targets
    renewed = session_of(page)
    assert renewed["idToken"] != first_token
    # The bookings were read with the new token.
    assert authorizations and authorizations[-1] == renewed["idToken"]


def test_sign_out_revokes_the_refresh_token(browsing: Browsing) -> None:
    stack = browsing.stack
    page = browsing.signed_in("guest@example.com")
    refresh_token = session_of(page)["refreshToken"]
    idp = stack.cloud.client("cognito-idp")
    client_id = stack.config["userPoolClientId"]
    # It works while signed in ...
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    page.locator("details.account-menu summary").click()
    with page.expect_request(lambda r: r.headers.get("x-amz-target", "").endswith(".RevokeToken")):
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('hotel.session')") is None

    # ... and not after: whoever copied it cannot get new tokens with it.
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="revoked"):
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )


def test_the_pages_carry_the_security_headers_of_the_hosted_site(browsing: Browsing) -> None:
    resp = requests.get(browsing.url("signup.html"), timeout=10)
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
