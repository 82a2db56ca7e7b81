"""The execution console for support staff: a WSGI app, mounted at ``/console/``.

- ``/console/`` lists executions of the booking state machine, newest first (``?status=FAILED``
  filters, ``?attention=1`` keeps those that need someone: failed, alerted, stuck, timed out,
  aborted; ``?limit=N`` pages, ``?nextToken=`` continues), each with its outcome and hotel;
- ``/console/executions/<bookingId>`` shows one: the state machine as a picture with the path
  it took, its event history, the booking record and its status now, a link to the booking's
  cancellation run (and back), and for a failed one a Redrive button (POST
  ``/console/executions/<bookingId>/redrive``: Step Functions' RedriveExecution);
- ``/console/api/executions`` and ``/console/api/executions/<bookingId>`` are the same as JSON;
- ``/console/services`` (and ``/console/api/services``) the search service's tasks and their
  health, as Cloud Map has them (when the console is given a way to read them);
- ``/console/events`` (and ``/console/api/events``) recent events on the stack's bus and the
  queues consuming it, with their DLQs' depths (:mod:`support_console.events`);
- ``/console/alarms`` (and ``/console/api/alarms``) the stack's CloudWatch alarms and their
  states, firing first (:mod:`support_console.alarms`);
- ``/console/static/`` the stylesheet and the few lines of vanilla JS.

Given a way to read them (``faults``: the local engine's fault injection), the list pages show
the active faults above the executions, so nobody mistakes a rehearsal for an incident.

Pages come from templates/ (Jinja2, autoescaped); it reads through
:mod:`support_console.executions`, the same code as ``python -m support_console executions``.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.exceptions import NotFound as NoSuchFile
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from support_console import graph, templating
from support_console.alarms import AlarmRow
from support_console.events import BusView
from support_console.executions import BOOKING_FIELDS, MAX_PAGE, STATUSES, Inspector
from support_console.records import ExecutionDetail, ExecutionPage
from support_console.resources import NotFound, Resources, console_url
from support_console.services import ServiceInstance
from support_console.templating import PREFIX, STATUS_LABELS

STATIC = Path(__file__).parent / "static"
WARM_EVERY = 2.0  # seconds between read-aheads of finished executions' hotels


@dataclass(frozen=True)
class Machine:
    """One state machine the console shows: its pages live under ``/console/<path>/``."""

    label: str  # "Booking" or "Cancellation"
    path: str  # "executions" or "cancellations"


BOOKINGS = Machine("Booking", "executions")
CANCELLATIONS = Machine("Cancellation", "cancellations")


class Console:
    """A WSGI app; mount it on a web server at ``/console/``.

    It shows both state machines of a deployment: the booking saga at ``/console/`` and
    ``/console/executions/<bookingId>``, the cancellation saga at ``/console/cancellations/``
    and ``/console/cancellations/<bookingId>`` (JSON under ``/console/api/`` likewise).
    """

    def __init__(
        self,
        inspector: Inspector,
        region: str,
        log: Callable[[str], None] = lambda line: None,
        cancellations: Inspector | None = None,
        services: Callable[[], list[ServiceInstance]] | None = None,
        events: BusView | None = None,
        alarms: Callable[[], list[AlarmRow]] | None = None,
        faults: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.inspector = inspector
        self.faults = faults
        self.cancellations = cancellations
        self.region = region
        self.log = log
        self.services = services
        self.events = events
        self.alarms = alarms

    def _inspector(self, machine: Machine) -> Inspector | None:
        return self.inspector if machine is BOOKINGS else self.cancellations

    @classmethod
    def reading(
        cls,
        sfn: Any,
        dynamodb: Any,
        resources: Resources,
        region: str,
        log: Callable[[str], None] = lambda line: None,
        warm_every: float | None = WARM_EVERY,
        services: Callable[[], list[ServiceInstance]] | None = None,
        events: BusView | None = None,
        alarms: Callable[[], list[AlarmRow]] | None = None,
        faults: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> Console:
        """The console of one deployment, through these Step Functions and DynamoDB clients;
        ``warm_every`` seconds, a background thread reads ahead the hotels of newly finished
        executions (None: never). ``services`` lists the search service's tasks; ``events`` reads
        the bus's recent events and consumers; ``alarms`` lists the stack's alarms;
        ``faults`` the injected faults in force (each a
        dict with ``id``, ``function``, ``action``, ``percentage``, ``endsAt``, ...)."""
        cancellations = resources.cancellations()
        console = cls(
            Inspector(sfn, dynamodb, resources),
            region,
            log,
            Inspector(sfn, dynamodb, cancellations) if cancellations else None,
            services,
            events,
            alarms,
            faults,
        )
        if warm_every:
            threading.Thread(
                target=console._warm, args=(warm_every,), name="console-warm", daemon=True
            ).start()
        return console

    def _warm(self, every: float) -> None:
        """On the local stack a booking record costs ~0.6 ms to read (moto), so 1,000 unread
        ones would make the list's first load slow; read them as their executions finish.
        Ends when the emulated AWS endpoint has gone (the stack stopped)."""
        failures = 0
        while failures < 3:
            time.sleep(every)
            try:
                self.inspector.warm()
                failures = 0
            except Exception:
                failures += 1

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.handle(request)
        except Exception as exc:  # an AWS error: say what it was, on a page or as JSON
            message = f"{type(exc).__name__}: {exc}"
            if "/api/" in request.path:
                response = _json({"message": message}, 502)
            else:
                response = _page(
                    "message.html", 502, title="Error", heading="Could not read", text=message
                )
        elapsed = (time.perf_counter() - started) * 1000
        timing = [f"app;dur={elapsed:.1f}", response.headers.get("Server-Timing", "")]
        response.headers["Server-Timing"] = ", ".join(t for t in timing if t)
        if "/api/" not in request.path and "/static/" not in request.path:
            self.log(f"WEB {request.method} {request.path} → {response.status_code}")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        if request.method == "POST" and request.path.endswith(REDRIVE_SUFFIX):
            return self.redrive(request)
        if request.method not in {"GET", "HEAD"}:
            return Response("Method not allowed", 405, headers={"Allow": "GET, HEAD"})
        path = request.path
        if path == PREFIX:
            return Response("", 302, headers={"Location": f"{PREFIX}/"})
        if path == f"{PREFIX}/":
            return self.list_page(request, BOOKINGS)
        if path in (f"{PREFIX}/services", f"{PREFIX}/api/services") and self.services:
            return self.services_view(json_wanted="/api/" in path)
        if path in (f"{PREFIX}/alarms", f"{PREFIX}/api/alarms") and self.alarms:
            return self.alarms_view(json_wanted="/api/" in path)
        if path in (f"{PREFIX}/events", f"{PREFIX}/api/events") and self.events:
            return self.events_view(json_wanted="/api/" in path)
        if path.startswith(f"{PREFIX}/static/"):
            return _static(request, path.removeprefix(f"{PREFIX}/static/"))
        for machine in (BOOKINGS, CANCELLATIONS):
            if self._inspector(machine) is None:
                continue
            if path in (f"{PREFIX}/api/{machine.path}", f"{PREFIX}/api/{machine.path}/"):
                return self.list_json(request, machine)
            if machine is CANCELLATIONS and path == f"{PREFIX}/{machine.path}/":
                return self.list_page(request, machine)
            for route, view in (
                (f"{PREFIX}/api/{machine.path}/", self.detail_json),
                (f"{PREFIX}/{machine.path}/", self.detail_page),
            ):
                if path.startswith(route) and len(path) > len(route):
                    return view(path[len(route) :], machine)
        return _page("message.html", 404, title="Not found", heading="Not found")

    # -- list -----------------------------------------------------------------------------
    def _list(self, request: Request, machine: Machine) -> ExecutionPage | str:
        status = request.args.get("status") or None
        if status is not None:
            status = status.upper()
            if status not in STATUSES:
                return f"unknown status {status!r}; one of {', '.join(STATUSES)}"
        try:
            limit = int(request.args.get("limit") or MAX_PAGE)
        except ValueError:
            return "limit must be a number"
        if not 1 <= limit <= MAX_PAGE:
            return f"limit must be between 1 and {MAX_PAGE}"
        token = request.args.get("nextToken") or None
        inspector = self._inspector(machine)
        assert inspector is not None
        return inspector.list_executions(status, limit, token, attention=_attention_wanted(request))

    def list_json(self, request: Request, machine: Machine) -> Response:
        page = self._list(request, machine)
        if isinstance(page, str):
            return _json({"message": page}, 400)
        inspector = self._inspector(machine)
        assert inspector is not None
        response = _json(
            {
                "stateMachineArn": inspector.resources.state_machine_arn,
                "bookingsTable": inspector.resources.bookings_table,
                **page.to_json(),
            }
        )
        return _timed(response, page)

    def list_page(self, request: Request, machine: Machine) -> Response:
        started = time.perf_counter()
        page = self._list(request, machine)
        if isinstance(page, str):
            return _page("message.html", 400, title="Bad request", heading="Bad request", text=page)
        status = (request.args.get("status") or "").upper() or None
        limit = request.args.get("limit")
        counts = Counter(e.status for e in page.executions)
        base = _base(machine)
        attention = _attention_wanted(request)
        chips = [
            {
                "label": "All",
                "url": _list_url(base, None, limit),
                "active": status is None and not attention,
            },
            {
                "label": "Needs attention",
                "url": _list_url(base, None, limit, attention=True),
                "active": attention,
            },
        ]
        chips += [
            {"label": label, "url": _list_url(base, s, limit), "active": status == s}
            for s, label in STATUS_LABELS.items()
        ]
        more = (
            _list_url(base, status, limit, page.next_token, attention) if page.next_token else None
        )
        inspector = self._inspector(machine)
        assert inspector is not None
        response = _page(
            "list.html",
            title=f"{machine.label} executions",
            machine=machine,
            machines=self._machines(machine),
            page=page,
            status=status,
            resources=inspector.resources,
            services=self.services is not None,
            events=self.events is not None,
            alarms=self.alarms is not None,
            query=_query(status, limit, attention=attention),
            attention=attention,
            faults=self.faults() if self.faults else [],
            chips=chips,
            tally=[(s, counts[s]) for s in STATUSES if counts[s]],
            more=more,
            elapsed=(time.perf_counter() - started) * 1000,
        )
        return _timed(response, page)

    # -- the search service's tasks ---------------------------------------------------------
    def services_view(self, json_wanted: bool) -> Response:
        assert self.services is not None
        instances = self.services()
        if json_wanted:
            return _json({"instances": [i.to_json() for i in instances]})
        healthy = sum(i.health == "HEALTHY" for i in instances)
        return _page("services.html", title="Search service", instances=instances, healthy=healthy)

    # -- the stack's alarms -------------------------------------------------------------------
    def alarms_view(self, json_wanted: bool) -> Response:
        assert self.alarms is not None
        rows = self.alarms()
        if json_wanted:
            return _json({"alarms": [r.to_json() for r in rows]})
        firing = sum(r.state == "ALARM" for r in rows)
        return _page("alarms.html", title="Alarms", rows=rows, firing=firing)

    def _machines(self, current: Machine) -> list[dict[str, Any]]:
        """The tabs: one per state machine this deployment has."""
        return [
            {"label": f"{m.label}s", "url": _base(m), "active": m is current}
            for m in (BOOKINGS, CANCELLATIONS)
            if self._inspector(m) is not None
        ]

    # -- the bus: recent events and consumers -----------------------------------------------
    def events_view(self, json_wanted: bool) -> Response:
        assert self.events is not None
        consumers = self.events.consumers()
        recent = self.events.recent() if self.events.recent else None
        if json_wanted:
            return _json(
                {
                    "bus": self.events.bus,
                    "events": [e.to_json() for e in recent] if recent is not None else None,
                    "consumers": [c.to_json() for c in consumers],
                }
            )
        return _page(
            "events.html",
            title="Events on the bus",
            bus=self.events.bus,
            recent=recent,
            consumers=consumers,
        )

    # -- one execution --------------------------------------------------------------------
    def _detail(self, booking_id: str, machine: Machine) -> ExecutionDetail | None:
        inspector = self._inspector(machine)
        assert inspector is not None
        try:
            return inspector.execution(booking_id)
        except NotFound:
            return None

    def detail_json(self, booking_id: str, machine: Machine = BOOKINGS) -> Response:
        detail = self._detail(booking_id, machine)
        if detail is None:
            return _json({"message": f"no execution named {booking_id!r}"}, 404)
        return _json(detail.to_json())

    def detail_page(self, booking_id: str, machine: Machine = BOOKINGS) -> Response:
        detail = self._detail(booking_id, machine)
        if detail is None:
            return _page("message.html", 404, title="Not found", missing=booking_id)
        s, path = detail.summary, detail.path
        booking = detail.booking
        keys = []
        if booking is not None:
            keys = [k for k in BOOKING_FIELDS if k in booking]
            keys += sorted(k for k in booking if k not in BOOKING_FIELDS)
        inspector = self._inspector(machine)
        assert inspector is not None
        other = CANCELLATIONS if machine is BOOKINGS else BOOKINGS
        other_inspector = self._inspector(other)
        other_status = other_inspector.status_of(s.booking_id) if other_inspector else None
        return _page(
            "execution.html",
            other={
                "label": other.label,
                "status": other_status,
                "url": _detail_url(other, s.booking_id),
            }
            if other_status
            else None,
            redrive_url=_detail_url(machine, s.booking_id) + REDRIVE_SUFFIX
            if s.status in REDRIVABLE
            else None,
            title=f"{s.booking_id} · {machine.label.lower()} execution",
            machine=machine,
            list_url=_base(machine),
            detail=detail,
            failed=next((v for v in path.visits if v.name == path.failed_state), None),
            picture=graph.render(detail.definition, path),
            aws_console_url=console_url(self.region, s.execution_arn),
            booking=booking,
            booking_rows=[(k, booking[k]) for k in keys] if booking is not None else [],
            table=inspector.resources.bookings_table,
            state_names=list(dict.fromkeys(path.names)),
            api=f"{PREFIX}/api/{machine.path}/{templating.quote(s.booking_id)}",
        )

    # -- redrive ------------------------------------------------------------------------
    def redrive(self, request: Request) -> Response:
        """The execution page's Redrive button: Step Functions' RedriveExecution, then back to
        the page. Only from the console's own pages (a form elsewhere cannot post here)."""
        origin = request.headers.get("Origin")
        if origin is not None and urllib.parse.urlsplit(origin).netloc != request.host:
            return _page("message.html", 403, title="Forbidden", heading="Not from this console")
        path = request.path.removesuffix(REDRIVE_SUFFIX)
        for machine in (BOOKINGS, CANCELLATIONS):
            route = f"{PREFIX}/{machine.path}/"
            inspector = self._inspector(machine)
            if inspector is None or not path.startswith(route) or len(path) <= len(route):
                continue
            booking_id = urllib.parse.unquote(path[len(route) :])
            try:
                inspector.redrive(booking_id)
            except Exception as exc:  # ExecutionNotRedrivable, ExecutionDoesNotExist: say so
                text = getattr(exc, "response", {}).get("Error", {}).get("Message") or str(exc)
                return _page(
                    "message.html", 409, title="Not redriven", heading="Not redriven", text=text
                )
            self.log(f"console: redrove {machine.label.lower()} execution {booking_id}")
            return Response("", 303, headers={"Location": _detail_url(machine, booking_id)})
        return _page("message.html", 404, title="Not found", heading="Not found")


REDRIVE_SUFFIX = "/redrive"
REDRIVABLE = {"FAILED", "TIMED_OUT", "ABORTED"}


# ------------------------------------------------------------------------------ pieces
def _attention_wanted(request: Request) -> bool:
    return request.args.get("attention") in ("1", "true", "yes")


def _detail_url(machine: Machine, booking_id: str) -> str:
    return f"{PREFIX}/{machine.path}/{templating.quote(booking_id)}"


def _query(
    status: str | None, limit: str | None, token: str | None = None, attention: bool = False
) -> str:
    params = {
        k: v
        for k, v in (
            ("status", status),
            ("attention", "1" if attention else None),
            ("limit", limit),
            ("nextToken", token),
        )
        if v
    }
    return f"?{urllib.parse.urlencode(params)}" if params else ""


def _base(machine: Machine) -> str:
    return f"{PREFIX}/" if machine is BOOKINGS else f"{PREFIX}/{machine.path}/"


def _list_url(
    base: str,
    status: str | None,
    limit: str | None,
    token: str | None = None,
    attention: bool = False,
) -> str:
    return f"{base}{_query(status, limit, token, attention)}"


def _timed(response: Response, page: ExecutionPage) -> Response:
    """How long the reads took, for the browser's dev tools and the benchmark."""
    response.headers["Server-Timing"] = ", ".join(
        f"{name};dur={ms:.1f}" for name, ms in page.timings.items()
    )
    return response


def _static(request: Request, name: str) -> Response:
    """A file of static/; revalidated on every load (ETag), like the hotel pages."""
    try:
        return send_from_directory(STATIC, name, request.environ)
    except NoSuchFile:
        return Response("Not found", 404, mimetype="text/plain")


def _json(data: Any, status: int = 200) -> Response:
    response = Response(json.dumps(data, indent=1), status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, http_status: int = 200, **context: Any) -> Response:
    context.setdefault("missing", None)
    context.setdefault("text", None)
    body = templating.render(template, **context)
    response = Response(body, http_status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
