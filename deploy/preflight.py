"""make deploy's preflight: everything that would make a deploy fail later, checked first.

`python -m deploy check` runs before `sam build`, the image build and push, and `sam deploy`,
so a deploy that can be seen to fail stops before it builds, pushes or creates anything, and
says every reason at once (one line each, with what to do). It reads only: samconfig.toml,
the template's parameter rules, STS, SES (the sender's identity, the account's sandbox),
CloudFormation (the stack's state, resources kept by a failed or deleted stack), and the
local Docker.
"""

from __future__ import annotations

import platform
import re
import shlex
import subprocess
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.website import DeployError

#: Stack states `sam deploy` can deploy over (or create from: none at all).
DEPLOYABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",  # a change set was made and never run: sam deploy makes another
}
#: What a failed first create leaves: CloudFormation can only delete such a stack.
FAILED_CREATE = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"}
#: What CloudFormation records for a resource it kept (DeletionPolicy: Retain) on delete.
KEPT = "DELETE_SKIPPED"
ARM64_MACHINES = {"arm64", "aarch64"}
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
#: Service Quotas' code for "VPCs per Region" (default 5); the stack makes one VPC.
VPC_QUOTA = ("vpc", "L-F678F1CE")
VPCS_PER_STACK = 1
BINFMT = "docker run --privileged --rm tonistiigi/binfmt --install arm64"

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


@dataclass(frozen=True)
class Finding:
    """One thing the preflight found: ``blocking`` ones refuse the deploy, the others inform."""

    text: str
    blocking: bool = True


@dataclass(frozen=True)
class KeptResource:
    """A resource a stack kept when it was deleted or rolled back (DeletionPolicy: Retain)."""

    type: str
    physical_id: str
    logical_id: str

    def __str__(self) -> str:
        return f"{self.type} {self.physical_id} ({self.logical_id})"


# -- parameters --------------------------------------------------------------------------------
def parameter_overrides(samconfig: Path) -> dict[str, str]:
    """samconfig.toml's ``parameter_overrides`` as a dict (quoted values as `sam` reads them)."""
    deploy = tomllib.loads(samconfig.read_text()).get("default", {}).get("deploy", {})
    own = str(deploy.get("parameters", {}).get("parameter_overrides", ""))
    pairs = (item.partition("=") for item in shlex.split(own))
    return {key: value for key, _, value in pairs if key}


def check_parameters(given: dict[str, str], declared: dict[str, Any]) -> list[Finding]:
    """What CloudFormation would refuse at validation, and SenderEmail, which has no default."""
    found: list[Finding] = []
    sender = given.get("SenderEmail", "")
    if not sender:
        found.append(
            Finding(
                "SenderEmail is not set: guests' emails come from an address you verify in "
                "Amazon SES. Add it to samconfig.toml: parameter_overrides = "
                '"SenderEmail=bookings@your-domain" (docs/deploy.md, section 2).'
            )
        )
    alerts = given.get("OperationsAlertEmail", "")
    if alerts and not re.fullmatch(EMAIL, alerts):
        # SNS refuses the subscription, which fails the create after most of it was built.
        found.append(Finding(f"OperationsAlertEmail={alerts!r} is not an email address."))
    for name, value in given.items():
        rules = declared.get(name)
        if rules is None:
            found.append(Finding(f"samconfig.toml sets {name}, which template.yaml does not have."))
            continue
        pattern = rules.get("AllowedPattern")
        allowed = [str(a) for a in rules.get("AllowedValues", [])]
        if pattern and not re.fullmatch(pattern, value):
            why = str(rules.get("ConstraintDescription", f"must match {pattern}")).strip()
            found.append(Finding(f"{name}={value!r} is refused by the template: {why}."))
        elif allowed and value not in allowed:
            found.append(Finding(f"{name}={value!r} is not one of {', '.join(allowed)}."))
    return found


# -- credentials and region --------------------------------------------------------------------
def check_region(session: Any, region: str) -> list[Finding]:
    known = set(session.get_available_regions("cloudformation"))
    if region not in known:
        return [Finding(f"samconfig.toml's region {region!r} is not an AWS region.")]
    return []


# -- SES ---------------------------------------------------------------------------------------
def verified_identity(sesv2: Any, sender: str) -> tuple[str | None, str]:
    """("address" | "domain" | None, why): the identity SES authorizes the sender against.

    An address identity takes precedence over its domain's (SES developer guide); a domain
    identity covers every address in it."""
    domain = sender.rpartition("@")[2]
    seen: list[str] = []
    for kind, name in (("address", sender), ("domain", domain)):
        try:
            identity = sesv2.get_email_identity(EmailIdentity=name)
        except sesv2.exceptions.NotFoundException:
            continue
        if identity.get("VerifiedForSendingStatus"):
            return kind, name
        seen.append(f"{name} ({identity.get('VerificationStatus', 'PENDING').lower()})")
    return None, ", ".join(seen)


def check_ses(sesv2: Any, parameters: dict[str, str], region: str) -> list[Finding]:
    sender = parameters.get("SenderEmail", "")
    found: list[Finding] = []
    if sender:
        kind, detail = verified_identity(sesv2, sender)
        said = parameters.get("SenderIdentity", "address")
        domain = sender.rpartition("@")[2]
        if kind is None:
            waiting = f" SES has {detail}, not verified yet." if detail else ""
            found.append(
                Finding(
                    f"SES in {region} has no verified identity for SenderEmail {sender} (the "
                    f"address, or the domain {domain}).{waiting} Verify one: `aws sesv2 "
                    f"create-email-identity --email-identity {sender} --region {region}` and "
                    "click the link SES emails (a domain: add the DKIM records it lists). "
                    "Without it every guest email is refused."
                )
            )
        elif kind != said:
            found.append(
                Finding(
                    f"SES verifies SenderEmail {sender} by its {kind} ({detail}), but "
                    f"SenderIdentity is {said!r}: the functions would be granted the wrong "
                    f"identity and SES would refuse every guest email (AccessDenied). Set "
                    f"SenderIdentity={kind} in samconfig.toml's parameter_overrides."
                )
            )
    account = sesv2.get_account()
    sandbox = not account.get("ProductionAccessEnabled", False)
    declared_sandbox = parameters.get("SesSandbox", "false") == "true"
    if not account.get("SendingEnabled", True):
        found.append(
            Finding(
                f"SES sending is paused for this account in {region} (GetAccount: "
                "SendingEnabled false); guests would get no email. See the SES console's "
                "Account dashboard."
            )
        )
    if sandbox and not declared_sandbox:
        found.append(
            Finding(
                f"this account's SES in {region} is in the sandbox: it sends only to verified "
                "addresses, and authorizes SendEmail on each recipient's identity too, so with "
                "SesSandbox=false every guest email is refused. Either deploy with "
                "SesSandbox=true and verify each test guest's address (200 emails a day, 1 a "
                "second), or request production access first (docs/deploy.md, section 2)."
            )
        )
    if sandbox and declared_sandbox:
        found.append(
            Finding(
                "SES is in the sandbox (SesSandbox=true): only guests whose address is verified "
                "in SES get their booking emails; bookings complete either way.",
                blocking=False,
            )
        )
    if not sandbox and declared_sandbox:
        found.append(
            Finding(
                "SES has production access but SesSandbox=true grants the senders every SES "
                "identity of the account; set SesSandbox=false.",
                blocking=False,
            )
        )
    return found


# -- the stack ---------------------------------------------------------------------------------
def kept_resources(cloudformation: Any, stack: str) -> list[KeptResource]:
    """What a rolled-back or deleted stack of this name kept (DeletionPolicy: Retain).

    CloudFormation lists a deleted stack's resources by its id for 90 days; a kept one is
    ``DELETE_SKIPPED`` there."""
    ids = [stack]
    pages = cloudformation.get_paginator("list_stacks").paginate(
        StackStatusFilter=["DELETE_COMPLETE"]
    )
    ids += [
        s["StackId"] for page in pages for s in page["StackSummaries"] if s["StackName"] == stack
    ]
    kept: list[KeptResource] = []
    for stack_id in ids:
        try:
            pages = cloudformation.get_paginator("list_stack_resources").paginate(
                StackName=stack_id
            )
            summaries = [r for page in pages for r in page["StackResourceSummaries"]]
        except cloudformation.exceptions.ClientError:
            continue  # no such live stack
        kept += [
            KeptResource(r["ResourceType"], r.get("PhysicalResourceId", ""), r["LogicalResourceId"])
            for r in summaries
            if r["ResourceStatus"] == KEPT and r.get("PhysicalResourceId")
        ]
    return kept


def stack_status(cloudformation: Any, stack: str) -> str | None:
    try:
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except cloudformation.exceptions.ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return str(described["StackStatus"])


def check_stack(
    cloudformation: Any,
    stack: str,
    region: str,
    exists: Callable[[KeptResource], bool] = lambda _: True,
) -> list[Finding]:
    """Whether CloudFormation can deploy this stack now; ``exists`` drops kept resources that
    were deleted since (CloudFormation's record of a deleted stack still lists them)."""
    status = stack_status(cloudformation, stack)
    kept = [r for r in kept_resources(cloudformation, stack) if exists(r)]
    listed = "; ".join(map(str, kept))
    if status in FAILED_CREATE:
        return [
            Finding(
                f"stack {stack} in {region} is {status}: its first create failed and rolled "
                "back, and CloudFormation can only delete it. Run `make destroy` (it deletes "
                "the stack, then lists what the stack kept). "
                + (f"The failed create kept: {listed}." if kept else "")
            )
        ]
    if status is not None and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        return [Finding(f"stack {stack} is {status}: wait for it to finish, then run again.")]
    if status == "UPDATE_ROLLBACK_FAILED":
        return [
            Finding(
                f"stack {stack} is UPDATE_ROLLBACK_FAILED: fix what the stack's events name, "
                f"then `aws cloudformation continue-update-rollback --stack-name {stack} "
                f"--region {region}`, and run make deploy again."
            )
        ]
    if status == "DELETE_FAILED":
        return [Finding(f"stack {stack} is DELETE_FAILED: run `make destroy` again.")]
    if status is not None and status not in DEPLOYABLE:
        return [Finding(f"stack {stack} is {status}, which CloudFormation cannot deploy over.")]
    if status is None and kept:
        return [
            Finding(
                f"an earlier stack named {stack} was deleted and kept {len(kept)} resources "
                f"(tables and buckets hold its data): {listed}. They do not block this deploy "
                "(their names are generated), but they cost money: `make destroy` lists them "
                "and deletes them when you confirm.",
                blocking=False,
            )
        ]
    return []


# -- quotas --------------------------------------------------------------------------------------
def check_vpc_quota(ec2: Any, quotas: Any, creating: bool, region: str) -> list[Finding]:
    """A first create makes one VPC; at the region's quota it fails late and rolls back."""
    if not creating:
        return []
    in_use = sum(len(page["Vpcs"]) for page in ec2.get_paginator("describe_vpcs").paginate())
    try:
        quota = quotas.get_service_quota(ServiceCode=VPC_QUOTA[0], QuotaCode=VPC_QUOTA[1])
        limit = int(quota["Quota"]["Value"])
    except quotas.exceptions.NoSuchResourceException:
        limit = 5  # the default, when the account never changed it
    if in_use + VPCS_PER_STACK > limit:
        return [
            Finding(
                f"{region} already has {in_use} VPCs of the {limit} this account may have; the "
                "stack makes one more (the search service's). Delete an unused VPC or ask for "
                "a higher quota (Service Quotas: Amazon VPC, VPCs per Region)."
            )
        ]
    return []


# -- Docker and the arm64 image ----------------------------------------------------------------
def check_arm64_build(run: Runner, machine: str | None = None) -> list[Finding]:
    """The image is linux/arm64 (Fargate on Graviton): native on an arm64 machine; elsewhere
    buildx needs QEMU registered with binfmt_misc, or `docker build` fails after the functions
    were built (`exec format error`)."""
    if (machine or platform.machine()).lower() in ARM64_MACHINES:
        return []
    inspected = run(["docker", "buildx", "inspect", "--bootstrap"])
    if inspected.returncode != 0:
        return [
            Finding(
                "Docker has no buildx (`docker buildx inspect` failed), which builds the "
                "search service's linux/arm64 image on this x86 machine: install the "
                "docker-buildx plugin (Docker Desktop has it)."
            )
        ]
    platforms = ",".join(
        line.partition(":")[2]
        for line in inspected.stdout.splitlines()
        if line.strip().startswith("Platforms:")
    )
    if "linux/arm64" not in {p.strip() for p in platforms.split(",")}:
        return [
            Finding(
                "this x86 machine's Docker cannot build linux/arm64 images (buildx lists "
                f"{platforms.strip() or 'no platforms'}): register QEMU for arm64 once with "
                f"`{BINFMT}` (Docker Desktop has it built in), or run make deploy on an arm64 "
                "machine."
            )
        ]
    return []


def report(findings: Sequence[Finding]) -> list[str]:
    """Print the notes; a DeployError naming every blocking finding, if any."""
    notes = [f.text for f in findings if not f.blocking]
    for note in notes:
        print(f"make deploy: note: {note}")
    blocking = [f.text for f in findings if f.blocking]
    if blocking:
        raise DeployError(
            "\nmake deploy: refused: ".join(blocking)
            + "\nNothing was built or deployed: fix the above and run make deploy again."
        )
    return notes
