"""`make run`: the whole system on one machine.

Starts the emulated AWS account, deploys template.yaml into it, serves the REST API as API
Gateway would, serves the web pages and the mailbox, seeds demo data, prints a banner, then
logs one line per request and per state transition until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import logging
import os
import signal
import struct
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from deploy.website import password_policy_of
from devstack.product import LOCAL_PARAMETERS, STACK_NAME
from devstack.search import SEARCH_HTTP_API, SearchService, image_python
from devstack.web import WebServer
from localaws import patches
from localaws.aws import sns
from localaws.cloud import LocalCloud, PortInUse, ensure_port_free, free_port
from localaws.compat import speedups
from localaws.engine.lambdas import Invocation
from localaws.gateways.apigateway import ApiGateway, RestApiDefinition, TokenVerifier, serve
from localaws.gateways.search_gateway import SearchGateway, discovery_client
from localaws.gateways.throttling import StageThrottle
from localaws.provision.deploy import Stack
from localaws.provision.hosting import allow_sources, security_headers
from localaws.stack import persistence
from localaws.stack.alarms import AlarmEvaluator
from localaws.stack.up import client_ids
from support_console.alarms import AlarmRow, sorted_rows
from support_console.app import WARM_EVERY, Console
from support_console.events import BusEvent, BusView, consumers
from support_console.history import describe_event
from support_console.resources import Resources

ROOT = Path(__file__).resolve().parents[1]
#: Where `make run` keeps its data between runs (gitignored); `make reset` empties it.
STATE_DIR = Path(os.environ.get("LOCALAWS_STATE_DIR", ROOT / ".localaws" / "state"))
#: While something changed, the snapshot is rewritten at most this often (and at every stop).
SAVE_EVERY = 30.0
DEFAULT_PASSWORD = "Demo-Passw0rd!"
OPS_EMAIL = "ops@example.com"
CONFIRMATION_PATH = "/sns/confirmation.html"
DEMO_USERS = (
    ("admin@example.com", "Ada Admin", "Admin"),
    ("manager@example.com", "Manny Manager", "HotelManager"),
    ("guest@example.com", "Gus Guest", None),
)
#: The event detail fields that name what an event is about, by preference.
AGGREGATE_KEYS = ("bookingId", "hotelId")
#: Seconds between evaluations of the alarms (CloudWatch: a minute; their periods are whole
#: minutes, so an alarm fires at most this much later than on AWS).
ALARM_INTERVAL = 10.0
DEMO_HOTELS = (
    ("Harbour Hotel", "Lisbon", 4, "120.00", 8, (32, 96, 160)),
    ("Old Town Inn", "Porto", 3, "85.50", 5, (176, 96, 48)),
    ("Alpine Lodge", "Innsbruck", 5, "240.00", 3, (48, 128, 72)),
)


@dataclass
class Ports:
    aws: int
    api: int
    web: int
    # The search service's HTTP API; `make run` uses SEARCH_PORT (3001), others any free port.
    search: int = dataclasses.field(default_factory=free_port)

    @classmethod
    def from_env(cls) -> Ports:
        return cls(
            aws=int(os.environ.get("AWS_PORT", "4566")),
            api=int(os.environ.get("API_PORT", "3000")),
            web=int(os.environ.get("WEB_PORT", "8080")),
            search=int(os.environ.get("SEARCH_PORT", "3001")),
        )


class LocalStack:
    """Everything `make run` starts, usable from tests on free ports."""

    def __init__(
        self,
        ports: Ports,
        password: str = DEFAULT_PASSWORD,
        retry_time_scale: float = 1.0,
        parameters: dict[str, str] | None = None,
        log: Any = None,
        seed: bool = True,
        host: str = "localhost",
        alarm_interval: float = ALARM_INTERVAL,
        state_dir: Path | None = None,
        verbose: bool = False,
    ) -> None:
        self.ports = ports
        self.password = password
        self.parameters = parameters or {}
        self.seed_data = seed
        self.host = host
        self.api_url = f"http://{host}:{ports.api}"
        self.web_url = f"http://{host}:{ports.web}"
        #: The search service's route on its HTTP API (on AWS: the SearchUrl output).
        self.search_url = f"http://{host}:{ports.search}/search"
        self.aws_url = f"http://{host}:{ports.aws}"
        self._log = log or _no_log
        self.verbose = verbose
        self.cloud = LocalCloud(
            port=ports.aws,
            retry_time_scale=retry_time_scale,
            port_variable="AWS_PORT",
            on_invocation=self._on_invocation,
            local_parameters=LOCAL_PARAMETERS,
        )
        self.mailbox = self.cloud.mailbox
        # The console's bus page names each event's booking (else its hotel).
        self.cloud.events.targets.feed.aggregate_keys = AGGREGATE_KEYS
        self.cognito_codes = self.cloud.cognito_codes
        self.cloud.confirmation_link = self._confirmation_link
        self.stack: Stack | None = None
        self.web: WebServer | None = None
        self.search: SearchService | None = None
        #: The template's alarms, evaluated every ``alarm_interval`` seconds (alarms.py).
        self.alarms: AlarmEvaluator | None = None
        self.gateway: ApiGateway | None = None
        self._alarm_interval = alarm_interval
        self._servers: list[Any] = []
        self._stopping = threading.Event()
        self._execution_ended = threading.Event()
        self._executions_prefixes: tuple[str, ...] = ()
        # None: a fresh stack every start (tests, benchmarks); `make run` passes STATE_DIR.
        self.state = persistence.StateDir(state_dir) if state_dir is not None else None
        self.restored = False
        self._changes = 0  # Lambda invocations and history events since start (and mail)
        self._saved_at_changes = 0
        self._finished: dict[tuple[str, Any], dict[str, Any]] = {}  # executions, across saves
        self.confirmations = self.cloud.confirmations

    @property
    def config(self) -> dict[str, str]:
        """What the pages need (no secrets): hotel/config.json."""
        assert self.stack is not None
        return {
            "apiUrl": self.api_url,
            "searchUrl": self.search_url,
            "region": self.cloud.region,
            "userPoolId": self.stack.outputs["UserPoolId"],
            "userPoolClientId": self.stack.outputs["UserPoolClientId"],
            "cognitoEndpoint": self.aws_url,
            "passwordPolicy": password_policy(self.stack),
        }

    @property
    def page_headers(self) -> dict[str, str]:
        """The site's security headers from the template; the CSP also lets the pages reach
        the local API and Cognito (on AWS: execute-api and cognito-idp hosts)."""
        assert self.stack is not None
        headers = security_headers(self.stack)
        local = (self.api_url, self.aws_url, self.search_url.rsplit("/", 1)[0])
        csp = allow_sources(headers["Content-Security-Policy"], "connect-src", *local)
        pictures = (self.aws_url, self.cloud.endpoint)  # presigned S3 URLs of the emulator
        headers["Content-Security-Policy"] = allow_sources(csp, "img-src", *pictures)
        return headers

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> LocalStack:
        ensure_port_free(self.ports.api, "API_PORT")
        ensure_port_free(self.ports.web, "WEB_PORT")
        ensure_port_free(self.ports.search, "SEARCH_PORT")
        saved = self.state.read() if self.state is not None else None  # unusable: fail first
        if self.state is not None:
            # The same pool and client ids at every start, so saved users' tokens still verify.
            os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
            os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
        self.cloud.start()
        parameters = {
            # Links in emails must point at this machine's API, not at execute-api.
            "PublicApiUrl": self.api_url,
            # Operations alerts land in the local mailbox too.
            "OperationsAlertEmail": OPS_EMAIL,
            # CORS: the pages' own origin, as on AWS (where it is the CloudFront domain).
            "AllowedOrigin": self.web_url,
            # Guests' emails link to the pages this machine serves.
            "SiteUrl": f"{self.web_url}/hotel/",
            **self.parameters,
        }
        self.stack = self.cloud.deploy(ROOT / "template.yaml", STACK_NAME, parameters)
        self.alarms = AlarmEvaluator.for_stack(self.cloud, self.stack)
        self._executions_prefixes = tuple(
            self.stack.ref(machine).replace(":stateMachine:", ":execution:") + ":"
            for machine in ("BookingStateMachine", "CancellationStateMachine")
        )
        self.cloud.add_history_listener(self._on_history_event)
        running = self._restore(saved) if saved is not None else []
        # The search service's tasks start now and come up while the rest is set up.
        discovery = discovery_client(self.cloud.endpoint, self.cloud.region)
        self.search = SearchService(
            self.stack, discovery, self.cloud.endpoint, self._log, image_python(self._log)
        )
        self.search.start()
        self.alarms.add_sampler(functools.partial(_task_counts, self.search))
        self._start_again(running)  # before the API opens
        self._servers.append(
            serve(
                SearchGateway(self.stack, discovery, SEARCH_HTTP_API, self._log),
                "127.0.0.1",
                self.ports.search,
            )
        )
        api = RestApiDefinition.from_stack(self.stack, "HotelApi")
        verifier = TokenVerifier(
            self.cloud.endpoint, self.cloud.region, functools.partial(client_ids, self.cloud)
        )
        api_name = str(self.stack.resources["HotelApi"].properties.get("Name", "HotelApi"))
        gateway = ApiGateway(
            api,
            self.cloud.runtime,
            verifier,
            self.cloud.region,
            self._log,
            throttle=StageThrottle.from_stack(self.stack, "HotelApi", api.stage),
            on_request=functools.partial(self.alarms.api_request, api_name, api.stage),
        )
        self.gateway = gateway
        self._servers.append(serve(gateway, "127.0.0.1", self.ports.api))
        self.web = WebServer(
            ROOT / "hotel", self.config, self.mailbox, self._log, self.page_headers, self.verbose
        )
        console = self._console(self.stack)
        self.web.mount("/console/", console)
        self.web.mount(CONFIRMATION_PATH, sns.confirmation_page(self.cloud.client("sns")))
        self._servers.append(serve(self.web, "127.0.0.1", self.ports.web))
        (ROOT / "hotel" / "config.json").write_text(json.dumps(self.config, indent=2) + "\n")
        if not self.restored:
            self._create_users()
            if self.seed_data:
                self._seed_hotels()
        self.search.wait_ready()
        self.alarms.start(self._alarm_interval)
        threading.Thread(
            target=self._warm_console, args=(console,), name="console-warm", daemon=True
        ).start()
        if self.state is not None:
            threading.Thread(target=self._keep_saving, name="state-saver", daemon=True).start()
        if patches.speedups_enabled():
            speedups.settle_heap()  # what start-up built lives as long as the stack
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._execution_ended.set()
        self.cloud.remove_history_listener(self._on_history_event)
        if self.alarms is not None:
            self.alarms.stop()
        for server in self._servers:
            server.shutdown()
        self._servers.clear()
        if self.search is not None:
            self.search.stop()
        if self.state is not None and self.stack is not None:
            try:
                self.save()
            except Exception as exc:  # the previous snapshot stays whole (atomic writes)
                self._log(f"could not save the local state: {exc!r}")
        self.cloud.stop()

    # -- data across restarts -------------------------------------------------------------
    def save(self) -> None:
        """Write the snapshot now (atomically; see localaws.stack.persistence)."""
        assert self.state is not None and self.stack is not None
        changes = self._changes + len(self.mailbox)
        state = persistence.capture(self.cloud.client, self.stack, self._finished)
        state["mailbox"] = self.mailbox.saved()
        state["confirmations"] = self.confirmations.saved()
        self.state.write(state)
        self._saved_at_changes = changes

    def _restore(self, saved: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        assert self.stack is not None
        running = persistence.restore(self.cloud.client, self.stack, saved)
        self.mailbox.restore(saved["mailbox"])
        self.confirmations.restore(saved["confirmations"])
        self.restored = True
        self._log(f"restored the data saved at {saved['savedAt']} ({len(running)} to resume)")
        return running

    def _start_again(self, running: list[tuple[str, dict[str, Any]]]) -> None:
        """Executions that were running at the last save start again, same name, same input:
        their steps are idempotent by booking id (localaws.stack.persistence). Before the API opens,
        each gets to where it was waiting (a task token: NotifyManager has handed the new one
        to the approval record) or ends, so a link clicked at once reaches the live token."""
        sfn = self.cloud.client("stepfunctions")
        arns = []
        for machine, record in running:
            started = sfn.start_execution(
                stateMachineArn=machine, name=record["name"], input=record["input"]
            )
            arns.append(started["executionArn"])
            self._log(f"SFN {record['name']} started again after the restart")
        deadline = time.monotonic() + RESUME_WITHIN
        while arns and time.monotonic() < deadline:
            arns = [arn for arn in arns if not _settled(sfn, arn)]
            time.sleep(0.1)
        for arn in arns:
            self._log(f"SFN {arn.rsplit(':', 1)[1]} still busy after {RESUME_WITHIN:.0f} s")

    def _keep_saving(self) -> None:
        """Save every SAVE_EVERY seconds while something changes, so a crash loses little."""
        while not self._stopping.wait(SAVE_EVERY):
            if self._changes + len(self.mailbox) != self._saved_at_changes:
                try:
                    self.save()
                except Exception as exc:  # keep running; the next save may work
                    self._log(f"could not save the local state: {exc}")

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _confirmation_link(self, topic_arn: str, token: str, endpoint: str) -> str:
        """Where SNS's confirmation email points (on AWS: sns.<region>.amazonaws.com)."""
        query = urlencode({"TopicArn": topic_arn, "Token": token, "Endpoint": endpoint})
        return f"{self.web_url}{CONFIRMATION_PATH}?{query}"

    # -- helpers for people and tests ------------------------------------------------------
    def login(self, email: str, password: str | None = None) -> str:
        """The ID token for a user, by USER_PASSWORD_AUTH as the pages do."""
        resp = self.cloud.client("cognito-idp").initiate_auth(
            ClientId=self.config["userPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password or self.password},
        )
        return str(resp["AuthenticationResult"]["IdToken"])

    def create_user(self, email: str, name: str, group: str | None) -> None:
        idp = self.cloud.client("cognito-idp")
        pool = self.config["userPoolId"]
        with contextlib.suppress(idp.exceptions.UsernameExistsException):
            idp.admin_create_user(
                UserPoolId=pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                ],
                MessageAction="SUPPRESS",
            )
        idp.admin_set_user_password(
            UserPoolId=pool, Username=email, Password=self.password, Permanent=True
        )
        if group:
            idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)

    # -- internals ------------------------------------------------------------------------
    def _console(self, stack: Stack) -> Console:
        """The support console (a product of its own) reading this stack's executions; its
        read-ahead is driven by finished executions (``_warm_console``), not its own timer."""
        resources = Resources(
            stack.ref("BookingStateMachine"),
            stack.ref("BookingsTable"),
            stack.ref("HotelsTable"),
            stack.ref("CancellationStateMachine"),
        )
        sfn, dynamodb = self.cloud.client("stepfunctions"), self.cloud.client("dynamodb")
        search = self.search
        services = search.instances if search is not None else None
        bus, feed = stack.ref("HotelBookingBus"), self.cloud.events.targets.feed
        events = BusView(
            bus,
            functools.partial(
                consumers, self.cloud.client("events"), self.cloud.client("sqs"), bus
            ),
            lambda: [BusEvent.from_feed(e) for e in feed.recent() if e["bus"] == bus],
        )
        return Console.reading(
            sfn,
            dynamodb,
            resources,
            self.cloud.region,
            self._log,
            warm_every=None,
            services=services,
            events=events,
            alarms=self._alarm_rows,
            faults=lambda: [f.view() for f in self.cloud.runtime.faults.active()],
        )

    def _alarm_rows(self) -> list[AlarmRow]:
        """The console's alarms page, from the evaluator (moto keeps no composite alarms)."""
        evaluator = self.alarms
        if evaluator is None:
            return []
        return sorted_rows(
            AlarmRow(
                a.name,
                a.state,
                a.reason,
                a.description,
                a.composite,
                _iso(a.changed_at) if a.changed_at else "",
            )
            for a in evaluator.states()
        )

    def _create_users(self) -> None:
        for email, name, group in DEMO_USERS:
            self.create_user(email, name, group)

    def _seed_hotels(self) -> None:
        """Through the real API, as an admin would: multipart form with a picture."""
        token = self.login("admin@example.com")
        for name, city, stars, price, rooms, colour in DEMO_HOTELS:
            fields = {
                "name": name,
                "city": city,
                "stars": str(stars),
                "pricePerNight": price,
                "rooms": str(rooms),
                "managerEmail": "manager@example.com",
            }
            body, content_type = multipart(
                fields, [("picture", f"{city.lower()}.png", "image/png", demo_picture(colour))]
            )
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.ports.api}/hotels",
                data=body,
                method="POST",
                headers={"Authorization": token, "Content-Type": content_type},
            )
            with urllib.request.urlopen(request, timeout=30) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"seeding {name} failed: HTTP {resp.status}")

    def _on_invocation(self, inv: Invocation) -> None:
        self._changes += 1
        if self._log is _no_log:  # nothing formatted for nobody
            return
        status = inv.error_type or "ok"
        cold = ", cold start" if inv.cold_start else ""
        self._log(f"λ   {inv.function}: {status} ({inv.duration_ms:.0f} ms{cold})")
        if self.verbose and inv.logs.strip():
            self._log(f"λ   {inv.function} printed:\n{inv.logs.rstrip()}")

    def _on_history_event(self, execution_arn: str, event: dict[str, Any]) -> None:
        """One log line per state transition of the booking saga and of a cancellation, as
        the interpreter records it (a listener, so an idle stack spends nothing on following
        executions). A cancellation's execution is named ``cancel-<bookingId>``."""
        if not execution_arn.startswith(self._executions_prefixes):
            return
        self._changes += 1
        line = describe_event(event) if self._log is not _no_log else None
        if line is None and self.verbose:
            line = event["type"]
        if line:
            self._log(f"SFN {execution_arn.rsplit(':', 1)[1]} {line.strip()}")
        if event["type"] in _EXECUTION_ENDED:
            self._execution_ended.set()

    def _warm_console(self, console: Console) -> None:
        """Read ahead the hotels of finished executions for the console, when some finished
        (at most every WARM_EVERY seconds; nothing while nothing finishes)."""
        while not self._stopping.is_set():
            self._execution_ended.wait()
            if self._stopping.is_set():
                return
            self._execution_ended.clear()
            with contextlib.suppress(Exception):
                console.inspector.warm()
            self._stopping.wait(WARM_EVERY)


def _task_counts(service: SearchService, key: tuple[str, str, Any]) -> float | None:
    """Container Insights' task counts of the search service (one local ECS service)."""
    namespace, name, _ = key
    if namespace != "ECS/ContainerInsights":
        return None
    if name == "DesiredTaskCount":
        return float(service.desired_count)
    if name == "RunningTaskCount":
        return float(len(service.instances()))
    return None


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


#: How long a start waits for the executions it started again to reach a wait (or end).
RESUME_WITHIN = 60.0


def _settled(sfn: Any, execution_arn: str) -> bool:
    """Waiting (for a task token: the task was submitted; or in a Wait state) or ended."""
    last = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=1)
    kind = last["events"][0]["type"] if last["events"] else ""
    return kind in ("TaskSubmitted", "WaitStateEntered") or kind in _EXECUTION_ENDED


class ConsoleLog:
    """`make run`'s log: each record one write of whole lines under a lock, to the process's
    real stdout. ``print`` writes the text and its newline separately, so two threads printing
    at once glued records together; and a line printed on a Lambda's thread went into that
    invocation's captured output instead. A record spanning lines (a Lambda's output in verbose
    mode) has its continuation lines indented, so it still reads as one."""

    def __init__(self, stream: Any = None, clock: Any = None) -> None:
        self._stream: Any = stream or sys.__stdout__
        self._clock = clock or (lambda: time.strftime("%H:%M:%S"))
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        self.write(f"{self._clock()} {line}".replace("\n", "\n    "))

    def write(self, text: str) -> None:
        """Text as it is (the banner), still as one write under the lock."""
        with self._lock:
            self._stream.write(text if text.endswith("\n") else text + "\n")
            self._stream.flush()

    def install_for_logging(self, verbose: bool) -> None:
        """Libraries' log records (warnings; everything with --verbose) through the same lock."""
        root = logging.getLogger()
        root.handlers[:] = [_LogHandler(self)]
        root.setLevel(logging.INFO if verbose else logging.WARNING)


class _LogHandler(logging.Handler):
    def __init__(self, log: ConsoleLog) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log(self.format(record))


def _no_log(line: str) -> None:
    """A stack started without a log (tests, benchmarks) formats no lines for it."""


_EXECUTION_ENDED = {
    "ExecutionSucceeded",
    "ExecutionFailed",
    "ExecutionTimedOut",
    "ExecutionAborted",
}


def password_policy(stack: Stack) -> dict[str, Any]:
    """The user pool's password rules, for the sign-up page to show before submit."""
    return password_policy_of(stack.resources["UserPool"].properties)


def multipart(
    fields: dict[str, str], files: list[tuple[str, str, str, bytes]] | None = None
) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser form sends it: (body, Content-Type).

    ``files`` are (field, filename, content type, bytes)."""
    boundary = f"----WebKitFormBoundary{uuid.uuid4().hex[:16]}"
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for field, filename, mime, data in files or []:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def demo_picture(colour: tuple[int, int, int], width: int = 320, height: int = 200) -> bytes:
    """A small PNG: a sky-to-colour gradient with a horizon, made without image libraries."""
    r, g, b = colour
    rows = []
    for y in range(height):
        t = y / height
        if y < height * 0.6:
            px = bytes((int(150 + 90 * t), int(190 + 50 * t), 250))
        else:
            px = bytes((int(r * (1.3 - t)), int(g * (1.3 - t)), int(b * (1.3 - t))))
        rows.append(b"\x00" + px * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def reset(argv: list[str] | None = None) -> int:
    """`make reset`: forget the data `make run` kept; the next start is a fresh stack."""
    argparse.ArgumentParser(prog="python -m devstack reset", description=reset.__doc__).parse_args(
        argv or []
    )
    removed = persistence.StateDir(STATE_DIR).clear()
    print(f"removed the saved local state in {STATE_DIR}" if removed else "no saved local state")
    return 0


def _run_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devstack run",
        description="`make run`: the whole system on this machine (AWS emulated on loopback, "
        "the API, the web pages, the mailbox), its data kept across restarts.",
        epilog="Ports: AWS_PORT (4566), API_PORT (3000), WEB_PORT (8080), SEARCH_PORT (3001). "
        "DEMO_PASSWORD sets the demo users' password; LOCALAWS_SPEEDUPS=off runs the engine's "
        "fixes only.",
    )
    parser.add_argument("--reset", action="store_true", help="start clean (as `make reset`)")
    parser.add_argument(
        "--verbose", action="store_true", help="log every request and Lambda output (VERBOSE=1)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = _run_arguments(list(argv or []))
    verbose = args.verbose or os.environ.get("VERBOSE", "") not in ("", "0")
    if args.reset:
        reset()
    ports = Ports.from_env()
    password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
    log = ConsoleLog()
    log.install_for_logging(verbose)

    try:
        for port, variable in (
            (ports.aws, "AWS_PORT"),
            (ports.api, "API_PORT"),
            (ports.web, "WEB_PORT"),
            (ports.search, "SEARCH_PORT"),
        ):
            ensure_port_free(port, variable)
        stack = LocalStack(ports, password, log=log, state_dir=STATE_DIR, verbose=verbose).start()
    except (PortInUse, persistence.SnapshotUnusable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ready = time.perf_counter() - started
    users = "\n".join(
        f"    {email:22} {group or '(guest, no group)'}" for email, _, group in DEMO_USERS
    )
    assert stack.search is not None
    search_name = stack.search.name
    search_tasks = "\n".join(
        f"    task {i.id:28} {i.address:16} {i.health}" for i in stack.search.instances()
    )
    image = sys.executable != stack.search.python
    search_tasks += (
        f"\n    tasks run {'the image' if image else 'this venv'}'s Python: {stack.search.python}"
    )
    data = "restored from" if stack.restored else "saved to"
    quiet = "every request and Lambda output" if verbose else "quiet: VERBOSE=1 for every request"
    log.write(
        f"""
hotel-booking-saga is running locally (ready in {ready:.1f} s; Ctrl-C stops it)

  Web pages        {stack.web_url}/hotel/
  REST API         {stack.api_url}
  Search           {stack.search_url}   (HTTP API → Cloud Map → ECS service {search_name})
{search_tasks}
  Mailbox          {stack.web_url}/mailbox/   (JSON: {stack.web_url}/mailbox/messages.json)
                   managers get approval emails once they follow the link in SNS's
                   "Subscription Confirmation" email there (one per hotel), as on AWS
  Executions       {stack.web_url}/console/   (CLI: python -m support_console executions list)
  Search tasks     {stack.web_url}/console/services
  Bus events       {stack.web_url}/console/events
  Alarms           {stack.web_url}/console/alarms   (emails to {OPS_EMAIL} in the mailbox)
  AWS endpoint     {stack.aws_url}   (region {stack.cloud.region}, dummy credentials)
  Engine           speedups: {"on" if patches.speedups_enabled() else "off"}   \
({len(stack.cloud.patches)} patches; LOCALAWS_SPEEDUPS=off: fixes only)
  Data             {data} {STATE_DIR}   (make reset starts clean)
  Log              {quiet}

  Demo users (password: {"$DEMO_PASSWORD" if "DEMO_PASSWORD" in os.environ else password}):
{users}
"""
    )

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # `kill` stops it as cleanly as Ctrl-C
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        log.write("\nstopping… (saving the data)")
    finally:
        stack.stop()
    return 0
