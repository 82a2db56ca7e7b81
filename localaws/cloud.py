"""LocalCloud: moto on loopback with Step Functions executing and our Lambdas running.

One object, used the same way by the test suite, the demo, the benchmarks and ``make run``::

    with LocalCloud() as cloud:
        stack = cloud.deploy("template.yaml")
        sfn = cloud.client("stepfunctions")

No AWS account is touched: credentials are dummies and the region is set explicitly. Clients
in this process (``cloud.client``, the Lambda handlers') are answered in-process by moto's
stubber, S3's and Streams' over the loopback endpoint; other processes use that endpoint.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from localaws import guard, pollers, sns, speedups
from localaws.deploy import Deployer, Stack
from localaws.eventing import EventPlumbing
from localaws.faults import FaultsRoute
from localaws.lambdas import Invocation, LambdaRuntime
from localaws.template import load_template

DEFAULT_REGION = "eu-west-2"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


HistoryListener = Callable[[str, dict[str, Any]], None]

#: The template parameter naming the SES identity guests' emails come from, and its local value.
SENDER_PARAMETER = "SenderEmail"
LOCAL_SENDER = "bookings@hotel-booking.example"


class PortInUse(RuntimeError):
    pass


class ScaledTime:
    """Stands in for the ``time`` module inside the Step Functions retrier.

    ``scale=1`` waits the real back-off; tests use a small scale so a 1-2-4 s back-off takes
    milliseconds while the order and number of attempts stay exactly as on AWS.
    """

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds * self.scale))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_port_free(port: int, variable: str) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise PortInUse(
                f"port {port} is busy; set {variable} to another port (e.g. {variable}={port + 1})"
            ) from None


class LocalCloud:
    """The emulated AWS account. Only one per process: moto's backends are process-global."""

    _active: LocalCloud | None = None

    def __init__(
        self,
        port: int | None = None,
        region: str = DEFAULT_REGION,
        retry_time_scale: float = 1.0,
        on_invocation: Callable[[Invocation], None] | None = None,
        port_variable: str = "AWS_PORT",
    ) -> None:
        self.region = region
        self.port = port or free_port()
        self.port_variable = port_variable
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.clock = ScaledTime(retry_time_scale)
        self._listeners: list[Callable[[Invocation], None]] = []
        self._history_listeners: list[HistoryListener] = []
        if on_invocation:
            self._listeners.append(on_invocation)
        self.runtime = LambdaRuntime(self._lambda_env(), self._notify)
        # SQS / DynamoDB Streams pollers and EventBridge delivery, as AWS runs them.
        self.events = EventPlumbing(self.runtime, self.client, lambda: self.clock.scale)
        self._server: Any = None
        self._mock: Any = None
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.stacks: dict[str, Stack] = {}

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> LocalCloud:
        if LocalCloud._active is not None:
            raise RuntimeError("a LocalCloud is already running in this process")
        guard.check()
        ensure_port_free(self.port, self.port_variable)
        os.environ.update(DUMMY_CREDENTIALS)
        os.environ["AWS_DEFAULT_REGION"] = self.region
        os.environ["AWS_REGION"] = self.region
        # The interpreter calls Lambda, SNS, DynamoDB at localhost:MOTO_PORT.
        os.environ["MOTO_PORT"] = str(self.port)
        for leak in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
            os.environ.pop(leak, None)

        config = guard.sfn_user_config()
        config["stepfunctions"]["execute_state_machine"] = True
        config["iam"]["load_aws_managed_policies"] = False
        guard.retrier_module().time = self.clock
        _copy_only_touched_items()  # innermost: wraps moto's transact_write_items
        pollers.hold_transaction_records()  # then: inside the lock _serialise_backends adds
        _serialise_backends()
        _keep_task_failure_cause()
        sns.enforce_subject_rule()
        sns.enforce_filter_policy_quota()
        _reuse_interpreter_clients()
        _parse_each_definition_once()
        _announce_history_events()
        speedups.install()
        self.runtime.install()
        self.events.start()

        from moto import mock_aws
        from moto.server import ThreadedMotoServer

        # Calls made inside this process (the Step Functions interpreter, Lambda handlers,
        # cloud.client's) are answered in-process by moto's botocore stubber, without an HTTP
        # round trip; anything outside (browsers, the CLI, the search tasks) reaches the same
        # backends over HTTP.
        # A side effect worth having: no call from this process can ever reach real AWS.
        self._mock = mock_aws()
        self._mock.start()

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # The interpreter logs every Fail state as an ERROR with a huge repr; the execution
        # history already says it all.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # python -m localaws faults reaches the runtime's faults on this endpoint.
        wsgi = guard.moto_wsgi_server(self._server)
        wsgi.app = FaultsRoute(wsgi.app, self.runtime.faults, self.runtime.inject)
        LocalCloud._active = self
        return self

    def stop(self) -> None:
        self.events.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        LocalCloud._active = None

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- deployment -----------------------------------------------------------------------
    def deploy(
        self,
        template: str | Path = "template.yaml",
        stack_name: str = "hotel-booking",
        parameters: dict[str, Any] | None = None,
    ) -> Stack:
        """Translate ``template`` (SAM) and create every resource it declares."""
        translated = load_template(template, self.region)
        parameters = dict(parameters or {})
        if SENDER_PARAMETER in translated.cfn.get("Parameters", {}):
            parameters.setdefault(SENDER_PARAMETER, LOCAL_SENDER)
            # SES sends only from a verified identity; on AWS its owner verifies it once.
            self.client("ses").verify_email_identity(EmailAddress=parameters[SENDER_PARAMETER])
        stack = Deployer(
            translated, stack_name, self.region, self.client, self.runtime, parameters
        ).deploy()
        self.stacks[stack_name] = stack
        return stack

    # -- access ---------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(  # type: ignore[call-overload]
                    service,
                    region_name=self.region,
                    # In-process, as the Lambda handlers' clients are (moto's stubber): an
                    # HTTP round trip through moto's server cost as much CPU as the call.
                    # S3 stays on loopback (its presigned URLs must be fetchable), and so do
                    # Streams (moto's stubber sends them to DynamoDB, which has no such call).
                    endpoint_url=self.endpoint if service in _OVER_HTTP else None,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                )
            return self._clients[service]

    def add_listener(self, listener: Callable[[Invocation], None]) -> None:
        self._listeners.append(listener)

    def add_history_listener(self, listener: HistoryListener) -> None:
        """Call ``listener(execution_arn, event)`` for every Step Functions history event as the
        interpreter appends it (the event as GetExecutionHistory returns it). Lets the follower,
        tests and benchmarks wait on events instead of polling. Listeners run on the
        interpreter's thread: they must be quick and must not call Step Functions."""
        self._history_listeners.append(listener)

    def remove_history_listener(self, listener: HistoryListener) -> None:
        with contextlib.suppress(ValueError):
            self._history_listeners.remove(listener)

    def sns_messages(self, topic_arn: str) -> list[dict[str, Any]]:
        """Every message published to a topic, oldest first (moto keeps them on the topic)."""
        topic = guard.sns_backend(self.region).topics[topic_arn]
        return [
            {
                "MessageId": message_id,
                "Message": message,
                "Subject": subject,
                "MessageAttributes": {
                    k: v.get("Value", v.get("StringValue")) for k, v in (attributes or {}).items()
                },
            }
            for message_id, message, subject, attributes, _group in topic.sent_notifications
        ]

    def ses_messages(self) -> list[dict[str, Any]]:
        """Every email SES sent (moto keeps them on the backend), oldest first."""
        return [
            {
                "MessageId": m.id,
                "Source": m.source,
                "To": [a for addresses in m.destinations.values() for a in addresses],
                "Subject": m.subject,
                "Body": m.body,
            }
            for m in guard.ses_backend(self.region).sent_messages
            if hasattr(m, "subject")  # raw messages have no parsed subject
        ]

    # -- internals ------------------------------------------------------------------------
    def _lambda_env(self) -> dict[str, str]:
        return {
            **DUMMY_CREDENTIALS,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            # S3 over loopback HTTP, so presigned URLs point where a browser can fetch them.
            "AWS_ENDPOINT_URL_S3": self.endpoint,
        }

    def _notify(self, invocation: Invocation) -> None:
        for listener in list(self._listeners):
            listener(invocation)


_OVER_HTTP = frozenset({"s3", "dynamodbstreams"})


def _serialise(backend: Any, operations: tuple[str, ...], lock: threading.RLock) -> None:
    for name in operations:
        original = getattr(backend, name)
        if getattr(original, "_localaws_locked", False):
            continue

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        locked._localaws_locked = True  # type: ignore[attr-defined]
        setattr(backend, name, locked)


def _serialise_backends() -> None:
    """moto's backends are plain Python objects shared by every request thread.

    DynamoDB applies each write and transaction atomically; moto's check-then-write holds no
    lock, so two racing transactions could both see the last room, and a read could see an
    item half-built by an update. SNS iterates a topic's subscriptions while publishing, which
    a concurrent subscribe changes under it. Serialise each service's operations.

    DynamoDB's handler builds its answer from the backend's live items after the backend
    call returns: an update in another thread could change an item while a read turns it
    into JSON ("dictionary changed size during iteration"). The handler's methods hold the
    same lock, so an answer is built from the item as that call left it."""
    dynamodb = threading.RLock()
    _serialise(guard.dynamodb_backend_class(), guard.DYNAMODB_ITEM_OPERATIONS, dynamodb)
    _serialise(guard.dynamodb_handler_class(), guard.DYNAMODB_ITEM_OPERATIONS, dynamodb)
    _serialise(guard.sns_backend_class(), guard.SNS_OPERATIONS, threading.RLock())


def _keep_task_failure_cause() -> None:
    """moto 5.2.5 drops SendTaskFailure's ``cause`` (its response handler never reads it), so a
    manager's rejection reason would vanish from the execution. Pass it through as AWS does."""
    response_cls = guard.sfn_response_class()
    if getattr(response_cls.send_task_failure, "_localaws_fixed", False):
        return
    from moto.core.responses import EmptyResult

    def send_task_failure(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"),
            error=self._get_param("error"),
            cause=self._get_param("cause"),
        )
        return EmptyResult()

    send_task_failure._localaws_fixed = True  # type: ignore[attr-defined]
    response_cls.send_task_failure = send_task_failure


def _reuse_interpreter_clients() -> None:
    """The interpreter builds a new boto3 client for every Task it runs (~10-20 ms each);
    boto3 clients are thread-safe, so build one per (service, region) and reuse it."""
    cache: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()
    for module in guard.sfn_client_factory_users():
        original = module.boto_client_for
        if getattr(original, "_localaws_cached", False):
            continue

        def cached(
            region: str, service: str, state_credentials: Any = None, __original: Any = original
        ) -> Any:
            with lock:
                key = (service, region)
                if key not in cache:
                    cache[key] = __original(region=region, service=service)
                return cache[key]

        cached._localaws_cached = True  # type: ignore[attr-defined]
        module.boto_client_for = cached


def _parse_each_definition_once() -> None:
    """moto parses the ASL definition again for every execution (tens of ms with ANTLR). The
    parsed program keeps its per-execution state in the Environment (Map runs share one tree
    across threads), so one parse per definition serves every execution of it."""
    worker_cls = guard.sfn_execution_worker_class()
    if getattr(worker_cls._get_evaluation_entrypoint, "_localaws_cached", False):
        return
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    programs: dict[str, Any] = {}
    lock = threading.Lock()

    def entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        with lock:
            if definition not in programs:
                programs[definition] = AmazonStateLanguageParser.parse(definition)[0]
            return programs[definition]

    entrypoint._localaws_cached = True  # type: ignore[attr-defined]
    worker_cls._get_evaluation_entrypoint = entrypoint


def _announce_history_events() -> None:
    """Tell the running LocalCloud's history listeners about each event an execution appends.

    moto's EventManager does not know its execution: the worker's environment is tagged with
    the execution ARN when it is built."""
    worker_cls = guard.sfn_execution_worker_class()
    manager_cls = guard.sfn_event_manager_class()
    if getattr(manager_cls._publish_history_event, "_localaws_announced", False):
        return
    build_environment = worker_cls._get_evaluation_environment
    publish = manager_cls._publish_history_event

    @functools.wraps(build_environment)
    def environment(self: Any) -> Any:
        env = build_environment(self)
        env.event_manager._localaws_execution_arn = self._evaluation_details.execution_details.arn
        return env

    @functools.wraps(publish)
    def announce(self: Any, *args: Any, **kwargs: Any) -> None:
        publish(self, *args, **kwargs)
        cloud = LocalCloud._active
        arn = getattr(self, "_localaws_execution_arn", None)
        if cloud is None or arn is None or not cloud._history_listeners:
            return
        event = dict(self._history_event_list[-1])
        event["type"] = getattr(event["type"], "value", event["type"])
        for listener in list(cloud._history_listeners):
            try:
                listener(arn, event)
            except Exception:  # a listener must never break an execution
                logging.getLogger(__name__).exception("history listener failed")

    environment._localaws_announced = True  # type: ignore[attr-defined]
    announce._localaws_announced = True  # type: ignore[attr-defined]
    worker_cls._get_evaluation_environment = environment
    manager_cls._publish_history_event = announce


class _NoTableCopy:
    """``copy`` for moto's DynamoDB models: deep copies of whole tables are skipped while
    :func:`_copy_only_touched_items` keeps the transaction's own undo record."""

    def __init__(self, table_cls: type) -> None:
        self._table_cls = table_cls
        self.skip = threading.local()

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        if getattr(self.skip, "on", False) and isinstance(obj, self._table_cls):
            return obj
        return copy.deepcopy(obj, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _copy_only_touched_items() -> None:
    """moto's TransactWriteItems deep-copies every table it touches to roll back on failure:
    12 ms with 36 items, hundreds of ms with thousands, under the DynamoDB lock, so the
    engine slowed down as data grew. Copy only the items the transaction names (at most 100)
    and put them back on failure, which is the same rollback."""
    models = guard.dynamodb_models_module()
    if isinstance(models.copy, _NoTableCopy):
        return
    from moto.dynamodb.models.table import Table

    no_table_copy = _NoTableCopy(Table)
    backend_cls = models.DynamoDBBackend
    original = backend_cls.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        try:
            undo = _touched_items(self, transact_items)
        except Exception:  # malformed: let moto answer as it does, with its own copies
            return original(self, transact_items)
        streams = _stream_lengths(undo)
        no_table_copy.skip.on = True
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in undo:
                _put_back(table, hash_key, range_key, item)
            _drop_stream_records(streams)
            raise
        finally:
            no_table_copy.skip.on = False

    models.copy = no_table_copy
    backend_cls.transact_write_items = transact_write_items


def _touched_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash key, range key, a copy of the item or None) for each item named."""
    undo = []
    for entry in transact_items[:100]:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        if "Item" in op:
            names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            keys = {name: op["Item"][name] for name in names}
        else:
            keys = op["Key"]
        hash_key, range_key = backend.get_keys_value(table, keys)
        item = table.get_item(hash_key, range_key)
        undo.append((table, hash_key, range_key, copy.deepcopy(item) if item else None))
    return undo


def _stream_lengths(undo: list[tuple[Any, ...]]) -> list[tuple[Any, int]]:
    """Each named table's live stream shard and its record count before the transaction."""
    shards = {id(t.stream_shard): t.stream_shard for t, *_ in undo if t.stream_shard is not None}
    return [(shard, len(shard.items)) for shard in shards.values()]


def _drop_stream_records(streams: list[tuple[Any, int]]) -> None:
    """A cancelled transaction writes nothing, so its stream gets no records: drop those moto
    appended as it applied the items before the failing one. The tables are not replaced by
    copies here, so the shard the pollers read stays the live one."""
    for shard, length in streams:
        del shard.items[length:]


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is not None:
        if item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item
