"""make destroy: the stack goes; what it kept and what was never in it is listed, and deleted
only when the stack's name is typed. AWS is moto, in-process (no account)."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from deploy import destroy as gone
from deploy.preflight import KeptResource
from deploy.website import DeployError

REGION = "eu-west-2"
STACK = "hotel-booking-saga"
REPOSITORY = "hotel-booking-search"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A deployed stack (its site bucket holding pages) and what such a stack leaves behind."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        # An account of its own: in the suite this process may already hold the local stack's
        # resources (moto's backends are per process, per account), and each test starts empty.
        account = f"{secrets.randbelow(10**12):012d}"

        def own_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        session.events.register("request-created", own_account)
        site, pictures = f"site-{account}", f"pictures-{account}"
        cfn = session.client("cloudformation")
        site_template = {
            "Resources": {
                "SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": site}}
            },
        }
        cfn.create_stack(StackName=STACK, TemplateBody=json.dumps(site_template))
        s3 = session.client("s3")
        s3.put_object(Bucket=site, Key="index.html", Body=b"<html>")
        # What the stack keeps (DeletionPolicy: Retain): CloudFormation lists these as
        # DELETE_SKIPPED (tests/integration/deploy/test_preflight.py reads that record).
        db = session.client("dynamodb")
        db.create_table(
            TableName="hotel-booking-saga-BookingsTable-1",
            KeySchema=[{"AttributeName": "bookingId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "bookingId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        s3.create_bucket(Bucket=pictures, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=pictures, VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket=pictures, Key="h-1/a.png", Body=b"png")
        s3.put_object(Bucket=pictures, Key="h-1/a.png", Body=b"png2")
        pool = session.client("cognito-idp").create_user_pool(PoolName="users")["UserPool"]["Id"]
        secret = session.client("secretsmanager").create_secret(Name="key", SecretString="k")
        logs = session.client("logs")
        logs.create_log_group(logGroupName="hotel-booking-saga-SearchLogs-1")
        # Outside the stack: the image repository, a hotel's topic, a function's logs.
        session.client("ecr").create_repository(repositoryName=REPOSITORY)
        sns = session.client("sns")
        topic = sns.create_topic(Name=f"{STACK}-hotel-h-1")["TopicArn"]
        other = sns.create_topic(Name="someone-elses-topic")["TopicArn"]
        logs.create_log_group(logGroupName=f"/aws/lambda/{STACK}-ConfirmBooking-1")
        kept = [
            KeptResource(
                "AWS::DynamoDB::Table", "hotel-booking-saga-BookingsTable-1", "BookingsTable"
            ),
            KeptResource("AWS::S3::Bucket", pictures, "HotelPicturesBucket"),
            KeptResource("AWS::Cognito::UserPool", pool, "UserPool"),
            KeptResource("AWS::SecretsManager::Secret", secret["ARN"], "ApprovalLinkKey"),
            KeptResource("AWS::Logs::LogGroup", "hotel-booking-saga-SearchLogs-1", "SearchLogs"),
            KeptResource("AWS::IAM::Role", "apigw-logs", "ApiGatewayCloudWatchRole"),
        ]
        monkeypatch.setattr(gone, "kept_resources", lambda cfn, stack: kept)
        yield {
            "session": session,
            "pool": pool,
            "topic": topic,
            "other": other,
            "site": site,
            "pictures": pictures,
        }


def test_destroy_deletes_the_stack_and_lists_what_it_leaves(aws: dict[str, Any]) -> None:
    session = aws["session"]
    said = gone.destroy(session, STACK, REPOSITORY, aws["site"], confirm=None)
    assert said[0] == f"deleted stack {STACK}"
    listing = said[1]
    for leftover in (
        "AWS::DynamoDB::Table hotel-booking-saga-BookingsTable-1 (kept by the stack: Bookings",
        f"AWS::S3::Bucket {aws['pictures']}",
        f"AWS::Cognito::UserPool {aws['pool']}",
        "AWS::SecretsManager::Secret arn:aws:secretsmanager:eu-west-2",
        "AWS::ECR::Repository hotel-booking-search (made by make deploy)",
        f"AWS::SNS::Topic {aws['topic']} (a hotel's topic",
        f"AWS::Logs::LogGroup /aws/lambda/{STACK}-ConfirmBooking-1",
    ):
        assert leftover in listing
    assert aws["other"] not in listing
    assert listing.endswith(f"make destroy CONFIRM={STACK}")
    # The stack is gone; what it kept is not.
    with pytest.raises(session.client("cloudformation").exceptions.ClientError):
        session.client("cloudformation").describe_stacks(StackName=STACK)
    assert session.client("dynamodb").list_tables()["TableNames"] == [
        "hotel-booking-saga-BookingsTable-1"
    ]
    buckets = {b["Name"] for b in session.client("s3").list_buckets()["Buckets"]}
    assert buckets == {aws["pictures"]}  # the site bucket was emptied and deleted with the stack


def test_confirmed_destroy_deletes_what_the_stack_left_and_a_second_run_finds_nothing(
    aws: dict[str, Any],
) -> None:
    session = aws["session"]
    said = gone.destroy(session, STACK, REPOSITORY, aws["site"], confirm=STACK)
    assert said[0] == f"deleted stack {STACK}"
    assert len(said) == 1 + 9  # the stack, then each leftover: 8 deleted, the role left
    assert sum(s.startswith("deleted ") for s in said) == 1 + 8
    assert (
        "left AWS::IAM::Role apigw-logs: account-wide (API Gateway's logging role for the region)"
        in said
    )
    assert session.client("dynamodb").list_tables()["TableNames"] == []
    assert session.client("s3").list_buckets()["Buckets"] == []
    assert session.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    assert session.client("ecr").describe_repositories()["repositories"] == []
    topics = [t["TopicArn"] for t in session.client("sns").list_topics()["Topics"]]
    assert topics == [aws["other"]]
    groups = session.client("logs").describe_log_groups()["logGroups"]
    assert groups == []
    secrets = session.client("secretsmanager").list_secrets()["SecretList"]
    assert all("DeletedDate" in s for s in secrets)  # recoverable for 7 days, then gone
    # CloudFormation's record still names them as kept: a second run knows they are gone.
    assert gone.destroy(session, STACK, REPOSITORY, None, confirm=STACK) == [
        "left AWS::IAM::Role apigw-logs: account-wide (API Gateway's logging role for the region)"
    ]


def test_a_wrong_confirmation_deletes_nothing(aws: dict[str, Any]) -> None:
    session = aws["session"]
    with pytest.raises(DeployError, match="is not the stack's name"):
        gone.destroy(session, STACK, REPOSITORY, aws["site"], confirm="hotel-booking")
    assert session.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]


def test_make_destroy_passes_the_confirmation_only_when_given() -> None:
    root = Path(__file__).resolve().parents[3]

    def dry_run(*args: str) -> str:
        out = subprocess.run(
            ["make", "-n", "--always-make", "destroy", *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(line for line in out.splitlines() if "-m deploy destroy" in line)

    assert dry_run().rstrip().endswith("-m deploy destroy")
    assert dry_run(f"CONFIRM={STACK}").endswith(f'-m deploy destroy --confirm "{STACK}"')
