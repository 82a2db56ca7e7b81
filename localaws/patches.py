"""Every patch localaws makes to moto, botocore or the interpreter: declared once, installed in one
listed order by :func:`install`, removable for tests by :func:`uninstall`.

Two kinds:

- a **fix** makes the emulator behave as AWS does (or run our code at all); without it the
  system is wrong;
- a **speedup** keeps moto's answers exactly and only makes them cheaper (each is compared with
  moto's own answer in ``tests/tooling/test_speedups.py``).

``LOCALAWS_SPEEDUPS=off`` installs the fixes only: the system at stock moto's speed. Each patch
names what it replaces (``module:Owner.attribute``); ``tests/tooling/test_patches.py`` fails when
an install changes anything its patch does not name, and docs/local.md's patch table is checked
against this list. The code of each patch stays beside the emulation it serves (``compat/`` for
pure moto/botocore fixes and speedups); this module only says what, why, and in which order.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from localaws.aws import cognito, cognito_accounts, mail, sns
from localaws.compat import dynamodb, guard, speedups, stepfunctions, stepfunctions_api
from localaws.engine import faults, lambdas
from localaws.engine.lambdas import LambdaRuntime
from localaws.events import eventbridge, pollers

Kind = Literal["fix", "speedup"]
SPEEDUPS_VARIABLE = "LOCALAWS_SPEEDUPS"
MOTO = f"moto {guard.PINNED_MOTO}"
BOTOCORE = f"botocore {guard.PINNED_BOTOCORE}"


@dataclass
class Hooks:
    """What the patches that call back into the running cloud need from it."""

    runtime: LambdaRuntime
    clock: Any
    mailbox: mail.Mailbox
    confirmations: sns.EmailConfirmations
    cognito_codes: cognito.CognitoCodes


@dataclass(frozen=True)
class Patch:
    name: str
    kind: Kind
    targets: tuple[str, ...]
    why: str
    install: Callable[[Hooks], None]
    pinned: str = MOTO
    upstream: str = ""
    #: Undo what setting ``targets`` back does not (a handler appended to a list, say).
    undo: Callable[[], None] | None = None


def _static(fn: Callable[[], None]) -> Callable[[Hooks], None]:
    return lambda _hooks: fn()


def _set_retrier_clock(hooks: Hooks) -> None:
    guard.retrier_module().time = hooks.clock


PATCHES: tuple[Patch, ...] = (
    Patch(
        "run Lambda code in-process",
        "fix",
        ("moto.awslambda.models:LambdaFunction._invoke_lambda",),
        "moto runs Lambda code only in Docker; the handler runs in-process "
        "(localaws.engine.lambdas)",
        lambda hooks: hooks.runtime.install(),
        upstream="getmoto/moto#9916",
    ),
    Patch(
        "dependency faults",
        "fix",
        ("botocore.client:BaseClient._make_api_call",),
        "a function's AWS call fails with the error code of a dependency-error fault, as an "
        "FIS-style rehearsal needs (calls outside an invocation are never failed)",
        lambda hooks: faults.install_dependency_hook(
            hooks.runtime.faults, guard.botocore_client_class()
        ),
        pinned=BOTOCORE,
    ),
    Patch(
        "function errors reported Unhandled",
        "fix",
        ("moto.awslambda.models:LambdaFunction.invoke",),
        "Lambda reports a Python handler's exception as FunctionError Unhandled; moto says Handled",
        _static(lambdas.report_unhandled),
    ),
    Patch(
        "controllable retry clock",
        "fix",
        ("moto.stepfunctions.parser.asl.component.common.retry.retrier_decl:time",),
        "Retry back-off on a scaled clock: tests wait 1/1000 of it, attempts and order unchanged",
        _set_retrier_clock,
    ),
    Patch(
        "copy only a transaction's items",
        "speedup",
        (
            "moto.dynamodb.models:copy",
            "moto.dynamodb.models:DynamoDBBackend.transact_write_items",
        ),
        "TransactWriteItems deep-copied whole tables to roll back; the items it names suffice",
        _static(dynamodb.copy_only_touched_items),
    ),
    Patch(
        "stream records at commit",
        "fix",
        (
            "moto.dynamodb.models.table:StreamShard.add",
            "moto.dynamodb.models:DynamoDBBackend.transact_write_items",
        ),
        "a transaction's stream records appear when it commits, none when it is cancelled",
        _static(pollers.hold_transaction_records),
    ),
    Patch(
        "serialise backends",
        "fix",
        tuple(
            f"{owner}.{op}"
            for owner in (
                "moto.dynamodb.models:DynamoDBBackend",
                "moto.dynamodb.responses:DynamoHandler",
            )
            for op in guard.DYNAMODB_ITEM_OPERATIONS
        )
        + tuple(f"moto.sns.models:SNSBackend.{op}" for op in guard.SNS_OPERATIONS),
        "moto's check-then-write holds no lock; DynamoDB's item operations are atomic",
        _static(dynamodb.serialise_backends),
    ),
    Patch(
        "keep SendTaskFailure's cause",
        "fix",
        ("moto.stepfunctions.responses:StepFunctionResponse.send_task_failure",),
        "moto drops the cause of SendTaskFailure; a manager's rejection reason would vanish",
        _static(stepfunctions.keep_task_failure_cause),
    ),
    Patch(
        "execution history paged",
        "fix",
        ("moto.stepfunctions.responses:StepFunctionResponse.get_execution_history",),
        "moto 5.2.5 returns every event oldest first, ignoring reverseOrder, maxResults, "
        "nextToken and includeExecutionData",
        _static(stepfunctions_api.install),
    ),
    Patch(
        "RedriveExecution",
        "fix",
        (
            "moto.stepfunctions.responses:StepFunctionResponse.redrive_execution",
            "moto.stepfunctions.responses:StepFunctionResponse.describe_execution",
            "moto.stepfunctions.responses:StepFunctionResponse._localaws_redrive",
        ),
        "RedriveExecution as AWS documents it (moto 5.2.5 has none), and DescribeExecution's "
        "redrive fields",
        _static(stepfunctions_api.install_redrive),
    ),
    Patch(
        "SNS subject rule",
        "fix",
        ("moto.sns.models:SNSBackend.publish",),
        "Publish refuses a subject with a line break or control character, or of 100+ characters",
        _static(sns.enforce_subject_rule),
    ),
    Patch(
        "SNS filter policy quota",
        "fix",
        ("moto.sns.models:SNSBackend.set_subscription_attributes",),
        "a topic's 201st filter policy is refused (FilterPolicyLimitExceeded)",
        _static(sns.enforce_filter_policy_quota),
    ),
    Patch(
        "one interpreter client per service",
        "speedup",
        tuple(f"{module}:boto_client_for" for module in guard.SFN_CLIENT_FACTORY_USERS),
        "the interpreter built a boto3 client for every Task (10-20 ms each)",
        _static(stepfunctions.reuse_interpreter_clients),
    ),
    Patch(
        "parse each definition once",
        "speedup",
        (
            "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_entrypoint",
        ),
        "ANTLR parsed the definition again for every execution (tens of ms)",
        _static(stepfunctions.parse_each_definition_once),
    ),
    Patch(
        "announce history events",
        "fix",
        (
            "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment",
            "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager._publish_history_event",
        ),
        "the log, tests and benchmarks hear each history event instead of polling",
        _static(stepfunctions.announce_history_events),
    ),
    Patch(
        "event source mappings polled",
        "fix",
        (
            "moto.awslambda.models:LambdaBackend.create_event_source_mapping",
            "moto.awslambda.models:LambdaBackend.update_event_source_mapping",
            "moto.awslambda.models:LambdaBackend.delete_event_source_mapping",
        ),
        "moto invokes synchronously inside SendMessage and never re-polls; a poller per "
        "mapping runs it as Lambda does, and FilterCriteria and visibility are checked",
        _static(pollers.install),
    ),
    Patch(
        "EventBridge delivery",
        "fix",
        ("moto.events.models:Rule.send_to_targets", "moto.events.models:EventsBackend.put_events"),
        "moto's DISABLED rules deliver, Input/InputPath are ignored, Lambda/SNS/Step Functions "
        "targets raise",
        _static(eventbridge.install),
    ),
    Patch(
        "mail captured",
        "fix",
        ("moto.sns.models:Subscription.publish", "moto.ses.models:SESBackend.send_email"),
        "moto sends no email: what confirmed email subscriptions and SES would deliver lands "
        "in the mailbox",
        lambda hooks: hooks.mailbox.install(),
    ),
    Patch(
        "email subscriptions pending",
        "fix",
        (
            "moto.sns.models:SNSBackend.subscribe",
            "moto.sns.responses:SNSResponse.confirm_subscription",
        ),
        "moto confirms every subscription at once; SNS waits for the emailed link",
        lambda hooks: hooks.confirmations.install(),
    ),
    Patch(
        "Cognito codes",
        "fix",
        (
            "moto.cognitoidp.models:CognitoIdpBackend.sign_up",
            "moto.cognitoidp.models:CognitoIdpBackend.admin_create_user",
            "moto.cognitoidp.models:CognitoIdpBackend.forgot_password",
            "moto.cognitoidp.models:CognitoIdpBackend.confirm_forgot_password",
            "moto.cognitoidp.responses:CognitoIdpResponse.confirm_sign_up",
            "moto.cognitoidp.responses:CognitoIdpResponse.resend_confirmation_code",
            "moto.cognitoidp.responses:CognitoIdpResponse.revoke_token",
            "moto.cognitoidp.responses:CognitoIdpResponse._localaws_codes",
        ),
        "sign-up and reset codes emailed and checked, invitations, token revocation",
        lambda hooks: hooks.cognito_codes.install(),
    ),
    Patch(
        "Cognito account rules",
        "fix",
        (
            "moto.cognitoidp.models:CognitoIdpBackend.admin_create_user",
            "moto.cognitoidp.models:CognitoIdpBackend.admin_update_user_attributes",
            "moto.cognitoidp.models:CognitoIdpBackend.sign_up",
            "moto.cognitoidp.models:CognitoIdpBackend.update_user_attributes",
            "moto.cognitoidp.models:CognitoIdpUserPool._get_user",
            "moto.cognitoidp.models:CognitoIdpUserPool._localaws_accounts",
            "moto.cognitoidp.models:CognitoIdpUserPool.create_refresh_token",
            "moto.cognitoidp.models:CognitoIdpUserPool.create_tokens_from_refresh_token",
        ),
        "case-insensitive usernames where the pool says so, no refresh for a disabled user, "
        "undeclared custom attributes refused, a refresh after an email change",
        _static(cognito_accounts.install),
    ),
    # -- speedups: moto's answers, cheaper (localaws.compat.speedups) ----------------------
    Patch(
        "JSONPath parsed once",
        "speedup",
        (
            "jsonpath_ng.ext:parse",
            "moto.stepfunctions.parser.asl.utils.json_path:parse",
            "moto.stepfunctions.parser.asl.component.common.path.result_path:parse",
        ),
        "each JSONPath was parsed with a fresh PLY lexer at every evaluation",
        _static(speedups.cache_jsonpath_parsing),
    ),
    Patch(
        "attribute names remembered",
        "speedup",
        ("moto.core.serialize:XFormedAttributePicker.__call__",),
        "the response serializer recomputed alias names for every member of every value",
        _static(speedups.cache_attribute_names),
    ),
    Patch(
        "method names remembered",
        "speedup",
        ("moto.core.responses:method_names_from_class",),
        "moto listed a response class's methods on every request",
        _static(speedups.cache_method_names),
    ),
    Patch(
        "UpdateExpression parsed once",
        "speedup",
        ("moto.dynamodb.parsing.expressions:UpdateExpressionParser.make",),
        "each UpdateItem parsed its expression twice",
        _static(speedups.cache_update_expressions),
    ),
    Patch(
        "UpdateExpression copied by pickle",
        "speedup",
        ("moto.dynamodb.parsing.validators:deepcopy",),
        "the validator deep-copied the parsed tree on every UpdateItem",
        _static(speedups.copy_expressions_by_pickle),
    ),
    Patch(
        "expression trees walked by class",
        "speedup",
        (
            "moto.dynamodb.parsing.ast_nodes:DepthFirstTraverser.nodes_to_be_processed",
            "moto.dynamodb.parsing.ast_nodes:DepthFirstTraverser.process",
            "moto.dynamodb.parsing.ast_nodes:DepthFirstTraverser.traverse_node_recursively",
            "moto.dynamodb.parsing.ast_nodes:Node.find_clauses",
        ),
        "ten walkers asked isinstance of abstract classes at every node",
        _static(speedups.walk_expression_trees_by_class),
    ),
    Patch(
        "expression shape checks remembered",
        "speedup",
        (
            "moto.dynamodb.parsing.validators:ActionCountValidator.traverse",
            "moto.dynamodb.parsing.validators:OverlappingPathsValidator.traverse",
        ),
        "two shape checks searched the same parsed expression on every UpdateItem",
        _static(speedups.remember_expression_shape_checks),
    ),
    Patch(
        "conditions lexed once",
        "speedup",
        ("moto.dynamodb.comparisons:ConditionExpressionParser._lex_condition_expression",),
        "every ConditionExpression was lexed with six regular expressions per token",
        _static(speedups.lex_each_condition_once),
    ),
    Patch(
        "stored values converted without copies",
        "speedup",
        ("moto.dynamodb.models.dynamo_type:DynamoType.to_regular_json",),
        "stream images deep-copied each nested value, then converted it again",
        _static(speedups.convert_values_without_copying),
    ),
    Patch(
        "attribute values serialized directly (moto)",
        "speedup",
        ("moto.core.serialize:BaseJSONSerializer._serialize_type_structure",),
        "moto's serializer walked ten members per attribute value",
        _static(speedups.serialize_attribute_values_directly),
    ),
    Patch(
        "random strings at once",
        "speedup",
        ("moto.moto_api._internal.moto_random:MotoRandom.get_random_string",),
        "a 52-character request id drawn one call per character",
        _static(speedups.draw_random_strings_at_once),
    ),
    Patch(
        "attribute values serialized directly (botocore)",
        "speedup",
        (
            "botocore.serialize:JSONSerializer._serialize_type_structure",
            "botocore.parsers:BaseJSONParser._handle_structure",
        ),
        "the handlers' botocore clients walked ten members per attribute value",
        _static(speedups.client_attribute_values_directly),
        pinned=BOTOCORE,
    ),
    Patch(
        "sign only what leaves",
        "speedup",
        (),  # a signer registered with botocore's handlers; undone by ``unsign``
        "calls answered in this process were SigV4 signed (five HMACs) for nobody to check",
        _static(speedups.sign_only_what_leaves),
        pinned=BOTOCORE,
        undo=speedups.unsign,
    ),
)

_lock = threading.Lock()
_installed: dict[str, list[tuple[Any, str, Any]]] = {}
_MISSING = object()


def speedups_enabled() -> bool:
    """``LOCALAWS_SPEEDUPS=off`` (or ``0``/``false``) leaves the speedups out."""
    return os.environ.get(SPEEDUPS_VARIABLE, "on").strip().lower() not in {"off", "0", "false"}


def install(hooks: Hooks, speedups: bool | None = None) -> list[str]:
    """Install every patch in the listed order (the speedups only when enabled), each once per
    process; the names installed by this call, in order."""
    with_speedups = speedups_enabled() if speedups is None else speedups
    return _install([p for p in PATCHES if p.kind == "fix" or with_speedups], hooks)


def install_speedups() -> list[str]:
    """The speedups alone, in their order: a benchmark of plain moto (no LocalCloud, so none
    of the fixes' hooks) measures moto as the engine runs it."""
    return _install([p for p in PATCHES if p.kind == "speedup"], None)


def _install(chosen: list[Patch], hooks: Hooks | None) -> list[str]:
    done = []
    with _lock:
        for patch in chosen:
            if patch.name in _installed:
                continue
            before = [_slot(target) for target in patch.targets]
            patch.install(hooks)  # type: ignore[arg-type]  # speedups take no hooks
            _installed[patch.name] = [
                (owner, attr, value)
                for owner, attr, value in before
                if _current(owner, attr) is not value
            ]
            done.append(patch.name)
    return done


def installed() -> list[str]:
    with _lock:
        return [p.name for p in PATCHES if p.name in _installed]


def uninstall(name: str) -> None:
    """Put back what one patch replaced (tests compare a patch with moto's own behaviour)."""
    patch = next(p for p in PATCHES if p.name == name)
    with _lock:
        for owner, attr, value in reversed(_installed.pop(name, [])):
            if value is _MISSING:
                delattr(owner, attr)
            else:
                setattr(owner, attr, value)
        if patch.undo is not None:
            patch.undo()


def resolve(target: str) -> tuple[Any, str]:
    """``module:Owner.attribute`` -> (the owner object, the attribute's name)."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *owners, attr = path.split(".")
    for name in owners:
        owner = getattr(owner, name)
    return owner, attr


def _slot(target: str) -> tuple[Any, str, Any]:
    owner, attr = resolve(target)
    return owner, attr, vars(owner).get(attr, _MISSING) if hasattr(owner, "__dict__") else _MISSING


def _current(owner: Any, attr: str) -> Any:
    return vars(owner).get(attr, _MISSING)


PATCHES_BY_NAME = {p.name: p for p in PATCHES}
