"""`make run` keeps its data across a restart: a booking awaiting approval before it is approved
after it, by the link already in the mailbox; hotels, users and mail are still there.

Runs `python -m devstack run` itself (twice, in its own processes: one emulated cloud per
process), on free ports, with its state in a temporary folder, and drives it over HTTP as a
browser and the manager's email client would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from localaws.aws.sns import CONFIRMATION_SUBJECT
from localaws.cloud import free_port
from localaws.stack.persistence import FILE_NAME
from tests.fixtures.samples import booking_body

ROOT = Path(__file__).resolve().parents[3]
READY = "is running locally"
PASSWORD = "Demo-Passw0rd!"


class Run:
    """One `python -m devstack run`, its ports and its output."""

    def __init__(self, state: Path, ports: dict[str, int]) -> None:
        env = {
            **os.environ,
            **{k: str(v) for k, v in ports.items()},
            "LOCALAWS_STATE_DIR": str(state),
            "DEMO_PASSWORD": PASSWORD,
        }
        self.ports = ports
        self.log = state.parent / f"run-{time.monotonic_ns()}.log"
        self._out = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "run"],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while READY not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"`devstack run` did not start:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text()

    def url(self, what: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[what]}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        self._out.close()

    # -- as a user --------------------------------------------------------------------------
    def token(self, email: str) -> str:
        config = requests.get(self.url("WEB_PORT", "/hotel/config.json"), timeout=10).json()
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=self.url("AWS_PORT", ""),
            region_name=config["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        result = idp.initiate_auth(
            ClientId=config["userPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        return str(result["AuthenticationResult"]["IdToken"])

    def api(self, method: str, path: str, token: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            self.url("API_PORT", path),
            headers={"Authorization": token},
            json=body,
            timeout=30,
        )

    def mail(self, to: str, subject: str, containing: str = "") -> list[dict[str, Any]]:
        mails = requests.get(self.url("WEB_PORT", "/mailbox/messages.json"), timeout=10).json()
        return [
            m
            for m in mails
            if m["to"] == to and subject in m["subject"] and containing in m["body"]
        ]


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def link(mail: dict[str, Any], label: str) -> str:
    return next(x["url"] for x in mail["links"] if x["label"] == label)


def eventually(check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"still {found!r} after {timeout}s")
        time.sleep(0.2)
    return found


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "state"


@pytest.fixture
def ports() -> dict[str, int]:
    return {name: free_port() for name in ("AWS_PORT", "API_PORT", "WEB_PORT", "SEARCH_PORT")}


def test_a_booking_awaiting_approval_is_approved_by_its_link_after_a_restart(
    state: Path, ports: dict[str, int]
) -> None:
    # Given `make run` with a booking awaiting the manager's approval
    first = Run(state, ports)
    try:
        guest, admin = first.token("guest@example.com"), first.token("admin@example.com")
        hotels = first.api("GET", "/hotels", admin).json()["items"]
        hotel = next(h for h in hotels if h["name"] == "Harbour Hotel")
        for confirmation in first.mail("manager@example.com", CONFIRMATION_SUBJECT):
            confirm = link(confirmation, "Confirm subscription")
            assert requests.get(confirm, timeout=10).status_code == 200
        check_in = dt.date.today() + dt.timedelta(days=45)
        booked = first.api("POST", "/bookings", guest, booking_body(hotel["hotelId"], check_in))
        assert booked.status_code == 202, booked.text
        booking_id = booked.json()["bookingId"]
        approval = eventually(lambda: first.mail("manager@example.com", "", booking_id))
    finally:
        # When it stops (Ctrl-C, or SIGTERM as here) and starts again
        first.stop()
    assert (state / FILE_NAME).exists()
    second = Run(state, ports)
    try:
        assert f"SFN {booking_id} started again" in second.output()
        # Then the link in the email still approves the booking
        approve = link(approval[0], "Approve")
        page = requests.get(approve, timeout=10)
        assert page.status_code == 200 and "Approve this booking" in page.text
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        decided = requests.post(approve.split("?")[0], data=form, timeout=30)
        assert decided.status_code == 200, decided.text
        again = second.token("guest@example.com")
        status = eventually(
            lambda: (
                second.api("GET", f"/bookings/{booking_id}", again).json()["status"] == "CONFIRMED"
            )
        )
        assert status
        # And the hotels (not seeded twice), the guest (same sub) and the mail are still there
        after = second.api("GET", "/hotels", second.token("admin@example.com")).json()["items"]
        assert sorted(h["hotelId"] for h in after) == sorted(h["hotelId"] for h in hotels)
        assert claims(again)["sub"] == claims(guest)["sub"]
        assert second.mail("manager@example.com", "", booking_id)[0]["id"] == approval[0]["id"]
        assert len(second.mail("manager@example.com", CONFIRMATION_SUBJECT)) == len(hotels)
        # The manager's subscription is still confirmed: a new booking's request reaches them
        another = second.api(
            "POST", "/bookings", again, booking_body(hotel["hotelId"], check_in, nights=1)
        )
        assert another.status_code == 202, another.text
        new_id = another.json()["bookingId"]
        assert eventually(lambda: second.mail("manager@example.com", "", new_id))
        # The picture is still served
        harbour = next(h for h in after if h["hotelId"] == hotel["hotelId"])
        assert harbour["imageUrl"], harbour
        picture = requests.get(harbour["imageUrl"], timeout=10)
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    finally:
        second.stop()
