"""What would break or mislead on a first deploy to AWS (issue 20, goal 3), checked on the
template as CloudFormation receives it (SAM-translated, intrinsics resolved per parameter set)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from localaws.intrinsics import Resolver
from localaws.template import Template, load_template

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = "123456789012"
REGION = "eu-west-2"


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(ROOT / "template.yaml", REGION)


def resolver(template: Template, **parameters: str) -> Resolver:
    declared = template.cfn["Parameters"]
    values = {k: str(v.get("Default", "")) for k, v in declared.items()}
    values.update(parameters)
    return Resolver(
        parameters=values,
        pseudo={
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": "hotel-booking-saga",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        },
        conditions=template.cfn.get("Conditions", {}),
        ref=lambda name: name,
        get_att=lambda name, attribute: f"{name}.{attribute}",
    )


def send_email_resources(template: Template, **parameters: str) -> dict[str, set[str]]:
    """Each role granting ses:SendEmail: the identity ARNs it is granted on."""
    resolve = resolver(template, **parameters).resolve
    granted: dict[str, set[str]] = {}
    for logical_id, spec in template.resources.items():
        if spec["Type"] != "AWS::IAM::Role":
            continue
        for policy in resolve(spec["Properties"].get("Policies", [])):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if "ses:SendEmail" in ([actions] if isinstance(actions, str) else actions):
                    resources = statement["Resource"]
                    granted.setdefault(logical_id, set()).update(
                        [resources] if isinstance(resources, str) else resources
                    )
    return granted


def identity(name: str) -> str:
    return f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{name}"


# -- SES: the grant names the identity that verifies the sender -------------------------------
def test_an_address_identity_is_granted_on_the_address(template: Template) -> None:
    granted = send_email_resources(template, SenderEmail="bookings@example.com")
    assert len(granted) == 3  # ConfirmBooking, RecordFailure, FinishCancellation
    assert set(map(frozenset, granted.values())) == {frozenset({identity("bookings@example.com")})}


def test_a_domain_identity_is_granted_on_the_domain(template: Template) -> None:
    # SES authorizes SendEmail against the domain identity's ARN when only the domain is
    # verified: a grant on the address would be AccessDenied on every guest email.
    granted = send_email_resources(
        template, SenderEmail="bookings@example.com", SenderIdentity="domain"
    )
    assert len(granted) == 3
    assert set(map(frozenset, granted.values())) == {frozenset({identity("example.com")})}


def test_the_sandbox_adds_the_recipients_identities(template: Template) -> None:
    granted = send_email_resources(
        template, SenderEmail="bookings@example.com", SenderIdentity="domain", SesSandbox="true"
    )
    assert set(map(frozenset, granted.values())) == {
        frozenset({identity("example.com"), identity("*")})
    }


def test_the_sender_parameters_say_which_identity_is_granted(template: Template) -> None:
    declared = template.cfn["Parameters"]
    assert declared["SenderIdentity"]["AllowedValues"] == ["address", "domain"]
    assert "SenderIdentity" in declared["SenderEmail"]["Description"]
    assert re.search(r"domain", declared["SenderIdentity"]["Description"])
