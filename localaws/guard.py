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


def dynamodb_models_module() -> Any:
    """Where ``transact_write_items`` deep-copies whole tables (``copy``) to roll back."""
    module = _lookup("moto.dynamodb.models")
    _lookup("moto.dynamodb.models", "copy", "deepcopy")
    _lookup("moto.dynamodb.models", "DynamoDBBackend", "get_keys_value")
    _lookup("moto.dynamodb.models.table", "Table", "get_item")
    if "items" not in inspect.getsource(_lookup("moto.dynamodb.models.table", "Table", "__init__")):
        raise MotoInternalsMoved("moto.dynamodb.models.table.Table no longer keeps .items")
    return module


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


def sfn_event_manager_class() -> Any:
    """Appends each history event (``_publish_history_event``); localaws announces it."""
    module = f"{_SFN}.eval.event.event_manager"
    publish = _lookup(module, "EventManager", "_publish_history_event")
    if "_history_event_list" not in _lookup(module, "EventManager").__annotations__:
        raise MotoInternalsMoved(f"{module}.EventManager no longer keeps _history_event_list")
    params = list(inspect.signature(publish).parameters)
    if params[:3] != ["self", "event_id", "source_event_id"]:
        raise MotoInternalsMoved(f"EventManager._publish_history_event{params} changed shape")
    _lookup(
        "moto.stepfunctions.parser.backend.execution_worker",
        "ExecutionWorker",
        "_get_evaluation_environment",
    )
    return _lookup(module, "EventManager")


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


def check() -> None:
    """Fail loudly, naming the moved internal, if this moto is not the one localaws knows."""
    import moto

    if moto.__version__ != PINNED_MOTO:
        raise MotoInternalsMoved(
            f"moto {moto.__version__} is installed; localaws is pinned to {PINNED_MOTO}"
        )
    lambda_function_class()
    retrier_module()
    dynamodb_backend_class()
    dynamodb_models_module()
    sns_backend_class()
    sfn_user_config()
    sfn_response_class()
    sfn_client_factory_users()
    sfn_execution_worker_class()
    sfn_event_manager_class()
    sns_subscription_class()
    _lookup("moto.sns.models", "sns_backends")
    _lookup("moto.sns.models", "Topic")


def sns_backend(region: str) -> Any:
    """moto's SNS backend: topics keep ``sent_notifications`` (what was published)."""
    backends = _lookup("moto.sns.models", "sns_backends")
    from localaws.deploy import ACCOUNT_ID

    return backends[ACCOUNT_ID][region]
