"""LocalCloud: moto on loopback with Step Functions executing and our Lambdas running.

One object, used the same way by ``localaws up``, the test suite, the benchmarks and an app's
own local system (this project's ``make run``)::

    with LocalCloud() as cloud:
        stack = cloud.deploy("template.yaml")
        sfn = cloud.client("stepfunctions")

No AWS account is touched: credentials are dummies and the region is set explicitly. Clients
in this process (``cloud.client``, the Lambda handlers') are answered in-process by moto's
stubber, S3's and Streams' over the loopback endpoint; other processes use that endpoint.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from localaws import patches
from localaws.account import DEFAULT_REGION
from localaws.aws import cognito, mail, sns
from localaws.compat import guard, stepfunctions
from localaws.engine.faults import FaultsRoute
from localaws.engine.lambdas import Invocation, LambdaRuntime
from localaws.events.delivery import Delivery
from localaws.events.eventing import EventPlumbing
from localaws.provision.deploy import Deployer, Stack
from localaws.provision.template import load_template

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


HistoryListener = Callable[[str, dict[str, Any]], None]
#: A stack deployed without a name (``sam deploy``'s guided default; ``localaws up`` too).
DEFAULT_STACK_NAME = "sam-app"


@dataclass(frozen=True)
class LocalParameters:
    """What an app's template needs only on this machine, given by the app (the engine names
    no app): values for parameters the caller left out (e.g. an image tag: no image is
    pulled), and the parameters naming an SES identity, verified at deploy (SES sends only
    from a verified identity; on AWS its owner verifies it once)."""

    defaults: Mapping[str, str] = field(default_factory=dict)
    ses_identities: tuple[str, ...] = ()


def _confirmation_link(topic_arn: str, token: str, endpoint: str) -> str:
    """Without a web server the link names the token only (tests confirm with it)."""
    return f"http://localhost/confirm-subscription?TopicArn={topic_arn}&Token={token}"


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
        local_parameters: LocalParameters | None = None,
    ) -> None:
        self.region = region
        self.local_parameters = local_parameters or LocalParameters()
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
        self.events = EventPlumbing(Delivery(self.runtime, self.client, lambda: self.clock.scale))
        # What SNS, SES and Cognito would email, and the confirmations email subscriptions wait
        # for: every LocalCloud has them (the web server shows the mailbox when a stack runs).
        self.mailbox = mail.Mailbox()
        self.cognito_codes = cognito.CognitoCodes(self.mailbox)
        #: ``(topic_arn, token, endpoint) -> URL`` of SNS's confirmation link; a stack with a
        #: web server points it at its confirmation page.
        self.confirmation_link: Callable[[str, str, str], str] = _confirmation_link
        self.confirmations = sns.EmailConfirmations(
            self.mailbox.deliver, lambda *args: self.confirmation_link(*args)
        )
        self.patches: list[str] = []
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
        self.patches = patches.install(
            patches.Hooks(
                self.runtime, self.clock, self.mailbox, self.confirmations, self.cognito_codes
            )
        )
        stepfunctions.history_announcer = self._announce
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
        stepfunctions.history_announcer = None
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
        stack_name: str = DEFAULT_STACK_NAME,
        parameters: dict[str, Any] | None = None,
    ) -> Stack:
        """Translate ``template`` (SAM) and create every resource it declares."""
        translated = load_template(template, self.region)
        parameters = dict(parameters or {})
        declared = translated.cfn.get("Parameters", {})
        local = self.local_parameters
        for name, value in local.defaults.items():
            if name in declared:
                parameters.setdefault(name, value)
        for name in local.ses_identities:
            if name in parameters:
                self.client("ses").verify_email_identity(EmailAddress=parameters[name])
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
    def _announce(self, execution_arn: str, event: dict[str, Any]) -> None:
        for listener in list(self._history_listeners):
            try:
                listener(execution_arn, event)
            except Exception:  # a listener must never break an execution
                logging.getLogger(__name__).exception("history listener failed")

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
