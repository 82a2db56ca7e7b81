"""Every private moto name localaws relies on, looked up in one place.

moto is pinned to one exact version (pyproject.toml). When an upgrade moves one of these
names, :func:`check` fails with a message naming it, and so does ``tests/tooling/test_guard.py``,
instead of the emulator silently returning moto's canned Lambda payloads.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from localaws.account import ACCOUNT_ID

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


def _class_with(module: str, cls: str, methods: tuple[str, ...]) -> Any:
    """``module.cls``, checked to still have each of ``methods``."""
    for name in methods:
        _lookup(module, cls, name)
    return _lookup(module, cls)


def _takes(function: Any, *names: str, first: bool = False) -> None:
    """``function``'s parameters are still ``names`` (``first``: begin with them), as the
    replacement that calls or wraps it expects."""
    params = list(inspect.signature(function).parameters)
    if (params[: len(names)] if first else params) != list(names):
        raise MotoInternalsMoved(
            f"{function.__qualname__}{inspect.signature(function)} changed shape; localaws "
            f"expects ({', '.join(names)}{', ...' if first else ''}) as in moto {PINNED_MOTO}"
        )


def _require_code(where: str, expected: dict[Any, tuple[str, ...]]) -> None:
    """Each function (or, once localaws replaced it, the original it keeps) still holds the
    lines a replacement copies; else name the function that changed."""
    for function, lines in expected.items():
        source = inspect.getsource(getattr(function, "_localaws_original", function))
        if not all(line in source for line in lines):
            raise MotoInternalsMoved(f"{where}: {function.__qualname__} changed")


def lambda_function_class() -> Any:
    """The class whose ``_invoke_lambda(self, event) -> (payload, is_error, logs)`` runs code."""
    cls = _lookup("moto.awslambda.models", "LambdaFunction")
    method = _lookup("moto.awslambda.models", "LambdaFunction", "_invoke_lambda")
    _takes(method, "self", "event", first=True)
    return cls


def lambda_invoke_method() -> Any:
    """``LambdaFunction.invoke(self, body, request_headers, response_headers)``: sets
    ``x-amz-function-error`` in ``response_headers`` when the code failed."""
    method = _lookup("moto.awslambda.models", "LambdaFunction", "invoke")
    _takes(method, "self", "body", "request_headers", "response_headers")
    return method


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
    cls = _class_with("moto.sns.models", "SNSBackend", SNS_OPERATIONS)
    # localaws.aws.sns reads the subject moto's Publish handler passes as a keyword and raises
    # ValueError, which that handler answers as InvalidParameter.
    handler = inspect.getsource(_lookup("moto.sns.responses", "SNSResponse", "publish"))
    if "subject=subject" not in handler or "except ValueError" not in handler:
        raise MotoInternalsMoved("SNSResponse.publish no longer passes subject= / maps ValueError")
    return cls


def dynamodb_backend_class() -> Any:
    cls = _class_with("moto.dynamodb.models", "DynamoDBBackend", DYNAMODB_ITEM_OPERATIONS)
    return cls


def dynamodb_handler_class() -> Any:
    """The API handler, whose methods turn the backend's live items into the answer."""
    cls = _class_with("moto.dynamodb.responses", "DynamoHandler", DYNAMODB_ITEM_OPERATIONS)
    return cls


def sfn_response_class() -> Any:
    """Step Functions' HTTP handler; localaws fixes its send_task_failure (see cloud.py)."""
    _lookup("moto.core.responses", "EmptyResult")
    _lookup("moto.stepfunctions.responses", "StepFunctionResponse", "send_task_failure")
    return _lookup("moto.stepfunctions.responses", "StepFunctionResponse")


def sfn_errors() -> Any:
    """Step Functions' error classes as moto raises them (InvalidToken, ValidationException)."""
    _lookup("moto.stepfunctions.exceptions", "InvalidToken")
    _lookup("moto.stepfunctions.exceptions", "ValidationException")
    _lookup("moto.stepfunctions.exceptions", "ExecutionDoesNotExist")
    _lookup("moto.stepfunctions.exceptions", "AWSError")
    return _lookup("moto.stepfunctions", "exceptions")


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
    _takes(publish, "self", "event_id", "source_event_id", first=True)
    _lookup(
        "moto.stepfunctions.parser.backend.execution_worker",
        "ExecutionWorker",
        "_get_evaluation_environment",
    )
    return _lookup(module, "EventManager")


def sns_subscription_class() -> Any:
    """Delivers to one subscription; checks ``_filter_policy_matcher`` first (see mailbox.py)."""
    cls = _lookup("moto.sns.models", "Subscription")
    _takes(
        _lookup("moto.sns.models", "Subscription", "publish"),
        "self",
        "message",
        "message_id",
        first=True,
    )
    if "subject" not in inspect.signature(cls.publish).parameters:
        raise MotoInternalsMoved("moto.sns.models.Subscription.publish takes no subject")
    return cls


def cognito_user_pool(region: str, pool_id: str) -> Any:
    """A user pool as moto holds it: ``users`` (username -> user), ``groups`` (name -> group)."""

    backends = _lookup("moto.cognitoidp.models", "cognitoidp_backends")
    return backends[ACCOUNT_ID][region].user_pools[pool_id]


def cognito_user_class() -> tuple[Any, Any]:
    """moto's user (password, status, attributes, groups) and its attribute flattener, which
    localaws.stack.persistence uses to put saved users back with their ``sub``."""
    cls = _lookup("moto.cognitoidp.models", "CognitoIdpUser")
    _takes(cls.__init__, "self", "user_pool_id", "username", "password", "status", "attributes")
    return cls, _lookup("moto.cognitoidp.utils", "flatten_attrs")


def sfn_parser_backend(region: str) -> Any:
    """The executing Step Functions backend (``execute_state_machine``)."""

    backends = _lookup("moto.stepfunctions.parser.models", "stepfunctions_parser_backends")
    return backends[ACCOUNT_ID][region]


def sfn_execution_class() -> tuple[Any, Any]:
    """moto's execution (``to_history_output``, ``exec_status``...) and its status enum:
    localaws.stack.persistence lists finished executions saved before a restart."""
    cls = _lookup("moto.stepfunctions.parser.backend.execution", "Execution")
    _lookup("moto.stepfunctions.parser.backend.execution", "Execution", "to_history_output")
    params = set(inspect.signature(cls.__init__).parameters)
    expected = {"name", "sm_type", "role_arn", "exec_arn", "state_machine", "input_data"}
    if not expected <= params:
        raise MotoInternalsMoved("moto.stepfunctions.parser.backend.execution.Execution changed")
    return cls, _lookup("moto.stepfunctions.parser.api", "ExecutionStatus")


def sns_response_class() -> Any:
    """SNS's HTTP handler: localaws.aws.sns replaces its ``confirm_subscription`` (moto's accepts
    any token) and relies on ``_get_param`` and ``backend.subscriptions``."""
    _lookup("moto.sns.responses", "SNSResponse", "confirm_subscription")
    _lookup("moto.sns.responses", "SNSResponse", "_get_param")
    _lookup("moto.sns.models", "SNSBackend", "_find_subscription")
    if "self.subscriptions" not in inspect.getsource(_lookup("moto.sns.models", "SNSBackend")):
        raise MotoInternalsMoved("moto SNSBackend no longer keeps self.subscriptions")
    # The listing serializer reads ``SubscriptionArn`` before ``arn`` (a pending one hides it).
    _lookup("moto.core.serialize", "XFormedAttributePicker")
    return _lookup("moto.sns.responses", "SNSResponse")


def sns_invalid_parameter() -> Any:
    return _lookup("moto.sns.exceptions", "SNSInvalidParameter")


def sns_exception_class() -> Any:
    """Base of moto's SNS errors (a ``code`` class attribute names the AWS error)."""
    cls = _lookup("moto.sns.exceptions", "SNSException")
    _lookup("moto.sns.models", "Subscription")
    if "self._filter_policy =" not in inspect.getsource(_lookup("moto.sns.models", "Subscription")):
        raise MotoInternalsMoved("moto Subscription no longer keeps self._filter_policy")
    return cls


def ses_backend_class() -> Any:
    """SES (v1 and v2 alike) sends through ``SESBackend.send_email``; the mailbox copies it."""
    cls = _lookup("moto.ses.models", "SESBackend")
    send_email = _lookup("moto.ses.models", "SESBackend", "send_email")
    _takes(send_email, "self", "source", "subject", "body", "destinations", first=True)
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
    """Cognito's backend; localaws.aws.cognito wraps sign-up and password reset to send codes."""
    cls = _class_with("moto.cognitoidp.models", "CognitoIdpBackend", COGNITO_BACKEND_METHODS)
    _takes(
        cls.admin_create_user,
        *("self", "user_pool_id", "username", "message_action", "temporary_password"),
        first=True,
    )
    pool_cls = _lookup("moto.cognitoidp.models", "CognitoIdpUserPool")
    _lookup("moto.cognitoidp.models", "CognitoIdpUserPool", "_get_user")
    _instance_attributes(
        pool_cls,
        *("refresh_tokens", "access_tokens", "clients", "extended_config", "arn"),
        in_init=False,
    )
    return cls


def cognito_user_pool_class() -> Any:
    """A user pool; localaws.aws.cognito_accounts wraps its user lookup (case-insensitive pools)
    and its refresh tokens (disabled users, changed emails)."""
    _class_with(
        "moto.cognitoidp.models",
        "CognitoIdpBackend",
        ("admin_update_user_attributes", "update_user_attributes"),
    )
    cls = _class_with(
        "moto.cognitoidp.models",
        "CognitoIdpUserPool",
        ("_get_user", "create_refresh_token", "create_tokens_from_refresh_token"),
    )
    _instance_attributes(cls, "users", "schema_attributes", "refresh_tokens", in_init=False)
    _takes(cls.create_tokens_from_refresh_token, "self", "refresh_token")
    return cls


def cognito_response_class() -> Any:
    """Cognito's HTTP handler: actions dispatch to its methods by name (``revoke_token``...)."""
    return _class_with(
        "moto.cognitoidp.responses", "CognitoIdpResponse", ("confirm_sign_up", "_get_param")
    )


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


def too_large_error(message: str) -> Exception:
    """Lambda's ``RequestEntityTooLargeException`` (HTTP 413) as moto's server answers errors."""
    error_class = _lookup("moto.core.exceptions", "JsonRESTError")
    error = error_class("RequestEntityTooLargeException", message)
    error.code = 413
    return error


def jsonpath_parse_users() -> list[tuple[Any, str]]:
    """(module, name) of each ``parse`` the Step Functions interpreter and EventBridge's input
    transformer call for a JSONPath string (localaws.compat.speedups caches them)."""
    users = [
        (_lookup("jsonpath_ng.ext"), "parse"),  # moto.events.utils imports it per call
        (_lookup(f"{_SFN}.utils.json_path"), "parse"),
        (_lookup(f"{_SFN}.component.common.path.result_path"), "parse"),
    ]
    for module, name in users:
        _lookup(module.__name__, name)
    if "from jsonpath_ng.ext import parse" not in inspect.getsource(
        _lookup("moto.events.utils", "EventTemplateParser", "parse")
    ):
        raise MotoInternalsMoved(
            "moto.events.utils.EventTemplateParser.parse no longer imports parse"
        )
    return users


def serializer_attribute_picker() -> tuple[Any, Any, Any]:
    """moto's response serializer's value picker class, the lookup it uses and its sentinel."""
    cls = _lookup("moto.core.serialize", "XFormedAttributePicker")
    _lookup("moto.core.serialize", "XFormedAttributePicker", "get_possible_keys")
    source = inspect.getsource(_lookup("moto.core.serialize", "AttributePicker", "__call__"))
    for expected in ("get_possible_keys(context)", "response_transformers", "MISSING"):
        if expected not in source:
            raise MotoInternalsMoved(
                f"moto.core.serialize.AttributePicker.__call__ lost {expected}"
            )
    return (
        cls,
        _lookup("moto.core.serialize", "get_value"),
        _lookup("moto.core.serialize", "MISSING"),
    )


def response_method_lister() -> tuple[Any, Any]:
    """moto.core.responses and the ``method_names_from_class`` it calls on every request."""
    module = _lookup("moto.core.responses")
    if "method_names_from_class(self.__class__)" not in inspect.getsource(
        _lookup("moto.core.responses", "BaseResponse", "call_action")
    ):
        raise MotoInternalsMoved("BaseResponse.call_action no longer lists methods per request")
    return module, _lookup("moto.core.responses", "method_names_from_class")


def botocore_client_class() -> Any:
    """botocore's ``BaseClient``, whose ``_make_api_call(self, operation_name, api_params)`` is
    the one way every client's API call goes (faults.py fails a function's call there)."""
    from botocore.client import BaseClient

    method = getattr(BaseClient, "_make_api_call", None)
    if method is None or len(inspect.signature(method).parameters) != 3:
        raise MotoInternalsMoved(
            "botocore.client.BaseClient._make_api_call(self, operation_name, api_params) "
            "changed; localaws.engine.faults wraps it"
        )
    return BaseClient


def moto_wsgi_server(server: Any) -> Any:
    """The werkzeug server inside a started ``ThreadedMotoServer`` (its private ``_server``):
    each request reads its ``app``, so a route can be put in front of moto's (faults.py)."""
    wsgi = getattr(server, "_server", None)
    if wsgi is None or not hasattr(wsgi, "app"):
        raise MotoInternalsMoved("ThreadedMotoServer._server.app is gone (localaws.engine.faults)")
    return wsgi


def botocore_stubber() -> Any:
    """mock_aws's stubber: answers a botocore request in-process while ``enabled``."""
    stubber = _lookup("moto.core.models", "botocore_stubber")
    if not isinstance(getattr(stubber, "enabled", None), bool):
        raise MotoInternalsMoved("moto.core.models.botocore_stubber has no `enabled` flag")
    return stubber


def update_expression_parser() -> Any:
    """The parser whose ``make(expression)`` DynamoDB's handler and backend both call; its
    result must only be read or deep-copied (the validator copies it) for a cache to be safe."""
    cls = _lookup("moto.dynamodb.parsing.expressions", "UpdateExpressionParser")
    _lookup("moto.dynamodb.parsing.expressions", "UpdateExpressionParser", "make")
    init = inspect.getsource(_lookup("moto.dynamodb.parsing.validators", "Validator", "__init__"))
    if "deepcopy(expression)" not in init:
        raise MotoInternalsMoved("moto's DynamoDB Validator no longer copies the expression")
    return cls


def update_expression_validator_module() -> tuple[Any, Any]:
    """moto's DynamoDB validators module (its ``deepcopy`` copies the parsed expression before
    validating it) and the AST node base class."""
    module = _lookup("moto.dynamodb.parsing.validators")
    _lookup("moto.dynamodb.parsing.validators", "deepcopy")
    return module, _lookup("moto.dynamodb.parsing.ast_nodes", "Node")


def expression_shape_checks() -> tuple[Any, Any]:
    """The two UpdateExpression validators whose verdict depends only on the parsed
    expression (and, for overlapping paths, the attribute names): each checks the root and
    returns it unchanged."""
    module = "moto.dynamodb.parsing.validators"
    checks = (
        _lookup(module, "ActionCountValidator"),
        _lookup(module, "OverlappingPathsValidator"),
    )
    _require_code(
        module, {check: ("return {UpdateExpression: self.", "return node") for check in checks}
    )
    return checks


def condition_expression_parser() -> Any:
    """moto's parser of Condition/Filter expressions; its lexer turns the expression string
    alone into LITERAL nodes (text = value, no children), which localaws remembers."""
    parser = _lookup("moto.dynamodb.comparisons", "ConditionExpressionParser")
    _require_code(
        "moto.dynamodb.comparisons",
        {
            parser._lex_condition_expression: ("remaining_expression = self.condition_expression",),
            parser._lex_one_node: (
                "kind=self.Kind.LITERAL,\n                    text=match_text,\n"
                "                    value=match_text,\n                    children=[],",
            ),
        },
    )
    return parser


def dynamo_type_class() -> Any:
    """moto's DynamoDB attribute value, whose ``to_regular_json`` (the value as boto3's
    deserializer takes it: stream images, projections) localaws replaces with a copy-free one."""
    cls = _lookup("moto.dynamodb.models.dynamo_type", "DynamoType")
    _require_code(
        "moto.dynamodb.models.dynamo_type",
        {
            cls.to_regular_json: (
                "value = copy.deepcopy(self.value)",
                "nested_value.to_regular_json()",
                "val.to_regular_json() if isinstance(val, DynamoType) else val",
                "if self.is_binary() and isinstance(value, str):",
                "value = base64.b64decode(value)",
                "return {self.type: value}",
            )
        },
    )
    return cls


def json_structure_serializer() -> Any:
    """moto's JSON response serializer, whose structure serialization localaws short-cuts
    for DynamoDB's AttributeValue. The replacement copies what the generic path does for that
    shape: members by name, strings as they are, blobs in base64, lists and maps member by
    member, a structure under its key."""
    module = "moto.core.serialize"
    cls = _lookup(module, "BaseJSONSerializer")
    _require_code(
        module,
        {
            cls._serialize_type_structure: (
                "shape.is_document_type",
                "super()._serialize_type_structure",
            ),
            _lookup(module, "ResponseSerializer", "_serialize_type_structure"): (
                "if value is None:",
                "self._serialize_structure_member(wrapper, value, member_shape, member_key)",
                "self._default_serialize(serialized, wrapper, shape, key)",
            ),
            _lookup(module, "ResponseSerializer", "_base64"): (
                "base64.b64encode(value).strip().decode(self.DEFAULT_ENCODING)",
            ),
            _lookup(module, "BaseJSONSerializer", "_serialize_type_string"): (
                "string_value = str(value) if value not in [None, {}, []] else value",
            ),
            _lookup(module, "ResponseSerializer", "get_value"): ("self._value_picker(context)",),
        },
    )
    if cls.MAP_TYPE is not dict:
        raise MotoInternalsMoved(f"{module}.BaseJSONSerializer.MAP_TYPE is no longer dict")
    return cls


def moto_random_class() -> Any:
    """moto's random source, whose ``get_random_string`` (request ids, resource ids) draws one
    character per ``choice`` call."""
    cls = _lookup("moto.moto_api._internal.moto_random", "MotoRandom")
    _require_code(
        "moto.moto_api._internal.moto_random",
        {
            cls.get_random_string: (
                "pool = string.ascii_letters",
                "pool += string.digits",
                '"".join([self.choice(pool) for i in range(length)])',
                "return random_str.lower() if lower_case else random_str",
            )
        },
    )
    return cls


PINNED_BOTOCORE = "1.44.8"


def botocore_json_structure_handlers() -> tuple[Any, Any]:
    """botocore's JSON request serializer and response parser, whose structure handling
    localaws short-cuts for DynamoDB's AttributeValue in this process's clients. The
    replacements copy what the generic paths do for that shape; their code must still be
    the code copied (botocore is pinned exactly too)."""
    import botocore
    import botocore.parsers
    import botocore.serialize

    if botocore.__version__ != PINNED_BOTOCORE:
        raise MotoInternalsMoved(
            f"botocore {botocore.__version__} is installed; localaws is pinned to {PINNED_BOTOCORE}"
        )
    serializer: Any = botocore.serialize.JSONSerializer
    parser: Any = botocore.parsers.BaseJSONParser
    _require_code(
        "botocore",
        {
            serializer._serialize_type_structure: (
                "for member_key, member_value in value.items():",
                "new_serialized = self.MAP_TYPE()",
            ),
            serializer._serialize_type_blob: ("serialized[key] = self._get_base64(value)",),
            serializer._get_base64: (
                "base64.b64encode(value).strip().decode(self.DEFAULT_ENCODING)",
            ),
            serializer._serialize_type_list: ('list_obj.append(wrapper["__current__"])',),
            parser._handle_structure: (
                "if self._has_unknown_tagged_union_member(shape, value):",
                "raw_value = value.get(json_name)",
            ),
            parser._handle_blob: ("return self._blob_parser(value)",),
        },
    )
    if serializer.MAP_TYPE is not dict:
        raise MotoInternalsMoved("botocore's JSONSerializer.MAP_TYPE is no longer dict")
    return serializer, parser


def ast_traversal() -> tuple[Any, Any, tuple[Any, ...]]:
    """moto's DynamoDB expression tree walker (``DepthFirstTraverser``), the tree's ``Node``
    base class, and the node classes ``Node.find_clauses`` descends into. localaws replaces
    the walker's methods and ``find_clauses`` with ones that ask ``isinstance`` once per
    class; their code must still be the code those replacements copy."""
    module = "moto.dynamodb.parsing.ast_nodes"
    traverser = _lookup(module, "DepthFirstTraverser")
    node = _lookup(module, "Node")
    _require_code(
        module,
        {
            traverser.traverse_node_recursively: (
                "self.pre_processing_of_child(node, i)",
                "if isinstance(node, self.nodes_to_be_processed()):",
                "parent_node.children[child_id] = node",
            ),
            traverser.nodes_to_be_processed: ("tuple(k for k in self._processing_map().keys())",),
            traverser.process: ("for class_key, processor in self._processing_map().items():",),
            node.find_clauses: (
                "if type(child) in clause_types:",
                "elif isinstance(child, Expression):",
                "elif isinstance(child, UpdateExpressionFunction):",
            ),
        },
    )
    descend = (_lookup(module, "Expression"), _lookup(module, "UpdateExpressionFunction"))
    return traverser, node, descend


def check() -> None:
    """Fail loudly, naming the moved internal, if this moto is not the one localaws knows."""
    import moto

    if moto.__version__ != PINNED_MOTO:
        raise MotoInternalsMoved(
            f"moto {moto.__version__} is installed; localaws is pinned to {PINNED_MOTO}"
        )
    lambda_function_class()
    lambda_invoke_method()
    retrier_module()
    dynamodb_backend_class()
    dynamodb_handler_class()
    dynamodb_models_module()
    sns_backend_class()
    sfn_user_config()
    sfn_response_class()
    sfn_errors()
    sfn_client_factory_users()
    sfn_execution_worker_class()
    sfn_event_manager_class()
    sns_subscription_class()
    cognito_user_class()
    sfn_execution_class()
    _lookup("moto.stepfunctions.parser.models", "stepfunctions_parser_backends")
    sns_response_class()
    sns_invalid_parameter()
    sns_exception_class()
    ses_backend_class()
    _lookup("moto.sns.models", "sns_backends")
    _lookup("moto.sns.models", "Topic")
    cognito_backend_class()
    cognito_user_pool_class()
    cognito_response_class()
    cognito_backends()
    cognito_action_result()
    cognito_errors().CodeMismatchException("checked")
    lambda_backend_class()
    jsonpath_parse_users()
    serializer_attribute_picker()
    response_method_lister()
    botocore_stubber()
    botocore_client_class()
    update_expression_parser()
    update_expression_validator_module()
    ast_traversal()
    expression_shape_checks()
    condition_expression_parser()
    dynamo_type_class()
    json_structure_serializer()
    moto_random_class()
    botocore_json_structure_handlers()
    _lookup("moto.dynamodbstreams.models", "DynamoDBStreamsBackend", "get_records")
    sqs_queue_class()
    stream_shard_class()
    events_rule_class()
    events_backend_class()
    event_pattern_class()
    event_template_parser()
    lambda_invalid_parameter()
    _instance_attributes(
        _lookup("moto.dynamodbstreams.models", "DynamoDBStreamsBackend"), "shard_iterators"
    )
    too_large_error("checked")


def sns_backend(region: str) -> Any:
    """moto's SNS backend: topics keep ``sent_notifications`` (what was published)."""
    backends = _lookup("moto.sns.models", "sns_backends")
    return backends[ACCOUNT_ID][region]


# -- event plumbing (pollers.py, eventbridge.py) ----------------------------------------------
ESM_OPERATIONS = (
    "create_event_source_mapping",
    "update_event_source_mapping",
    "delete_event_source_mapping",
)


def lambda_backend_class() -> Any:
    """Creates event source mappings; localaws takes them over from moto's synchronous calls."""
    cls = _class_with("moto.awslambda.models", "LambdaBackend", ESM_OPERATIONS)
    esm = _lookup("moto.awslambda.models", "EventSourceMapping")
    for attr in ("batch_size", "event_source_arn"):
        _lookup("moto.awslambda.models", "EventSourceMapping", attr)
    _takes(esm.__init__, "self", "spec", first=True)
    return cls


def sqs_queue_class() -> Any:
    """A queue: ``_messages`` under the ``_messages_lock`` condition (notified on every add),
    ``lambda_event_source_mappings`` (what moto invokes synchronously inside SendMessage)."""
    cls = _lookup("moto.sqs.models", "Queue")
    _lookup("moto.sqs.models", "Queue", "add_message")
    _instance_attributes(
        cls, "_messages", "_messages_lock", "lambda_event_source_mappings", "fifo_queue"
    )
    _instance_attributes(_lookup("moto.awslambda.models", "LambdaFunction"), "timeout")
    message = _lookup("moto.sqs.models", "Message")
    _instance_attributes(message, "visible_at", "delayed_until", "group_id")
    _lookup("moto.sqs.models", "sqs_backends")
    return cls


def _instance_attributes(cls: type, *names: str, in_init: bool = True) -> None:
    """Attributes set in ``__init__`` (``in_init=False``: in any method), where there is no
    class attribute to look up."""
    source = inspect.getsource(cls.__init__ if in_init else cls)  # type: ignore[misc]
    for name in names:
        if f"self.{name} " not in source and f"self.{name}:" not in source:
            raise MotoInternalsMoved(
                f"{cls.__module__}.{cls.__name__}.{name} is no longer set in __init__; "
                f"localaws was written against moto {PINNED_MOTO}"
            )


def sqs_queue(region: str, name: str) -> Any:
    backends = _lookup("moto.sqs.models", "sqs_backends")
    return backends[ACCOUNT_ID][region].get_queue(name)


def sqs_backend(region: str) -> Any:
    return _lookup("moto.sqs.models", "sqs_backends")[ACCOUNT_ID][region]


def stream_shard_class() -> Any:
    """A table's stream shard; ``add(old, new)`` appends one record per write. Its ``table``
    and the table's ``stream_shard`` point at each other; ``transact_write_items(self,
    transact_items)`` restores copies of the tables (and shards) when it is cancelled."""
    cls = _lookup("moto.dynamodb.models.table", "StreamShard")
    _instance_attributes(
        _lookup("moto.dynamodb.models.table", "Table"),
        "lambda_event_source_mappings",
        "stream_shard",
    )
    _instance_attributes(cls, "table", "items")
    transact = _lookup("moto.dynamodb.models", "DynamoDBBackend", "transact_write_items")
    patched = getattr(transact, "_localaws_locked", False) or getattr(
        transact, "_localaws_held", False
    )  # localaws's own wrappers (checked before they were installed)
    if not patched:
        _takes(transact, "self", "transact_items")
    add = _lookup("moto.dynamodb.models.table", "StreamShard", "add")
    _takes(add, "self", "old", "new")
    return cls


def dynamodb_table(region: str, name: str) -> Any:
    backends = _lookup("moto.dynamodb.models", "dynamodb_backends")
    return backends[ACCOUNT_ID][region].get_table(name)


def events_rule_class() -> Any:
    """An EventBridge rule; ``send_to_targets(event, transform_input=True)`` delivers."""
    cls = _lookup("moto.events.models", "Rule")
    _takes(cls.send_to_targets, "self", "original_event", "transform_input", first=True)
    _instance_attributes(cls, "state", "targets", "event_pattern", "account_id", "region_name")
    _lookup("moto.events.models", "Rule", "arn")
    return cls


def events_backend_class() -> Any:
    """EventBridge's backend; ``put_events(events)`` answers one entry per event, in order."""
    cls = _lookup("moto.events.models", "EventsBackend")
    _takes(cls.put_events, "self", "events")
    return cls


def event_pattern_class() -> Any:
    """EventBridge's pattern matcher; Lambda's FilterCriteria use the same pattern syntax."""
    return _class_with("moto.events.models", "EventPattern", ("load", "matches_event"))


def event_template_parser() -> Any:
    """InputTransformer: ``parse(input_template, input_paths_map, event)``."""
    return _lookup("moto.events.utils", "EventTemplateParser", "parse")


def lambda_invalid_parameter() -> Any:
    """Lambda's InvalidParameterValueException, raised from a backend method as AWS answers."""
    return _lookup("moto.awslambda.exceptions", "InvalidParameterValueException")


def dynamodbstreams_backend(region: str) -> Any:
    """The DynamoDB Streams backend whose ``get_records(iterator, limit)`` answers GetRecords
    (``{"Records": [record JSON], "NextShardIterator": arn}``): the stream pollers call it."""
    backends = _lookup("moto.dynamodbstreams.models", "dynamodbstreams_backends")
    method = _lookup("moto.dynamodbstreams.models", "DynamoDBStreamsBackend", "get_records")
    _takes(method, "self", "iterator_arn", "limit")
    return backends[ACCOUNT_ID][region]


def stream_shard_iterators(region: str) -> dict[str, Any]:
    """moto keeps every shard iterator it ever handed out (one per GetRecords); the stream
    pollers drop the ones they have used, or a long ``make run`` would grow without bound."""
    backends = _lookup("moto.dynamodbstreams.models", "dynamodbstreams_backends")
    iterators: dict[str, Any] = backends[ACCOUNT_ID][region].shard_iterators
    return iterators


def ses_backend(region: str) -> Any:
    """moto's SES backend: ``sent_messages`` keeps every message sent (v1 and v2)."""
    backends = _lookup("moto.ses.models", "ses_backends")
    return backends[ACCOUNT_ID][region]
