"""The sandbox gateway's outage switch, read through Powertools parameters (stubbed SSM)."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from botocore.stub import Stubber

from hotel_booking.dal.parameters import OutageSwitch
from hotel_booking.errors import PaymentGatewayUnavailable, TransientError
from hotel_booking.logic.payments import SandboxGateway

NAME = "/hotel-booking/sandbox/payment-outage"


def switch(*answers: str | None, max_age: int = 0) -> tuple[OutageSwitch, Stubber]:
    client = boto3.client(
        "ssm", region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    for value in answers:
        if value is None:
            stub.add_client_error("get_parameter", "ThrottlingException", "slow down")
        else:
            stub.add_response(
                "get_parameter",
                {"Parameter": {"Name": NAME, "Value": value, "Type": "String"}},
                {"Name": NAME, "WithDecryption": False},
            )
    stub.activate()
    return OutageSwitch(client, NAME, max_age), stub


def test_on_makes_every_call_fail_as_unreachable_and_off_lets_it_through() -> None:
    outage, stub = switch("on", "off")
    gateway = SandboxGateway(outage)
    with pytest.raises(PaymentGatewayUnavailable):
        gateway.charge("tok_visa", Decimal(10), "EUR", idempotency_key="bk")
    assert gateway.charge("tok_visa", Decimal(10), "EUR", idempotency_key="bk").startswith("ch_")
    stub.assert_no_pending_responses()


def test_the_value_is_cached_for_max_age_seconds() -> None:
    outage, stub = switch("on", max_age=60)
    assert outage() is True
    assert outage() is True  # no second GetParameter (the stub has none to give)
    stub.assert_no_pending_responses()


def test_an_unreadable_switch_is_a_transient_error() -> None:
    outage, _ = switch(None)
    with pytest.raises(TransientError, match="outage switch could not be read"):
        outage()
