"""make destroy: delete the stack, then what it kept and what was never in it, on request.

`sam delete` (or DeleteStack) leaves behind, by design:
- every resource with ``DeletionPolicy: Retain`` (the tables, the pictures bucket, the user pool,
  the approval-link secret, the log groups, the account's API Gateway logging role):
  CloudFormation records them as ``DELETE_SKIPPED``;
- what `make deploy` and the code create outside CloudFormation: the search image's ECR
  repository, one SNS topic per hotel (``<stack>-hotel-<id>``), the functions' own log groups.

Without confirmation this deletes the stack only (emptying the site bucket first, or the
delete fails) and lists the rest; with ``--delete-retained --confirm <stack name>`` it deletes
those too: data is gone for good, so the stack's name must be typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deploy.preflight import kept_resources, stack_status
from deploy.website import DeployError

#: Account-wide: other APIs in the account and region write their logs through it.
LEFT_ALONE = {"AWS::IAM::Role", "AWS::ApiGateway::Account"}


@dataclass(frozen=True)
class Leftover:
    """Something the stack's deletion leaves: a kept resource or one made outside it."""

    type: str
    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.type} {self.name} ({self.why})"


def leftovers(session: Any, stack: str, repository: str) -> list[Leftover]:
    """What outlives the stack: what it (or an earlier stack of this name) kept, the image
    repository, the hotels' topics and the functions' log groups."""
    kept = [
        Leftover(r.type, r.physical_id, f"kept by the stack: {r.logical_id}")
        for r in kept_resources(session.client("cloudformation"), stack)
    ]
    found = [item for item in dict.fromkeys(kept) if still_there(session, item)]
    ecr = session.client("ecr")
    try:
        ecr.describe_repositories(repositoryNames=[repository])
        found.append(Leftover("AWS::ECR::Repository", repository, "made by make deploy"))
    except ecr.exceptions.RepositoryNotFoundException:
        pass
    sns = session.client("sns")
    prefix = f":{stack}-hotel-"
    for page in sns.get_paginator("list_topics").paginate():
        found += [
            Leftover("AWS::SNS::Topic", t["TopicArn"], "a hotel's topic, made by the hotels API")
            for t in page["Topics"]
            if prefix in t["TopicArn"]
        ]
    logs = session.client("logs")
    for page in logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=f"/aws/lambda/{stack}-"
    ):
        found += [
            Leftover("AWS::Logs::LogGroup", g["logGroupName"], "a function's logs, made by Lambda")
            for g in page["logGroups"]
        ]
    return found


#: How to ask whether a leftover still exists (each raises its not-found error when gone).
_LOOKUPS: dict[str, tuple[str, str, str]] = {
    "AWS::DynamoDB::Table": ("dynamodb", "describe_table", "TableName"),
    "AWS::S3::Bucket": ("s3", "head_bucket", "Bucket"),
    "AWS::Cognito::UserPool": ("cognito-idp", "describe_user_pool", "UserPoolId"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "describe_secret", "SecretId"),
    "AWS::SNS::Topic": ("sns", "get_topic_attributes", "TopicArn"),
}
_GONE = {"ResourceNotFoundException", "NoSuchBucket", "404", "NotFound", "NotFoundException"}


def still_there(session: Any, item: Leftover) -> bool:
    """False for what an earlier `make destroy` already deleted (CloudFormation's record of a
    deleted stack still lists it as kept) or a secret already scheduled for deletion."""
    from botocore.exceptions import ClientError

    if item.type == "AWS::Logs::LogGroup":
        groups = session.client("logs").describe_log_groups(logGroupNamePrefix=item.name)
        return any(g["logGroupName"] == item.name for g in groups["logGroups"])
    lookup = _LOOKUPS.get(item.type)
    if lookup is None:
        return True
    service, operation, parameter = lookup
    try:
        answer = getattr(session.client(service), operation)(**{parameter: item.name})
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            return False
        raise
    return "DeletedDate" not in answer


def delete_stack(session: Any, stack: str, site_bucket: str | None) -> bool:
    """Delete the stack (after emptying the site bucket, whose pages would fail the delete);
    False when there is no stack."""
    cloudformation = session.client("cloudformation")
    if stack_status(cloudformation, stack) is None:
        return False
    if site_bucket:
        empty_bucket(session.client("s3"), site_bucket)
    cloudformation.delete_stack(StackName=stack)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
    )
    return True


def empty_bucket(s3: Any, bucket: str) -> None:
    """Every object version and delete marker (a versioned bucket is not empty without)."""
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    except s3.exceptions.NoSuchBucket:
        return


def delete_leftover(session: Any, item: Leftover) -> str:
    """Delete one leftover; what was done, in words."""
    kind, name = item.type, item.name
    if kind in LEFT_ALONE:
        return f"left {kind} {name}: account-wide (API Gateway's logging role for the region)"
    if kind == "AWS::DynamoDB::Table":
        session.client("dynamodb").delete_table(TableName=name)
    elif kind == "AWS::S3::Bucket":
        s3 = session.client("s3")
        empty_bucket(s3, name)
        s3.delete_bucket(Bucket=name)
    elif kind == "AWS::Cognito::UserPool":
        idp = session.client("cognito-idp")
        for domain in _pool_domains(idp, name):
            idp.delete_user_pool_domain(UserPoolId=name, Domain=domain)
        idp.delete_user_pool(UserPoolId=name)
    elif kind == "AWS::SecretsManager::Secret":
        # Recoverable for 7 days (Secrets Manager's shortest window), as a last way back.
        session.client("secretsmanager").delete_secret(SecretId=name, RecoveryWindowInDays=7)
    elif kind == "AWS::Logs::LogGroup":
        session.client("logs").delete_log_group(logGroupName=name)
    elif kind == "AWS::ECR::Repository":
        session.client("ecr").delete_repository(repositoryName=name, force=True)
    elif kind == "AWS::SNS::Topic":
        session.client("sns").delete_topic(TopicArn=name)
    else:
        return f"left {kind} {name}: make destroy does not know how to delete it; do it by hand"
    return f"deleted {kind} {name}"


def _pool_domains(idp: Any, pool: str) -> list[str]:
    described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    return [d for d in (described.get("Domain"), described.get("CustomDomain")) if d]


def destroy(
    session: Any,
    stack: str,
    repository: str,
    site_bucket: str | None,
    confirm: str | None,
) -> list[str]:
    """Delete the stack; with ``confirm`` equal to the stack's name, also what it leaves."""
    if confirm is not None and confirm != stack:
        raise DeployError(
            f"--confirm {confirm!r} is not the stack's name {stack!r}; nothing was deleted."
        )
    said = [f"deleted stack {stack}" if delete_stack(session, stack, site_bucket) else ""]
    rest = leftovers(session, stack, repository)
    if confirm is None:
        if rest:
            said.append(
                "left (they hold data or outlive the stack by design):\n  "
                + "\n  ".join(map(str, rest))
                + f"\nTo delete them too, for good: make destroy CONFIRM={stack}"
            )
        return [s for s in said if s]
    said += [delete_leftover(session, item) for item in rest]
    return [s for s in said if s]
