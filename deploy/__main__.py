"""python -m deploy check | image | site | admin --email E [--name N] | migrate-managers [--apply]
| migrate-bookings [--apply] | destroy [--confirm STACK]   (make deploy, make admin,
make migrate-managers, make migrate-bookings, make destroy)

Stack name and region come from samconfig.toml (the file `sam deploy` reads), so the three
steps of `make deploy` always talk about the same stack.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from deploy import image, preflight
from deploy.preflight import Finding
from deploy.website import (
    DeployError,
    publish,
    site_config,
    stack_outputs,
    template_document,
    template_pool_properties,
)

ROOT = Path(__file__).resolve().parent.parent
SAMCONFIG = ROOT / "samconfig.toml"
LAMBDA_PYTHON = "python3.13"  # template.yaml Globals.Function.Runtime


def stack_settings(samconfig: Path = SAMCONFIG) -> tuple[str, str]:
    """(stack name, region) from samconfig.toml, the values `sam deploy` uses (it ignores
    AWS_REGION when samconfig.toml names a region, so this does too)."""
    settings = tomllib.loads(samconfig.read_text())["default"]["global"]["parameters"]
    return settings["stack_name"], settings["region"]


def check_credentials(session: Any) -> str:
    """Who the deploy runs as; a DeployError saying why not when there are no credentials."""
    from botocore.exceptions import BotoCoreError, ClientError

    if session.get_credentials() is None:
        raise DeployError(
            "no AWS credentials: make deploy creates real resources in your AWS account and "
            "needs credentials for it. Run `aws configure` (or `aws sso login --profile P` and "
            "export AWS_PROFILE=P), then run make deploy again. Nothing was deployed."
        )
    try:
        identity = session.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(
            f"the AWS credentials found do not work ({exc}); refresh them "
            "(e.g. `aws sso login`) and run make deploy again. Nothing was deployed."
        ) from exc
    return str(identity["Arn"])


def check_build_tools() -> None:
    if shutil.which("sam") is None:
        raise DeployError(
            "the AWS SAM CLI (`sam`) is not on PATH: install it (docs/deploy.md, step 1)."
        )
    uses_container = "--use-container" in os.environ.get("SAM_BUILD_FLAGS", "")
    if not uses_container and shutil.which(LAMBDA_PYTHON) is None:
        raise DeployError(
            f"`sam build` builds the functions with {LAMBDA_PYTHON}, the Lambda runtime's "
            f"Python, which is not on PATH. Install it, or build in Docker with "
            f"`make deploy SAM_BUILD_FLAGS=--use-container`."
        )


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def _session(region: str) -> Any:
    import boto3

    return boto3.Session(region_name=region)


def preflight_findings(session: Any, run: preflight.Runner = _run) -> tuple[list[Finding], str]:
    """Every reason the deploy would fail later, and who it runs as ("" without credentials)."""
    stack, region = stack_settings()
    parameters = preflight.parameter_overrides(SAMCONFIG)
    findings: list[Finding] = []
    who = ""
    try:
        who = check_credentials(session)
    except DeployError as exc:
        findings.append(Finding(str(exc)))
    findings += preflight.check_region(session, region)
    findings += preflight.check_parameters(parameters, template_document()["Parameters"])
    try:
        check_build_tools()
    except DeployError as exc:
        findings.append(Finding(str(exc)))
    try:
        image.check_docker()
    except DeployError as exc:
        findings.append(Finding(str(exc)))
    else:  # the daemon answers: can it build the arm64 image here?
        findings += preflight.check_arm64_build(run)
    if who:
        from deploy.destroy import Leftover, still_there

        def exists(kept: preflight.KeptResource) -> bool:
            return still_there(session, Leftover(kept.type, kept.physical_id, kept.logical_id))

        cloudformation = session.client("cloudformation")
        findings += _asking_aws(
            "SES (GetEmailIdentity, GetAccount)",
            lambda: preflight.check_ses(session.client("sesv2"), parameters, region),
        )
        findings += _asking_aws(
            "the stack (DescribeStacks, ListStacks, ListStackResources)",
            lambda: preflight.check_stack(cloudformation, stack, region, exists),
        )
        findings += _asking_aws(
            "the VPC quota (DescribeVpcs, GetServiceQuota)",
            lambda: preflight.check_vpc_quota(
                session.client("ec2"),
                session.client("service-quotas"),
                preflight.stack_status(cloudformation, stack) is None,
                region,
            ),
        )
    return findings, who


def _asking_aws(what: str, check: Callable[[], list[Finding]]) -> list[Finding]:
    """A check's findings; a refusal naming the calls when AWS would not answer them (what
    cannot be checked now could fail the deploy later)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return check()
    except (BotoCoreError, ClientError) as exc:
        return [
            Finding(
                f"could not check {what}: {exc}. The deploy's credentials need these calls "
                "too (an administrator's have them)."
            )
        ]


def cmd_check(_: argparse.Namespace) -> None:
    """Refuse, naming every reason at once, before anything is built, pushed or deployed."""
    stack, region = stack_settings()
    findings, who = preflight_findings(_session(region))
    preflight.report(findings)
    print(f"make deploy: checked; deploying stack {stack} in {region} as {who}")


def cmd_image(args: argparse.Namespace) -> None:
    """Build and push the search image; write the `sam deploy --parameter-overrides` value."""
    _, region = stack_settings()
    session = _session(region)
    check_credentials(session)
    image.check_docker()
    repository = image.repository_name(SAMCONFIG)
    tag = image.image_tag()
    pushed = image.build_and_push(session.client("ecr"), repository, tag)
    Path(args.overrides_file).parent.mkdir(parents=True, exist_ok=True)
    Path(args.overrides_file).write_text(image.parameter_overrides(SAMCONFIG, tag, repository))
    print(f"search image: {pushed}")


def cmd_site(_: argparse.Namespace) -> None:
    stack, region = stack_settings()
    session = _session(region)
    check_credentials(session)
    outputs = stack_outputs(session.client("cloudformation").describe_stacks(StackName=stack))
    config = site_config(outputs, region, template_pool_properties())
    uploaded = publish(
        session.client("s3"),
        session.client("cloudfront"),
        outputs["SiteBucketName"],
        outputs["SiteDistributionId"],
        config,
    )
    print(f"published {len(uploaded)} files; the site: {outputs['SiteUrl']}")
    print("First time? Create the first administrator: make admin EMAIL=you@example.com")


def cmd_admin(args: argparse.Namespace) -> None:
    stack, region = stack_settings()
    session = _session(region)
    check_credentials(session)
    outputs = stack_outputs(session.client("cloudformation").describe_stacks(StackName=stack))
    idp = session.client("cognito-idp")
    pool = outputs["UserPoolId"]
    try:
        idp.admin_create_user(
            UserPoolId=pool,
            Username=args.email,
            UserAttributes=[
                {"Name": "email", "Value": args.email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": args.name or args.email.split("@")[0]},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )
        print(f"{args.email}: created; Cognito emails them a temporary password.")
    except idp.exceptions.UsernameExistsException:
        print(f"{args.email}: already a user; adding them to Admin.")
    idp.admin_add_user_to_group(UserPoolId=pool, Username=args.email, GroupName="Admin")
    print(
        f"{args.email} is in Admin. They sign in at {outputs.get('SiteUrl', 'the site')}"
        "login.html with the emailed password and choose their own."
    )


def cmd_destroy(args: argparse.Namespace) -> None:
    """Delete the stack; list what it leaves, or with --confirm <stack> delete that too."""
    from deploy.destroy import destroy

    stack, region = stack_settings()
    session = _session(region)
    check_credentials(session)
    site_bucket = None
    try:
        described = session.client("cloudformation").describe_stacks(StackName=stack)
        outputs = described["Stacks"][0].get("Outputs", [])
        site_bucket = next(
            (o["OutputValue"] for o in outputs if o["OutputKey"] == "SiteBucketName"), None
        )
    except session.client("cloudformation").exceptions.ClientError:
        pass  # no stack: only what earlier ones left
    repository = image.repository_name(SAMCONFIG)
    for line in destroy(session, stack, repository, site_bucket, args.confirm):
        print(line)


def _deployed() -> tuple[Any, dict[str, str]]:
    """A session on the deployed stack's account (credentials checked) and its outputs."""
    stack, region = stack_settings()
    session = _session(region)
    check_credentials(session)
    return session, stack_outputs(session.client("cloudformation").describe_stacks(StackName=stack))


def cmd_migrate_managers(args: argparse.Namespace) -> None:
    from deploy.managers import migrate

    migrate(*_deployed(), args.apply)


def cmd_migrate_bookings(args: argparse.Namespace) -> None:
    from deploy.bookings import migrate

    migrate(*_deployed(), args.apply)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "check",
        help="refuse early: credentials, region, parameters, SES, the stack's state, the tools",
    )
    built = sub.add_parser("image", help="build the search service's image, push it to ECR")
    built.add_argument("--overrides-file", default=".aws-sam/parameter-overrides.txt")
    sub.add_parser("site", help="write config.json from the stack and publish hotel/")
    gone = sub.add_parser(
        "destroy", help="delete the stack; list (or with --confirm STACK delete) what it leaves"
    )
    gone.add_argument(
        "--confirm",
        metavar="STACK",
        help="also delete, for good, the tables, buckets, pool, secret, logs, image repository "
        "and topics the stack leaves (type the stack's name)",
    )
    admin = sub.add_parser("admin", help="create an Admin user (verified email)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    managers = sub.add_parser(
        "migrate-managers", help="name by sub the managers of hotels stored with only an email"
    )
    managers.add_argument("--apply", action="store_true", help="write (default: a dry run)")
    older = sub.add_parser(
        "migrate-bookings", help="put bookings written before the byMonth index into it"
    )
    older.add_argument("--apply", action="store_true", help="write (default: a dry run)")
    args = parser.parse_args(argv)
    handlers = {
        "check": cmd_check,
        "image": cmd_image,
        "site": cmd_site,
        "admin": cmd_admin,
        "destroy": cmd_destroy,
        "migrate-managers": cmd_migrate_managers,
        "migrate-bookings": cmd_migrate_bookings,
    }
    try:
        handlers[args.command](args)
    except DeployError as exc:
        print(f"make deploy: refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
