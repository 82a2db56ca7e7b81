"""Email as on AWS (issue 9 item 5), over real HTTP on the local stack: the manager's
subscription to their hotel's topic waits for the link in SNS's confirmation email, nothing
published before reaches them, the admin sees which it is, and guests get their outcome by SES
with nothing to confirm."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import requests

from devstack.run import LocalStack
from hotel_booking.models import Decision
from localaws.aws.sns import CONFIRMATION_SUBJECT
from tests.fixtures.mail import confirm_subscription, link, wait_for_mail
from tests.fixtures.saga_driver import SagaDriver
from tests.fixtures.samples import booking_body


def bearer(local_stack: LocalStack, email: str, group: str | None) -> dict[str, str]:
    local_stack.create_user(email, email.split("@")[0], group)
    return {"Authorization": local_stack.login(email)}


def book(local_stack: LocalStack, hotel_id: str, guest: dict[str, str], days: int) -> str:
    check_in = dt.date.today() + dt.timedelta(days=days)
    resp = requests.post(
        f"{local_stack.api_url}/bookings",
        json=booking_body(hotel_id, check_in, nights=1, guestName="Gina Guest"),
        headers=guest,
        timeout=10,
    )
    assert resp.status_code == 202, resp.text
    return str(resp.json()["bookingId"])


def subscription(local_stack: LocalStack, hotel_id: str, admin: dict[str, str]) -> str:
    resp = requests.get(
        f"{local_stack.api_url}/hotels/{hotel_id}/subscription", headers=admin, timeout=10
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["state"])


def test_the_manager_hears_of_bookings_only_once_they_confirm_the_subscription(
    local_stack: LocalStack,
) -> None:
    assert local_stack.stack is not None
    tag = uuid.uuid4().hex[:6]
    manager = f"pending.{tag}@example.com"
    admin = {"Authorization": local_stack.login("admin@example.com")}
    guest = bearer(local_stack, f"gina.{tag}@example.com", None)
    local_stack.create_user(manager, "Pending Manager", "HotelManager")

    # Given an admin creates a hotel: SNS emails its manager a confirmation request
    created = requests.post(
        f"{local_stack.api_url}/hotels",
        json={
            "name": f"Pending Inn {tag}",
            "city": "Porto",
            "stars": 3,
            "pricePerNight": "80.00",
            "rooms": 3,
            "managerEmail": manager,
        },
        headers=admin,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    hotel_id = created.json()["hotelId"]
    assert created.json()["managerSubscription"] == "PendingConfirmation"
    topic = local_stack.stack.outputs["HotelTopicArnPrefix"] + hotel_id
    request = wait_for_mail(local_stack, manager, topic, CONFIRMATION_SUBJECT)
    assert link(request, "Confirm subscription").startswith(local_stack.web_url)

    # When a guest books before the manager confirmed: the request is published, not delivered
    first = book(local_stack, hotel_id, guest, days=50)
    _wait_until(lambda: _published(local_stack, topic, first))
    assert [m for m in local_stack.mailbox.messages(manager) if first in m["body"]] == []
    assert subscription(local_stack, hotel_id, admin) == "PendingConfirmation"

    # Then, once the manager follows the link, the admin page says so and the next one arrives
    confirm_subscription(local_stack, manager, topic)
    assert subscription(local_stack, hotel_id, admin) == "Confirmed"
    second = book(local_stack, hotel_id, guest, days=52)
    approval = wait_for_mail(local_stack, manager, second)
    assert approval["subject"].startswith("Approval needed: Gina Guest")
    assert [m for m in local_stack.mailbox.messages(manager) if first in m["body"]] == []

    # (The manager turns both down, so no execution is left waiting for a day.)
    driver = SagaDriver(local_stack.cloud, local_stack.stack)
    for booking_id in (first, second):
        driver.decide(booking_id, Decision.REJECT, "test over")
        assert driver.wait_done(booking_id)["status"] == "FAILED"


def test_a_link_with_a_wrong_token_confirms_nothing(local_stack: LocalStack) -> None:
    assert local_stack.stack is not None
    sns = local_stack.cloud.client("sns")
    topic = sns.create_topic(Name=f"tokens-{uuid.uuid4().hex[:6]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    mail = wait_for_mail(local_stack, "someone@example.com", topic, CONFIRMATION_SUBJECT)
    forged = link(mail, "Confirm subscription").replace("Token=", "Token=00")

    page = requests.get(forged, timeout=10)

    assert page.status_code == 400
    (sub,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sub["SubscriptionArn"] == "PendingConfirmation"
    sns.delete_topic(TopicArn=topic)


def test_the_guest_gets_the_outcome_by_ses_without_confirming_anything(
    local_stack: LocalStack,
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"ses.{tag}@example.com"
    guest = bearer(local_stack, email, None)
    admin = {"Authorization": local_stack.login("admin@example.com")}
    local_stack.create_user(f"m.{tag}@example.com", "Faro Manager", "HotelManager")
    hotel = requests.post(
        f"{local_stack.api_url}/hotels",
        json={
            "name": f"Declined Court {tag}",
            "city": "Faro",
            "stars": 2,
            "pricePerNight": "60.00",
            "rooms": 2,
            "managerEmail": f"m.{tag}@example.com",
        },
        headers=admin,
        timeout=10,
    ).json()
    check_in = dt.date.today() + dt.timedelta(days=30)
    resp = requests.post(
        f"{local_stack.api_url}/bookings",
        json={
            "hotelId": hotel["hotelId"],
            "checkIn": check_in.isoformat(),
            "checkOut": (check_in + dt.timedelta(days=1)).isoformat(),
            "rooms": 1,
            "guestName": "Sam Ses",
            "paymentToken": "tok_chargeDeclined",
        },
        headers=guest,
        timeout=10,
    )
    assert resp.status_code == 202, resp.text

    notice = wait_for_mail(local_stack, email, resp.json()["bookingId"])

    assert notice["subject"] == f"Your booking at Declined Court {tag} could not be completed"
    assert notice["attributes"]["from"] == "bookings@hotel-booking.example"  # the SES identity
    assert [
        m for m in local_stack.mailbox.messages(email) if m["subject"] == CONFIRMATION_SUBJECT
    ] == []


def _published(local_stack: LocalStack, topic: str, booking_id: str) -> bool:
    return any(booking_id in m["Message"] for m in local_stack.cloud.sns_messages(topic))


def _wait_until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition never held")
