"""What would break or mislead on a first deploy to AWS (issue 20, goal 3), checked on the
template as CloudFormation receives it (SAM-translated, intrinsics resolved per parameter set)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deploy import image
from localaws.provision.deploy import Deployer, DeployError
from localaws.provision.intrinsics import Resolver
from localaws.provision.template import Template, load_template

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


# -- the search image: no tag that points at nothing -------------------------------------------
def test_the_image_tag_has_no_default_and_takes_only_what_make_deploy_pushes(
    template: Template,
) -> None:
    declared = template.cfn["Parameters"]["SearchImageTag"]
    assert "Default" not in declared
    pattern = declared["AllowedPattern"]
    assert re.fullmatch(pattern, image.image_tag())
    for never_pushed in ("local", "latest", "src-1", ""):
        assert not re.fullmatch(pattern, never_pushed)


def test_a_deploy_without_the_image_tag_is_refused_before_anything_is_created(
    template: Template,
) -> None:
    declared = template.cfn["Parameters"]
    with pytest.raises(DeployError, match="SearchImageTag has no default"):
        Deployer._parameters(declared, {"SenderEmail": "bookings@example.com"})
    with pytest.raises(DeployError, match="SearchImageTag='local': a tag `make deploy` pushed"):
        Deployer._parameters(
            declared, {"SenderEmail": "bookings@example.com", "SearchImageTag": "local"}
        )
    tag = image.image_tag()
    given = {"SenderEmail": "bookings@example.com", "SearchImageTag": tag}
    assert Deployer._parameters(declared, given)["SearchImageTag"] == tag


# -- security groups: egress as documented, no default allow-all --------------------------------
def test_every_security_group_states_its_egress_so_ec2_adds_no_allow_all(
    template: Template,
) -> None:
    # EC2 gives a group created without inline egress an allow-all egress rule; separate
    # AWS::EC2::SecurityGroupEgress resources only add to it.
    groups = {k: v for k, v in template.resources.items() if v["Type"] == "AWS::EC2::SecurityGroup"}
    assert len(groups) == 3
    for logical_id, spec in groups.items():
        egress = spec["Properties"].get("SecurityGroupEgress")
        assert egress, f"{logical_id} gets EC2's default allow-all egress"
        for rule in egress:
            assert str(rule["IpProtocol"]) != "-1", f"{logical_id}: all protocols out"
    separate = [
        k for k, v in template.resources.items() if v["Type"] == "AWS::EC2::SecurityGroupEgress"
    ]
    assert separate == []
    tasks = groups["SearchTasksSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in tasks] == [("tcp", 443, 443)]
    link = groups["SearchVpcLinkSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [r["DestinationSecurityGroupId"] for r in link] == [{"Ref": "SearchTasksSecurityGroup"}]
    (none,) = groups["SearchEndpointsSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert none["CidrIp"] == "255.255.255.255/32"


# -- queues: a dead-letter queue outlives what it receives --------------------------------------
def test_each_dead_letter_queue_keeps_messages_longer_than_its_source(template: Template) -> None:
    # A standard queue's message keeps its original enqueue time in the DLQ (SQS developer
    # guide, "dead-letter queue retention"): the DLQ must keep it longer than the source did,
    # plus the time the source spent receiving it maxReceiveCount times.
    queues = {
        k: v["Properties"] for k, v in template.resources.items() if v["Type"] == "AWS::SQS::Queue"
    }
    sources = {k: p for k, p in queues.items() if "RedrivePolicy" in p}
    assert sources
    for logical_id, props in sources.items():
        policy = props["RedrivePolicy"]
        dlq = queues[policy["deadLetterTargetArn"]["Fn::GetAtt"][0]]
        kept = int(props["MessageRetentionPeriod"])  # explicit: the 4-day default is a choice
        receiving = int(policy["maxReceiveCount"]) * int(props.get("VisibilityTimeout", 30))
        assert int(dlq["MessageRetentionPeriod"]) >= kept + receiving, logical_id
