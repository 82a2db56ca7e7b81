"""The whole system on one machine, over real HTTP, as a browser or a developer uses it."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from PIL import Image

from devstack.run import LocalStack, demo_picture, multipart
from localaws.cloud import PortInUse, ensure_port_free
from tests.fixtures.mail import confirm_subscription
from tests.fixtures.samples import booking_body

HOTEL_FIELDS = {
    "name": "Quay Rooms",
    "city": "Bristol",
    "stars": "3",
    "pricePerNight": "99.00",
    "rooms": "4",
    "managerEmail": "quay.manager@example.com",
}


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def cognito_login(config: dict[str, str], email: str, password: str) -> str:
    """USER_PASSWORD_AUTH exactly as the pages call Cognito (no SDK)."""
    resp = requests.post(
        config["cognitoEndpoint"] + "/",
        json={
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": config["userPoolClientId"],
            "AuthParameters": {"USERNAME": email, "PASSWORD": password},
        },
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["AuthenticationResult"]["IdToken"])


@pytest.fixture(scope="module")
def config(local_stack: LocalStack) -> dict[str, str]:
    resp = requests.get(f"{local_stack.web_url}/hotel/config.json", timeout=10)
    assert resp.status_code == 200
    return dict(resp.json())


@pytest.fixture(scope="module")
def tokens(local_stack: LocalStack, config: dict[str, str]) -> dict[str, str]:
    local_stack.create_user("quay.manager@example.com", "Quinn Quay", "HotelManager")
    users = {
        "admin": "admin@example.com",
        "manager": "quay.manager@example.com",
        "guest": "guest@example.com",
    }
    return {k: cognito_login(config, v, local_stack.password) for k, v in users.items()}


def test_config_json_has_what_the_pages_need_and_no_secrets(
    local_stack: LocalStack, config: dict[str, str]
) -> None:
    assert set(config) == {
        "apiUrl",
        "searchUrl",
        "region",
        "userPoolId",
        "userPoolClientId",
        "cognitoEndpoint",
        "passwordPolicy",
    }
    # The sign-up page shows the pool's rules (template.yaml) before the visitor submits.
    assert config["passwordPolicy"] == {
        "minimumLength": 8,
        "requireLowercase": True,
        "requireUppercase": True,
        "requireNumbers": True,
        "requireSymbols": False,
    }
    assert config["apiUrl"] == local_stack.api_url
    assert config["searchUrl"] == local_stack.search_url
    assert config["cognitoEndpoint"] == local_stack.aws_url
    assert config["userPoolId"].startswith(config["region"] + "_")


def test_cors_preflight_is_answered(local_stack: LocalStack) -> None:
    resp = requests.options(
        f"{local_stack.api_url}/bookings",
        headers={
            "Origin": "http://localhost:8080",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )
    assert resp.status_code == 200
    # The site's own origin, as on AWS (AllowedOrigin empty = the CloudFront domain).
    assert resp.headers["Access-Control-Allow-Origin"] == local_stack.web_url
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]


def test_no_token_is_401_with_cors_headers(local_stack: LocalStack) -> None:
    resp = requests.post(f"{local_stack.api_url}/bookings", json={}, timeout=10)
    assert resp.status_code == 401
    assert resp.json() == {"message": "Unauthorized"}
    # The site's own origin, as on AWS (AllowedOrigin empty = the CloudFront domain).
    assert resp.headers["Access-Control-Allow-Origin"] == local_stack.web_url


def test_a_forged_or_expired_token_is_401(local_stack: LocalStack, tokens: dict[str, str]) -> None:
    header, payload, signature = tokens["guest"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    resp = requests.get(
        f"{local_stack.api_url}/bookings", headers={"Authorization": forged}, timeout=10
    )
    assert resp.status_code == 401


def test_unknown_route_is_403_as_api_gateway_answers(local_stack: LocalStack) -> None:
    resp = requests.get(f"{local_stack.api_url}/no/such/route", timeout=10)
    assert resp.status_code == 403
    assert resp.json() == {"message": "Missing Authentication Token"}


def test_wrong_group_is_403(local_stack: LocalStack, tokens: dict[str, str]) -> None:
    resp = requests.post(
        f"{local_stack.api_url}/hotels",
        json={**HOTEL_FIELDS, "stars": 3, "rooms": 4, "pricePerNight": "99.00"},
        headers={"Authorization": tokens["guest"]},
        timeout=10,
    )
    assert resp.status_code == 403
    assert "message" in resp.json()
    # The site's own origin, as on AWS (AllowedOrigin empty = the CloudFront domain).
    assert resp.headers["Access-Control-Allow-Origin"] == local_stack.web_url


def create_hotel(
    local_stack: LocalStack, token: str, picture: bytes, rooms: int = 4
) -> dict[str, Any]:
    fields = {**HOTEL_FIELDS, "rooms": str(rooms)}
    body, content_type = multipart(fields, [("picture", "quay.png", "image/png", picture)])
    resp = requests.post(
        f"{local_stack.api_url}/hotels",
        data=body,
        headers={"Authorization": token, "Content-Type": content_type},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_multipart_upload_reaches_the_handler_intact(
    local_stack: LocalStack, tokens: dict[str, str]
) -> None:
    picture = demo_picture((200, 40, 90))
    hotel = create_hotel(local_stack, tokens["admin"], picture)
    image = requests.get(hotel["imageUrl"], timeout=10)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    # Every pixel, through base64 and back (the store keeps Pillow's re-encode, so the
    # bytes may differ; a corrupted byte would break the PNG's checksums or the pixels).
    assert pixels(image.content) == pixels(picture)


def test_book_approve_confirm_over_http(local_stack: LocalStack, tokens: dict[str, str]) -> None:
    api = local_stack.api_url
    hotel = create_hotel(local_stack, tokens["admin"], demo_picture((10, 90, 200)))
    # The manager confirms the subscription from SNS's email first (as on AWS).
    assert local_stack.stack is not None
    topic = local_stack.stack.outputs["HotelTopicArnPrefix"] + hotel["hotelId"]
    confirm_subscription(local_stack, "quay.manager@example.com", topic)
    check_in = dt.date.today() + dt.timedelta(days=40)
    resp = requests.post(
        f"{api}/bookings",
        json=booking_body(hotel["hotelId"], check_in),
        headers={"Authorization": tokens["guest"]},
        timeout=10,
    )
    assert resp.status_code == 202, resp.text
    booking_id = resp.json()["bookingId"]

    # The manager of this hotel, and nobody else, gets the approval request.
    request = wait_for_mail(local_stack, "quay.manager@example.com", booking_id)
    assert any(link["label"] == "Approve" for link in request["links"])
    others = [
        m
        for m in local_stack.mailbox.messages()
        if booking_id in m["body"]
        and m["to"] != "quay.manager@example.com"
        and "Approval" in m["subject"]
    ]
    assert others == []
    listed = requests.get(f"{local_stack.web_url}/mailbox/messages.json", timeout=10).json()
    assert {"id", "to", "subject", "body", "links", "receivedAt"} <= set(listed[-1])

    decision = requests.post(
        f"{api}/bookings/{booking_id}/decision",
        json={"decision": "approve"},
        headers={"Authorization": tokens["manager"]},
        timeout=10,
    )
    assert decision.status_code == 200, decision.text
    status = None
    for _ in range(500):
        status = requests.get(
            f"{api}/bookings/{booking_id}", headers={"Authorization": tokens["guest"]}, timeout=10
        ).json()["status"]
        if status == "CONFIRMED":
            break
        time.sleep(0.02)
    assert status == "CONFIRMED"
    confirmed = wait_for_mail(local_stack, "guest@example.com", booking_id)
    assert "confirmed" in confirmed["subject"]


def test_twenty_guests_booking_at_once_are_all_accepted(
    local_stack: LocalStack, tokens: dict[str, str]
) -> None:
    # Given a hotel with a room for each of twenty guests
    api = local_stack.api_url
    hotel = create_hotel(local_stack, tokens["admin"], demo_picture((90, 30, 30)), rooms=20)
    check_in = dt.date.today() + dt.timedelta(days=50)
    body = booking_body(hotel["hotelId"], check_in, nights=1)
    gate = threading.Barrier(20)

    def book(_: int) -> requests.Response:
        session = requests.Session()
        gate.wait()
        return session.post(
            f"{api}/bookings", json=body, headers={"Authorization": tokens["guest"]}, timeout=60
        )

    # When they all book at the same moment
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(book, range(20)))
    # Then every booking is accepted, and every saga reaches the manager
    assert [a.status_code for a in answers] == [202] * 20, [a.text for a in answers]
    pending = {a.json()["bookingId"] for a in answers}
    assert len(pending) == 20
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        for booking_id in sorted(pending):
            status = requests.get(
                f"{api}/bookings/{booking_id}",
                headers={"Authorization": tokens["guest"]},
                timeout=30,
            ).json()["status"]
            assert status in {"PENDING", "ROOM_RESERVED", "PAYMENT_RECORDED", "AWAITING_APPROVAL"}
            if status == "AWAITING_APPROVAL":
                pending.discard(booking_id)
        time.sleep(0.2)
    assert pending == set()


def wait_for_mail(local_stack: LocalStack, to: str, text: str) -> dict[str, Any]:
    for _ in range(500):
        for mail in local_stack.mailbox.messages(to):
            if text in mail["body"]:
                return mail
        time.sleep(0.01)
    raise AssertionError(f"no mail to {to} mentioning {text}")


def test_a_busy_port_names_the_port_and_the_variable() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(PortInUse, match=f"port {port} is busy; set WEB_PORT"):
            ensure_port_free(port, "WEB_PORT")


def test_make_run_logs_the_steps_of_cancellations_too(local_stack: LocalStack) -> None:
    """`make run`'s execution log follows both state machines: support staff see a
    cancellation's states (its execution is named cancel-<bookingId>) as they see a booking's."""
    assert local_stack.stack is not None
    lines: list[str] = []
    ended = threading.Event()

    def log(line: str) -> None:
        lines.append(line)
        if "execution succeeded" in line or "execution ended" in line:
            ended.set()

    original, local_stack._log = local_stack._log, log
    try:
        local_stack.cloud.client("stepfunctions").start_execution(
            stateMachineArn=local_stack.stack.ref("CancellationStateMachine"),
            name="cancel-log-check",
            input='{"bookingId": "log-check"}',
        )
        assert ended.wait(20), lines
    finally:
        local_stack._log = original
    mine = [line for line in lines if line.startswith("SFN cancel-log-check ")]
    assert any("→" in line for line in mine), lines
    assert any("execution" in line for line in mine), lines
