"""make deploy's preflight (`python -m deploy check`): every reason a deploy would fail later,
found before anything is built. AWS answers come from botocore's Stubber (no account)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from deploy import preflight
from deploy.preflight import Finding
from deploy.website import DeployError, template_document

ROOT = Path(__file__).resolve().parents[3]
REGION = "eu-west-2"
STACK = "hotel-booking-saga"
DECLARED = template_document()["Parameters"]
SENDER = "bookings@example.com"


def client(service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def ses() -> Iterator[tuple[Any, Stubber]]:
    sesv2 = client("sesv2")
    with Stubber(sesv2) as stub:
        yield sesv2, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def cfn() -> Iterator[tuple[Any, Stubber]]:
    cloudformation = client("cloudformation")
    with Stubber(cloudformation) as stub:
        yield cloudformation, stub
        stub.assert_no_pending_responses()


def identity(stub: Stubber, name: str, verified: bool | None) -> None:
    """SES's answer for one identity: verified, pending (False) or unknown (None)."""
    if verified is None:
        stub.add_client_error(
            "get_email_identity",
            service_error_code="NotFoundException",
            http_status_code=404,
            expected_params={"EmailIdentity": name},
        )
        return
    stub.add_response(
        "get_email_identity",
        {
            "VerifiedForSendingStatus": verified,
            "VerificationStatus": "SUCCESS" if verified else "PENDING",
        },
        {"EmailIdentity": name},
    )


def account(stub: Stubber, production: bool, sending: bool = True) -> None:
    stub.add_response(
        "get_account", {"ProductionAccessEnabled": production, "SendingEnabled": sending}
    )


def blocking(findings: list[Finding]) -> list[str]:
    return [f.text for f in findings if f.blocking]


# -- parameters ---------------------------------------------------------------------------------
def test_samconfig_parameters_are_read_as_sam_reads_them(tmp_path: Path) -> None:
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        "[default.deploy.parameters]\n"
        "parameter_overrides = \"SenderEmail=a@example.com LogLevel='DEBUG' SesSandbox=true\"\n"
    )
    assert preflight.parameter_overrides(samconfig) == {
        "SenderEmail": "a@example.com",
        "LogLevel": "DEBUG",
        "SesSandbox": "true",
    }
    assert preflight.parameter_overrides(ROOT / "samconfig.toml") == {}


def test_a_missing_or_malformed_sender_is_refused_before_anything_is_built() -> None:
    (missing,) = blocking(preflight.check_parameters({}, DECLARED))
    assert "SenderEmail is not set" in missing and "samconfig.toml" in missing
    (malformed,) = blocking(preflight.check_parameters({"SenderEmail": "bookings"}, DECLARED))
    assert "SenderEmail='bookings' is refused by the template" in malformed
    wrong = preflight.check_parameters(
        {"SenderEmail": SENDER, "SenderIdentity": "subdomain", "Nope": "1"}, DECLARED
    )
    assert blocking(wrong) == [
        "SenderIdentity='subdomain' is not one of address, domain.",
        "samconfig.toml sets Nope, which template.yaml does not have.",
    ]
    assert preflight.check_parameters({"SenderEmail": SENDER}, DECLARED) == []
    alerts = {"SenderEmail": SENDER, "OperationsAlertEmail": "ops"}
    assert blocking(preflight.check_parameters(alerts, DECLARED)) == [
        "OperationsAlertEmail='ops' is not an email address."
    ]


def test_an_unknown_region_is_refused() -> None:
    session = boto3.Session(region_name=REGION)
    assert preflight.check_region(session, REGION) == []
    (bad,) = blocking(preflight.check_region(session, "eu-west-9"))
    assert "'eu-west-9' is not an AWS region" in bad


# -- SES ----------------------------------------------------------------------------------------
def test_a_verified_address_out_of_the_sandbox_passes(ses: tuple[Any, Stubber]) -> None:
    sesv2, stub = ses
    identity(stub, SENDER, True)
    account(stub, production=True)
    assert preflight.check_ses(sesv2, {"SenderEmail": SENDER}, REGION) == []


def test_a_domain_identity_needs_sender_identity_domain(ses: tuple[Any, Stubber]) -> None:
    sesv2, stub = ses
    identity(stub, SENDER, None)
    identity(stub, "example.com", True)
    account(stub, production=True)
    (refused,) = blocking(preflight.check_ses(sesv2, {"SenderEmail": SENDER}, REGION))
    assert "by its domain (example.com)" in refused
    assert "Set SenderIdentity=domain" in refused
    identity(stub, SENDER, None)
    identity(stub, "example.com", True)
    account(stub, production=True)
    given = {"SenderEmail": SENDER, "SenderIdentity": "domain"}
    assert preflight.check_ses(sesv2, given, REGION) == []


def test_an_unverified_sender_is_refused_with_how_to_verify(ses: tuple[Any, Stubber]) -> None:
    sesv2, stub = ses
    identity(stub, SENDER, False)  # created, link not clicked yet
    identity(stub, "example.com", None)
    account(stub, production=True)
    (refused,) = blocking(preflight.check_ses(sesv2, {"SenderEmail": SENDER}, REGION))
    assert "no verified identity for SenderEmail bookings@example.com" in refused
    assert "bookings@example.com (pending), not verified yet" in refused
    assert "aws sesv2 create-email-identity --email-identity bookings@example.com" in refused


def test_the_sandbox_must_be_declared_and_says_what_guests_get(ses: tuple[Any, Stubber]) -> None:
    sesv2, stub = ses
    identity(stub, SENDER, True)
    account(stub, production=False)
    (refused,) = blocking(preflight.check_ses(sesv2, {"SenderEmail": SENDER}, REGION))
    assert "in the sandbox" in refused and "SesSandbox=true" in refused
    assert "request production access" in refused
    identity(stub, SENDER, True)
    account(stub, production=False)
    declared = preflight.check_ses(sesv2, {"SenderEmail": SENDER, "SesSandbox": "true"}, REGION)
    assert blocking(declared) == []
    (note,) = [f.text for f in declared]
    assert "only guests whose address is verified" in note


def test_paused_sending_is_refused(ses: tuple[Any, Stubber]) -> None:
    sesv2, stub = ses
    identity(stub, SENDER, True)
    account(stub, production=True, sending=False)
    (refused,) = blocking(preflight.check_ses(sesv2, {"SenderEmail": SENDER}, REGION))
    assert "SES sending is paused" in refused


# -- the stack ----------------------------------------------------------------------------------
def stack_is(stub: Stubber, status: str | None) -> None:
    if status is None:
        stub.add_client_error(
            "describe_stacks",
            service_error_code="ValidationError",
            service_message=f"Stack with id {STACK} does not exist",
            http_status_code=400,
        )
    else:
        stub.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": STACK,
                        "StackStatus": status,
                        "CreationTime": "2026-12-07T10:00:00Z",
                    }
                ]
            },
            {"StackName": STACK},
        )


def deleted_stacks(stub: Stubber, ids: list[str]) -> None:
    summaries = [
        {
            "StackId": i,
            "StackName": STACK,
            "CreationTime": "2026-12-01T10:00:00Z",
            "StackStatus": "DELETE_COMPLETE",
        }
        for i in ids
    ]
    summaries.append(
        {
            "StackId": "arn:other",
            "StackName": "someone-else",
            "CreationTime": "2026-12-01T10:00:00Z",
            "StackStatus": "DELETE_COMPLETE",
        }
    )
    stub.add_response(
        "list_stacks", {"StackSummaries": summaries}, {"StackStatusFilter": ["DELETE_COMPLETE"]}
    )


def resources(stub: Stubber, stack: str, kept: list[tuple[str, str, str]] | None) -> None:
    if kept is None:
        stub.add_client_error(
            "list_stack_resources",
            service_error_code="ValidationError",
            service_message=f"Stack with id {stack} does not exist",
            http_status_code=400,
            expected_params={"StackName": stack},
        )
        return
    summaries = [
        {
            "LogicalResourceId": logical,
            "PhysicalResourceId": physical,
            "ResourceType": kind,
            "ResourceStatus": "DELETE_SKIPPED",
            "LastUpdatedTimestamp": "2026-12-07T10:05:00Z",
        }
        for kind, physical, logical in kept
    ]
    summaries.append(
        {
            "LogicalResourceId": "ConfirmBookingFunction",
            "PhysicalResourceId": "fn",
            "ResourceType": "AWS::Lambda::Function",
            "ResourceStatus": "DELETE_COMPLETE",
            "LastUpdatedTimestamp": "2026-12-07T10:05:00Z",
        }
    )
    stub.add_response(
        "list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": stack}
    )


def test_a_first_deploy_to_an_empty_account_passes(cfn: tuple[Any, Stubber]) -> None:
    cloudformation, stub = cfn
    stack_is(stub, None)
    deleted_stacks(stub, [])
    resources(stub, STACK, None)
    assert preflight.check_stack(cloudformation, STACK, REGION) == []


def test_a_failed_first_create_is_refused_with_what_it_kept_and_what_to_do(
    cfn: tuple[Any, Stubber],
) -> None:
    cloudformation, stub = cfn
    stack_is(stub, "ROLLBACK_COMPLETE")
    deleted_stacks(stub, [])
    resources(
        stub,
        STACK,
        [
            ("AWS::DynamoDB::Table", "hotel-booking-saga-HotelsTable-1AB", "HotelsTable"),
            ("AWS::Cognito::UserPool", "eu-west-2_AbC", "UserPool"),
        ],
    )
    (refused,) = blocking(preflight.check_stack(cloudformation, STACK, REGION))
    assert "is ROLLBACK_COMPLETE: its first create failed" in refused
    assert "Run `make destroy`" in refused
    assert "AWS::DynamoDB::Table hotel-booking-saga-HotelsTable-1AB (HotelsTable)" in refused
    assert "AWS::Cognito::UserPool eu-west-2_AbC (UserPool)" in refused


def test_what_a_deleted_stack_kept_is_named_but_does_not_block(cfn: tuple[Any, Stubber]) -> None:
    cloudformation, stub = cfn
    stack_is(stub, None)
    deleted_stacks(stub, ["arn:old"])
    resources(stub, STACK, None)
    resources(stub, "arn:old", [("AWS::S3::Bucket", "hotel-booking-saga-pictures-x", "Pics")])
    (note,) = preflight.check_stack(cloudformation, STACK, REGION)
    assert not note.blocking
    assert "AWS::S3::Bucket hotel-booking-saga-pictures-x (Pics)" in note.text
    assert "`make destroy`" in note.text


def test_kept_resources_deleted_since_are_not_named(cfn: tuple[Any, Stubber]) -> None:
    cloudformation, stub = cfn
    stack_is(stub, None)
    deleted_stacks(stub, ["arn:old"])
    resources(stub, STACK, None)
    resources(stub, "arn:old", [("AWS::S3::Bucket", "hotel-booking-saga-pictures-x", "Pics")])
    assert preflight.check_stack(cloudformation, STACK, REGION, exists=lambda _: False) == []


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("UPDATE_IN_PROGRESS", "wait for it to finish"),
        ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback --stack-name hotel-booking-saga"),
        ("DELETE_FAILED", "run `make destroy` again"),
    ],
)
def test_a_stack_that_cannot_take_a_deploy_is_refused(
    cfn: tuple[Any, Stubber], status: str, says: str
) -> None:
    cloudformation, stub = cfn
    stack_is(stub, status)
    deleted_stacks(stub, [])
    resources(stub, STACK, [])
    (refused,) = blocking(preflight.check_stack(cloudformation, STACK, REGION))
    assert says in refused


# -- quotas -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("vpcs", "refused"), [(4, False), (5, True)])
def test_a_first_create_needs_room_for_one_more_vpc(vpcs: int, refused: bool) -> None:
    ec2, quotas = client("ec2"), client("service-quotas")
    with Stubber(ec2) as ec2_stub, Stubber(quotas) as quota_stub:
        ec2_stub.add_response(
            "describe_vpcs", {"Vpcs": [{"VpcId": f"vpc-{i}"} for i in range(vpcs)]}
        )
        quota_stub.add_client_error(
            "get_service_quota", service_error_code="NoSuchResourceException", http_status_code=404
        )
        found = preflight.check_vpc_quota(ec2, quotas, creating=True, region=REGION)
    assert bool(blocking(found)) is refused
    if refused:
        assert "already has 5 VPCs of the 5" in found[0].text
    assert preflight.check_vpc_quota(ec2, quotas, creating=False, region=REGION) == []


# -- Docker: the arm64 image ----------------------------------------------------------------------
class Docker:
    def __init__(self, code: int, out: str) -> None:
        self.code, self.out = code, out
        self.calls: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(command))
        return subprocess.CompletedProcess(list(command), self.code, self.out, "")


def test_an_arm64_machine_builds_natively() -> None:
    docker = Docker(1, "")
    assert preflight.check_arm64_build(docker, machine="aarch64") == []
    assert docker.calls == []


def test_an_x86_machine_without_qemu_is_refused_before_building() -> None:
    docker = Docker(0, "Name: default\nDriver: docker\nPlatforms: linux/amd64, linux/386\n")
    (refused,) = blocking(preflight.check_arm64_build(docker, machine="x86_64"))
    assert docker.calls == [["docker", "buildx", "inspect", "--bootstrap"]]
    assert "cannot build linux/arm64" in refused
    assert preflight.BINFMT in refused
    no_buildx = Docker(1, "")
    (refused,) = blocking(preflight.check_arm64_build(no_buildx, machine="x86_64"))
    assert "no buildx" in refused


def test_an_x86_machine_with_qemu_passes() -> None:
    docker = Docker(0, "Platforms: linux/amd64, linux/arm64, linux/arm/v7\n")
    assert preflight.check_arm64_build(docker, machine="x86_64") == []


# -- the report -----------------------------------------------------------------------------------
def test_every_reason_is_given_at_once_and_notes_do_not_block(
    capsys: pytest.CaptureFixture[str],
) -> None:
    findings = [Finding("first"), Finding("a note", blocking=False), Finding("second")]
    with pytest.raises(DeployError) as refused:
        preflight.report(findings)
    assert str(refused.value) == (
        "first\nmake deploy: refused: second\n"
        "Nothing was built or deployed: fix the above and run make deploy again."
    )
    assert capsys.readouterr().out == "make deploy: note: a note\n"
    assert preflight.report([Finding("fine", blocking=False)]) == ["fine"]


# -- the whole check ------------------------------------------------------------------------------
class Session:
    """A boto3 session whose clients answer from Stubbers (and whose credentials exist)."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    def get_credentials(self) -> object:
        return object()

    def client(self, service: str) -> Any:
        return self.clients[service]

    def get_available_regions(self, service: str) -> list[str]:
        return boto3.Session().get_available_regions(service)


def test_make_deploy_check_names_every_late_failure_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import deploy.__main__ as entry

    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        '[default.deploy.parameters]\nparameter_overrides = "SenderEmail=bookings@example.com"\n'
    )
    monkeypatch.setattr(entry, "SAMCONFIG", samconfig)
    monkeypatch.setattr(entry, "check_build_tools", lambda: None)
    monkeypatch.setattr(entry.image, "check_docker", lambda: None)
    clients = {s: client(s) for s in ("sts", "sesv2", "cloudformation", "ec2", "service-quotas")}
    stubs = {s: Stubber(c) for s, c in clients.items()}
    stubs["sts"].add_response(
        "get_caller_identity",
        {"Arn": "arn:aws:iam::123456789012:user/me", "Account": "123456789012", "UserId": "me"},
    )
    identity(stubs["sesv2"], SENDER, None)
    identity(stubs["sesv2"], "example.com", True)  # only the domain is verified
    account(stubs["sesv2"], production=False)  # and the account is in the sandbox
    stack_is(stubs["cloudformation"], "ROLLBACK_COMPLETE")  # a failed first create
    deleted_stacks(stubs["cloudformation"], [])
    resources(stubs["cloudformation"], STACK, [])
    stack_is(stubs["cloudformation"], "ROLLBACK_COMPLETE")
    for stub in stubs.values():
        stub.activate()
    docker = Docker(0, "Platforms: linux/amd64\n")  # x86 without QEMU
    monkeypatch.setattr(preflight.platform, "machine", lambda: "x86_64")

    findings, who = entry.preflight_findings(Session(clients), run=docker)

    for stub in stubs.values():
        stub.assert_no_pending_responses()
    assert who == "arn:aws:iam::123456789012:user/me"
    reasons = blocking(findings)
    assert len(reasons) == 4, reasons
    assert "cannot build linux/arm64" in reasons[0]  # what this machine lacks, then AWS
    assert "Set SenderIdentity=domain" in reasons[1]
    assert "in the sandbox" in reasons[2]
    assert "is ROLLBACK_COMPLETE" in reasons[3]
    with pytest.raises(DeployError) as refused:
        preflight.report(findings)
    assert str(refused.value).count("make deploy: refused: ") == 3  # the first is main's prefix


def test_a_check_aws_will_not_answer_is_a_refusal_naming_the_calls() -> None:
    import deploy.__main__ as entry

    cloudformation = client("cloudformation")
    with Stubber(cloudformation) as stub:
        stub.add_client_error(
            "describe_stacks", service_error_code="AccessDenied", http_status_code=403
        )
        (refused,) = entry._asking_aws(
            "the stack (DescribeStacks)",
            lambda: preflight.check_stack(cloudformation, STACK, REGION),
        )
    assert refused.blocking
    assert refused.text.startswith("could not check the stack (DescribeStacks): An error")
    assert "AccessDenied" in refused.text
