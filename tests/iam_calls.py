"""Record the AWS calls each Lambda function makes locally, and the IAM permissions they need.

IAM is not enforced locally, so a call that no policy allows works here and fails on AWS.
``CallRecorder`` wraps botocore's single entry point for API calls; a call made inside a
function's invocation (the runtime gives each invocation its ``AWS_LAMBDA_FUNCTION_NAME``) is
turned into the (action, resource ARN) pairs IAM authorizes, so a test can check them
against that function's role.
"""

from __future__ import annotations

import fnmatch
import os
import threading
from dataclasses import dataclass
from typing import Any

from botocore.client import BaseClient

from localaws.deploy import ACCOUNT_ID

# Actions that IAM authorizes only with Resource "*" (no resource-level permissions).
_STAR_ONLY = {
    "sns:GetSubscriptionAttributes",
    "sns:SetSubscriptionAttributes",
    "sns:Unsubscribe",
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
    "states:SendTaskHeartbeat",
}
_TRANSACT_ACTION = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass(frozen=True)
class Need:
    function: str
    action: str
    resource: str


def permissions(
    prefix: str, operation: str, params: dict[str, Any], region: str
) -> set[tuple[str, str]]:
    """What IAM checks for one API call: (action, resource ARN) pairs."""
    action = f"{prefix}:{operation}"
    if action in _STAR_ONLY:
        return {(action, "*")}
    if prefix == "dynamodb":

        def table(name: str, index: str | None = None) -> str:
            arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"
            return f"{arn}/index/{index}" if index else arn

        if operation == "TransactWriteItems":
            return {
                (f"dynamodb:{_TRANSACT_ACTION[kind]}", table(spec["TableName"]))
                for item in params["TransactItems"]
                for kind, spec in item.items()
            }
        if operation == "TransactGetItems":
            return {
                ("dynamodb:GetItem", table(i["Get"]["TableName"])) for i in params["TransactItems"]
            }
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return {(action, table(name)) for name in params["RequestItems"]}
        return {(action, table(params["TableName"], params.get("IndexName")))}
    if prefix == "sns" and "TopicArn" in params:
        return {(action, params["TopicArn"])}
    if prefix == "secretsmanager":
        return {(action, params["SecretId"])}
    if prefix == "states" and "stateMachineArn" in params:
        return {(action, params["stateMachineArn"])}
    if prefix == "s3" and "Key" in params:
        return {(action, f"arn:aws:s3:::{params['Bucket']}/{params['Key']}")}
    # Unmapped: checked against the exact call name so that nobody passes by accident.
    return {(action, f"unmapped:{operation}")}


def allowed(policies: list[dict[str, Any]], action: str, resource: str) -> bool:
    """Does any Allow statement of these inline policies grant ``action`` on ``resource``?"""
    for policy in policies:
        for statement in _as_list(policy["PolicyDocument"]["Statement"]):
            if statement.get("Effect") != "Allow":
                continue
            actions = _as_list(statement.get("Action", []))
            resources = _as_list(statement.get("Resource", []))
            if any(fnmatch.fnmatch(action.lower(), a.lower()) for a in actions) and any(
                fnmatch.fnmatchcase(resource, r) for r in resources
            ):
                return True
    return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class CallRecorder:
    """Wraps ``BaseClient._make_api_call`` (botocore's public-by-convention entry point)."""

    def __init__(self) -> None:
        self.needs: set[Need] = set()
        self._lock = threading.Lock()
        self._original: Any = None

    def install(self) -> None:
        original = self._original = BaseClient._make_api_call
        recorder = self

        def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
            if function:
                model = client.meta.service_model
                prefix = model.signing_name or model.endpoint_prefix
                try:
                    pairs = permissions(prefix, operation, params, client.meta.region_name)
                except (KeyError, TypeError):  # malformed call: botocore will refuse it anyway
                    pairs = {(f"{prefix}:{operation}", f"unparsed:{operation}")}
                with recorder._lock:
                    recorder.needs.update(Need(function, a, r) for a, r in pairs)
            return original(client, operation, params)

        BaseClient._make_api_call = recording  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]
