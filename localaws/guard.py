"""Every private moto name localaws relies on, looked up in one place.

moto is pinned to one exact version (pyproject.toml). When an upgrade moves one of these
names, :func:`check` fails with a message naming it, and so does ``tests/test_guard.py``,
instead of the emulator silently returning moto's canned Lambda payloads.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

PINNED_MOTO = "5.2.5"


class MotoInternalsMoved(RuntimeError):
    pass


def _lookup(module: str, *names: str) -> Any:
    try:
        obj: Any = importlib.import_module(module)
    except ImportError as exc:
        raise MotoInternalsMoved(f"moto module {module} is gone ({exc})") from exc
    path = module
    for name in names:
        path = f"{path}.{name}"
        if not hasattr(obj, name):
            raise MotoInternalsMoved(
                f"{path} no longer exists in moto; localaws was written against moto "
                f"{PINNED_MOTO}. Pin moto=={PINNED_MOTO} or port localaws to the new layout."
            )
        obj = getattr(obj, name)
    return obj


def lambda_function_class() -> Any:
    """The class whose ``_invoke_lambda(self, event) -> (payload, is_error, logs)`` runs code."""
    cls = _lookup("moto.awslambda.models", "LambdaFunction")
    method = _lookup("moto.awslambda.models", "LambdaFunction", "_invoke_lambda")
    params = list(inspect.signature(method).parameters)
    if params[:2] != ["self", "event"]:
        raise MotoInternalsMoved(
            f"LambdaFunction._invoke_lambda{inspect.signature(method)} changed shape; "
            f"localaws expects (self, event) as in moto {PINNED_MOTO}"
        )
    return cls


def retrier_module() -> Any:
    """The module whose ``time.sleep`` the Step Functions retrier waits on."""
    module = _lookup("moto.stepfunctions.parser.asl.component.common.retry.retrier_decl")
    _lookup("moto.stepfunctions.parser.asl.component.common.retry.retrier_decl", "time")
    return module


DYNAMODB_ITEM_OPERATIONS = (
    "transact_write_items",
    "transact_get_items",
    "update_item",
    "put_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
)


SNS_OPERATIONS = (
    "create_topic",
    "delete_topic",
    "subscribe",
    "unsubscribe",
    "list_subscriptions",
    "list_subscriptions_by_topic",
    "get_subscription_attributes",
    "set_subscription_attributes",
    "publish",
    "publish_batch",
)


def sns_backend_class() -> Any:
    cls = _lookup("moto.sns.models", "SNSBackend")
    for name in SNS_OPERATIONS:
        _lookup("moto.sns.models", "SNSBackend", name)
    return cls


def dynamodb_backend_class() -> Any:
    cls = _lookup("moto.dynamodb.models", "DynamoDBBackend")
    for name in DYNAMODB_ITEM_OPERATIONS:
        _lookup("moto.dynamodb.models", "DynamoDBBackend", name)
    return cls


def sfn_response_class() -> Any:
    """Step Functions' HTTP handler; localaws fixes its send_task_failure (see cloud.py)."""
    _lookup("moto.core.responses", "EmptyResult")
    _lookup("moto.stepfunctions.responses", "StepFunctionResponse", "send_task_failure")
    return _lookup("moto.stepfunctions.responses", "StepFunctionResponse")


_SFN = "moto.stepfunctions.parser.asl"
#: Modules whose ``boto_client_for`` the interpreter calls on every Task (one new client each).
SFN_CLIENT_FACTORY_USERS = (
    f"{_SFN}.component.state.exec.state_task.lambda_eval_utils",
    f"{_SFN}.component.state.exec.state_task.service.state_task_service_sns",
    f"{_SFN}.component.state.exec.state_task.service.state_task_service_dynamodb",
    f"{_SFN}.component.state.exec.state_task.service.state_task_service_aws_sdk",
    f"{_SFN}.component.state.exec.state_task.service.state_task_service_sfn",
    f"{_SFN}.component.state.exec.state_task.service.state_task_service_sqs",
)


def sfn_client_factory_users() -> list[Any]:
    modules = []
    for name in SFN_CLIENT_FACTORY_USERS:
        _lookup(name, "boto_client_for")
        modules.append(importlib.import_module(name))
    return modules


def sfn_execution_worker_class() -> Any:
    """Parses the definition anew for every execution (``_get_evaluation_entrypoint``)."""
    _lookup(f"{_SFN}.parse.asl_parser", "AmazonStateLanguageParser", "parse")
    _lookup(
        "moto.stepfunctions.parser.backend.execution_worker",
        "ExecutionWorker",
        "_get_evaluation_entrypoint",
    )
    return _lookup("moto.stepfunctions.parser.backend.execution_worker", "ExecutionWorker")


def sns_subscription_class() -> Any:
    """Delivers to one subscription; checks ``_filter_policy_matcher`` first (see mailbox.py)."""
    cls = _lookup("moto.sns.models", "Subscription")
    _lookup("moto.sns.models", "Subscription", "publish")
    params = list(inspect.signature(cls.publish).parameters)
    if params[:3] != ["self", "message", "message_id"] or "subject" not in params:
        raise MotoInternalsMoved(f"moto.sns.models.Subscription.publish{params} changed shape")
    return cls


def sfn_user_config() -> dict[str, Any]:
    config: dict[str, Any] = _lookup("moto.core.config", "default_user_config")
    if "stepfunctions" not in config:
        raise MotoInternalsMoved("moto.core.config.default_user_config has no 'stepfunctions'")
    return config


COGNITO_BACKEND_METHODS = (
    "sign_up",
    "admin_create_user",
    "describe_user_pool",
    "forgot_password",
    "confirm_forgot_password",
    "_validate_password",
)


def cognito_backend_class() -> Any:
    """Cognito's backend; localaws.cognito wraps sign-up and password reset to send codes."""
    cls = _lookup("moto.cognitoidp.models", "CognitoIdpBackend")
    for name in COGNITO_BACKEND_METHODS:
        _lookup("moto.cognitoidp.models", "CognitoIdpBackend", name)
    params = list(inspect.signature(cls.admin_create_user).parameters)
    expected = ["self", "user_pool_id", "username", "message_action", "temporary_password"]
    if params[:5] != expected:
        raise MotoInternalsMoved(f"CognitoIdpBackend.admin_create_user{params} changed shape")
    _lookup("moto.cognitoidp.models", "CognitoIdpUserPool", "_get_user")
    pool_source = inspect.getsource(_lookup("moto.cognitoidp.models", "CognitoIdpUserPool"))
    for name in ("refresh_tokens", "access_tokens", "clients", "extended_config", "arn"):
        if f"self.{name} =" not in pool_source and f"self.{name}:" not in pool_source:
            raise MotoInternalsMoved(f"moto CognitoIdpUserPool no longer sets self.{name}")
    return cls


def cognito_response_class() -> Any:
    """Cognito's HTTP handler: actions dispatch to its methods by name (``revoke_token``...)."""
    _lookup("moto.cognitoidp.responses", "CognitoIdpResponse", "confirm_sign_up")
    _lookup("moto.cognitoidp.responses", "CognitoIdpResponse", "_get_param")
    return _lookup("moto.cognitoidp.responses", "CognitoIdpResponse")


def cognito_backends() -> list[Any]:
    """Every regional Cognito backend that exists (the public API carries no region)."""
    backends = _lookup("moto.cognitoidp.models", "cognitoidp_backends")
    found = []
    for account in backends.values():
        for region, backend in account.items():
            if region != "global":
                found.append(backend)
    return found


def cognito_action_result() -> Any:
    """Wraps a response method's JSON answer."""
    return _lookup("moto.core.responses", "ActionResult")


class _CognitoErrors:
    """``errors.CodeMismatchException("...")``: a JSON error with AWS's ``__type``, HTTP 400."""

    def __getattr__(self, error_type: str) -> Any:
        base = _lookup("moto.core.exceptions", "JsonRESTError")
        return lambda message: base(error_type, message)


def cognito_errors() -> Any:
    return _CognitoErrors()


def lambda_backend_class() -> Any:
    """The class whose ``send_dynamodb_items(self, function_arn, items, source)`` moto calls
    inside every write of a table with a stream mapping (localaws.stream_delivery)."""
    cls = _lookup("moto.awslambda.models", "LambdaBackend")
    method = _lookup("moto.awslambda.models", "LambdaBackend", "send_dynamodb_items")
    params = list(inspect.signature(method).parameters)
    if params != ["self", "function_arn", "items", "source"]:
        raise MotoInternalsMoved(
            f"LambdaBackend.send_dynamodb_items{inspect.signature(method)} changed shape"
        )
    return cls


def check() -> None:
    """Fail loudly, naming the moved internal, if this moto is not the one localaws knows."""
    import moto

    if moto.__version__ != PINNED_MOTO:
        raise MotoInternalsMoved(
            f"moto {moto.__version__} is installed; localaws is pinned to {PINNED_MOTO}"
        )
    lambda_function_class()
    lambda_backend_class()
    retrier_module()
    dynamodb_backend_class()
    sns_backend_class()
    sfn_user_config()
    sfn_response_class()
    sfn_client_factory_users()
    sfn_execution_worker_class()
    sns_subscription_class()
    _lookup("moto.sns.models", "sns_backends")
    _lookup("moto.sns.models", "Topic")
    cognito_backend_class()
    cognito_response_class()
    cognito_backends()
    cognito_action_result()
    cognito_errors().CodeMismatchException("checked")


def sns_backend(region: str) -> Any:
    """moto's SNS backend: topics keep ``sent_notifications`` (what was published)."""
    backends = _lookup("moto.sns.models", "sns_backends")
    from localaws.deploy import ACCOUNT_ID

    return backends[ACCOUNT_ID][region]
