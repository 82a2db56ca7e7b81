"""Managers approve from the email: signed links, a confirmation page, exactly one decision.

Runs on the local stack as `make run` starts it: the email arrives in the mailbox, the link
points at the local API Gateway, and the decision resumes the real execution.
"""

from __future__ import annotations

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from devstack.run import LocalStack
from hotel_booking.logic.ids import approval_id_for
from hotel_booking.logic.links import approval_link
from hotel_booking.models import BookingStatus, Decision, PaymentStatus
from tests.fixtures.mail import confirm_subscription
from tests.fixtures.saga_driver import SagaDriver


@pytest.fixture(scope="module")
def driver(local_stack: LocalStack) -> SagaDriver:
    assert local_stack.stack is not None
    return SagaDriver(local_stack.cloud, local_stack.stack)


def manager_hotel(local_stack: LocalStack, driver: SagaDriver, email: str) -> Any:
    """A hotel whose manager gets its approval emails: its own topic, the subscription
    confirmed from the link in SNS's confirmation email (as after creating it in the API)."""
    hotel = driver.hotel(rooms=2, manager=email)
    confirm_subscription(local_stack, email, driver.hotel_topics.topic_arn(hotel.hotelId))
    return hotel


def approval_email(local_stack: LocalStack, to: str, booking_id: str) -> dict[str, Any]:
    for _ in range(500):
        mails = [m for m in local_stack.mailbox.messages(to) if booking_id in m["body"]]
        if mails:
            assert len(mails) == 1
            return mails[0]
        time.sleep(0.01)
    raise AssertionError(f"no approval email for {booking_id} to {to}")


def link(mail: dict[str, Any], label: str) -> str:
    return next(link["url"] for link in mail["links"] if link["label"] == label)


def form_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))


def booked(local_stack: LocalStack, driver: SagaDriver, manager: str) -> tuple[dict, dict]:
    hotel = manager_hotel(local_stack, driver, manager)
    req = driver.request(hotel)
    driver.start(req)
    driver.wait_status(req["bookingId"], BookingStatus.AWAITING_APPROVAL)
    return req, approval_email(local_stack, manager, req["bookingId"])


def test_approve_from_the_email_link(local_stack: LocalStack, driver: SagaDriver) -> None:
    req, mail = booked(local_stack, driver, "alice.manager@example.com")

    # The email is for this manager only, names the booking, and carries no task token.
    approval = driver.store.approvals.get(approval_id_for(req["bookingId"]))
    assert approval is not None
    assert approval.taskToken not in json.dumps(mail)
    assert [m["to"] for m in local_stack.mailbox.messages() if req["bookingId"] in m["body"]] == [
        "alice.manager@example.com"
    ]
    approve = link(mail, "Approve")
    assert approve.startswith(local_stack.api_url + "/approvals/")

    # Opening the link (as a mail scanner would) decides nothing.
    page = requests.get(approve, timeout=10)
    assert page.status_code == 200
    assert "Approve this booking" in page.text
    assert driver.booking(req["bookingId"]).status is BookingStatus.AWAITING_APPROVAL

    # The page's button does.
    result = requests.post(approve.split("?")[0], data=form_of(page.text), timeout=10)
    assert result.status_code == 200
    assert "You approved booking" in result.text
    assert driver.wait_done(req["bookingId"])["status"] == "SUCCEEDED"
    assert driver.booking(req["bookingId"]).status is BookingStatus.CONFIRMED

    # Used again: a page saying so, and nothing changes.
    again = requests.post(approve.split("?")[0], data=form_of(page.text), timeout=10)
    assert again.status_code == 409
    assert "already approved" in again.text
    reject_page = requests.get(link(mail, "Reject"), timeout=10)
    assert "already approved" in reject_page.text


def test_an_approval_note_reaches_the_guest(local_stack: LocalStack, driver: SagaDriver) -> None:
    req, mail = booked(local_stack, driver, "nora.manager@example.com")
    approve = link(mail, "Approve")
    page = requests.get(approve, timeout=10)
    # A styled page (its one style element allowed by nonce), the note's field labelled.
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<style nonce="{nonce.group(1)}">' in page.text
    assert "default-src 'none'" in csp
    assert '<label for="reason">Note for the guest' in page.text
    assert "(1 night)" in page.text or "nights)" in page.text

    note = "Late check-in <after 22:00> is fine"
    form = {**form_of(page.text), "reason": note}
    result = requests.post(approve.split("?")[0], data=form, timeout=10)
    assert result.status_code == 200
    assert "Late check-in &lt;after 22:00&gt; is fine" in result.text  # escaped, not markup
    assert driver.wait_done(req["bookingId"])["status"] == "SUCCEEDED"
    assert driver.booking(req["bookingId"]).managerNote == note
    (to_guest,) = driver.guest_emails(req["bookingId"])
    assert f"The hotel says: “{note}”" in to_guest["Body"]
    assert "Total:" in to_guest["Body"] and "Cancellation: free" in to_guest["Body"]
    assert f"bookings.html?booking={req['bookingId']}" in to_guest["Body"]


def test_reject_from_the_email_link_with_a_reason(
    local_stack: LocalStack, driver: SagaDriver
) -> None:
    req, mail = booked(local_stack, driver, "bob.manager@example.com")
    reject = link(mail, "Reject")
    page = requests.get(reject, timeout=10)
    form = {**form_of(page.text), "reason": "closed for renovation"}
    result = requests.post(reject.split("?")[0], data=form, timeout=10)

    assert result.status_code == 200 and "You rejected booking" in result.text
    done = driver.wait_done(req["bookingId"])
    assert done["error"] == "BookingRejected"
    booking = driver.booking(req["bookingId"])
    assert booking.status is BookingStatus.REJECTED
    assert booking.reasonDetail == "closed for renovation"
    payment = driver.payment(req["bookingId"])
    assert payment is not None and payment.status is PaymentStatus.REFUNDED


def test_tampered_and_unsigned_links_are_refused(
    local_stack: LocalStack, driver: SagaDriver
) -> None:
    req, mail = booked(local_stack, driver, "carol.manager@example.com")
    approve = link(mail, "Approve")
    tampered = approve.replace("decision=approve", "decision=reject")
    unsigned = approve.split("&sig=")[0]
    for url in (tampered, unsigned):
        page = requests.get(url, timeout=10)
        assert page.status_code == 403
        assert "not valid" in page.text
    forged = requests.post(
        approve.split("?")[0],
        data={"decision": "reject", "expires": "9999999999", "sig": "forged"},
        timeout=10,
    )
    assert forged.status_code == 403
    assert driver.booking(req["bookingId"]).status is BookingStatus.AWAITING_APPROVAL
    driver.decide(req["bookingId"], Decision.REJECT)  # tidy up: end the saga


def test_an_expired_link_says_so(local_stack: LocalStack, driver: SagaDriver) -> None:
    req, mail = booked(local_stack, driver, "dan.manager@example.com")
    approval_id = urlsplit(link(mail, "Approve")).path.rsplit("/", 1)[1]
    secret = local_stack.cloud.client("secretsmanager").get_secret_value(
        SecretId=driver.stack.ref("ApprovalLinkKey")
    )["SecretString"]
    past = int(time.time()) - 60
    expired = approval_link(
        local_stack.api_url, secret.encode(), approval_id, Decision.APPROVE, past
    )
    page = requests.get(expired, timeout=10)
    assert page.status_code == 410
    assert "expired" in page.text
    q = {k: v[0] for k, v in parse_qs(urlsplit(expired).query).items()}
    assert requests.post(expired.split("?")[0], data=q, timeout=10).status_code == 410
    assert driver.booking(req["bookingId"]).status is BookingStatus.AWAITING_APPROVAL
    driver.decide(req["bookingId"], Decision.REJECT)


def test_two_managers_clicking_at_once_make_exactly_one_decision(
    local_stack: LocalStack, driver: SagaDriver
) -> None:
    req, mail = booked(local_stack, driver, "erin.manager@example.com")
    pages = {
        label: requests.get(link(mail, label), timeout=10).text for label in ("Approve", "Reject")
    }
    url = link(mail, "Approve").split("?")[0]

    def click(label: str) -> int:
        return requests.post(url, data=form_of(pages[label]), timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(click, ["Approve", "Reject"] * 4))
    assert sorted(codes).count(200) == 1
    assert codes.count(409) == 7
    done = driver.wait_done(req["bookingId"])
    assert done["status"] in ("SUCCEEDED", "FAILED")
    final = driver.booking(req["bookingId"]).status
    assert final in (BookingStatus.CONFIRMED, BookingStatus.REJECTED)


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("POST", "/approvals/ap_x", b"decision=approve&expires=99999999999&sig=\xff\xfe"),
        ("POST", "/approvals/ap_x", b"\xff"),
        ("POST", "/approvals/ap_x", b"decision=%FF%FE&sig=%C3%28"),
        ("GET", "/approvals/ap_x?decision=approve&expires=99999999999&sig=%FF", b""),
        ("GET", "/approvals/%FF%FE?decision=approve&expires=99999999999&sig=x", b""),
        ("GET", "/approvals/ap_\xff?decision=\xc3\x28", b""),
    ],
    ids=["body-raw", "body-byte", "body-percent", "query-percent", "path-percent", "path-raw"],
)
def test_bytes_that_are_not_utf8_get_an_html_4xx_over_http(
    local_stack: LocalStack, method: str, target: str, body: bytes
) -> None:
    # Sent byte for byte (no client library to tidy the request up), as an attacker would.
    host, port = urlsplit(local_stack.api_url).netloc.split(":")
    prefix = urlsplit(local_stack.api_url).path.rstrip("/")
    request = (
        f"{method} {prefix}".encode()
        + target.encode("latin-1")
        + b" HTTP/1.1\r\nHost: "
        + host.encode()
        + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    head, _, page = answer.partition(b"\r\n\r\n")
    assert 400 <= status < 500, answer[:300]
    assert b"content-type: text/html" in head.lower(), head
    assert b"<html" in page
