"""Issue 9 item 2 over real HTTP: tokens from the local Cognito, checked by the local API
Gateway's authorizer. A manager who takes another manager's old email address gains nothing;
the manager the Admin chose keeps their hotel whatever their address."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import requests

from devstack.run import LocalStack
from hotel_booking.models import BookingStatus
from tests.fixtures.saga_driver import SagaDriver
from tests.fixtures.samples import booking_body


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}@example.com"


def call(local_stack: LocalStack, method: str, path: str, token: str, **kwargs: Any) -> Any:
    return requests.request(
        method,
        f"{local_stack.api_url}{path}",
        headers={"Authorization": token},
        timeout=30,
        **kwargs,
    )


def change_email(local_stack: LocalStack, old: str, new: str) -> None:
    """What any signed-in user may do with their own access token."""
    idp = local_stack.cloud.client("cognito-idp")
    pool_client = local_stack.config["userPoolClientId"]
    access = idp.initiate_auth(
        ClientId=pool_client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": old, "PASSWORD": local_stack.password},
    )["AuthenticationResult"]["AccessToken"]
    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": new}])


def test_taking_a_managers_old_email_gives_none_of_their_hotels(local_stack: LocalStack) -> None:
    assert local_stack.stack is not None
    alice, bob = unique("alice"), unique("bob")
    local_stack.create_user(alice, "Alice", "HotelManager")
    local_stack.create_user(bob, "Bob", "HotelManager")
    local_stack.create_user("admin@example.com", "Ada Admin", "Admin")
    admin = local_stack.login("admin@example.com")
    created = call(
        local_stack,
        "POST",
        "/hotels",
        admin,
        json={
            "name": "Sub Hotel",
            "city": "Leeds",
            "stars": 3,
            "pricePerNight": "80.00",
            "rooms": 2,
            "managerEmail": alice,
        },
    )
    assert created.status_code == 201, created.text
    hotel = created.json()
    check_in = dt.date.today() + dt.timedelta(days=40)
    booked = call(
        local_stack,
        "POST",
        "/bookings",
        local_stack.login("guest@example.com"),
        json=booking_body(hotel["hotelId"], check_in, nights=1),
    )
    assert booked.status_code == 202, booked.text
    booking_id = booked.json()["bookingId"]
    driver = SagaDriver(local_stack.cloud, local_stack.stack)
    driver.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)

    alice_now = unique("alice.new")
    change_email(local_stack, alice, alice_now)
    change_email(local_stack, bob, alice)
    bob_token = local_stack.login(alice)  # Bob, with Alice's old address

    listed = call(local_stack, "GET", "/bookings", bob_token, params={"hotelId": hotel["hotelId"]})
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert call(local_stack, "GET", f"/bookings/{booking_id}", bob_token).status_code == 404
    decided = call(
        local_stack,
        "POST",
        f"/bookings/{booking_id}/decision",
        bob_token,
        json={"decision": "reject"},
    )
    assert decided.status_code == 404
    assert (
        call(local_stack, "GET", f"/hotels/{hotel['hotelId']}/manager", bob_token).status_code
        == 403
    )

    alice_token = local_stack.login(alice_now)
    assert call(local_stack, "GET", f"/bookings/{booking_id}", alice_token).status_code == 200
    mine = call(local_stack, "GET", f"/hotels/{hotel['hotelId']}/manager", alice_token)
    assert mine.status_code == 200 and mine.json()["hotelId"] == hotel["hotelId"]
    # ... and decides it (which also ends the saga, so nothing runs on into other tests).
    rejected = call(
        local_stack,
        "POST",
        f"/bookings/{booking_id}/decision",
        alice_token,
        json={"decision": "reject", "reason": "test over"},
    )
    assert rejected.status_code == 200, rejected.text
    driver.wait_done(booking_id)
