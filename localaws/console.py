"""The execution console for support staff: ``/console/`` on the local web server.

- ``/console/`` lists executions of the booking state machine, newest first (``?status=FAILED``
  filters, ``?limit=N`` pages, ``?nextToken=`` continues), each with its booking's hotel;
- ``/console/executions/<bookingId>`` shows one: the state machine as a picture with the path
  it took, its event history, and the booking record;
- ``/console/api/executions`` and ``/console/api/executions/<bookingId>`` are the same as JSON.

Plain HTML, one stylesheet and a few lines of vanilla JS; it reads through
:mod:`localaws.inspect`, the same code as ``python -m localaws executions``.
"""

from __future__ import annotations

import html
import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from localaws import graph
from localaws.history import short_cause
from localaws.inspect import (
    BOOKING_FIELDS,
    MAX_PAGE,
    STATUSES,
    ExecutionDetail,
    ExecutionPage,
    ExecutionSummary,
    Inspector,
    NotFound,
    Resources,
    console_url,
    display_value,
    format_duration,
    format_time,
)

if TYPE_CHECKING:
    from localaws.cloud import LocalCloud
    from localaws.deploy import Stack

PREFIX = "/console"
WARM_EVERY = 2.0  # seconds between read-aheads of finished executions' hotels
STATUS_LABELS = {
    "RUNNING": "Running",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "TIMED_OUT": "Timed out",
    "ABORTED": "Aborted",
}


class Console:
    """A WSGI app; mount it on the web server with ``web.mount("/console/", console)``."""

    def __init__(
        self,
        inspector: Inspector,
        region: str,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.inspector = inspector
        self.region = region
        self.log = log

    @classmethod
    def for_stack(
        cls,
        cloud: LocalCloud,
        stack: Stack,
        log: Callable[[str], None] = lambda line: None,
        warm_every: float | None = WARM_EVERY,
    ) -> Console:
        """The console of a deployed stack; ``warm_every`` seconds, a background thread reads
        ahead the hotels of newly finished executions (None: never)."""
        resources = Resources(
            stack.ref("BookingStateMachine"), stack.ref("BookingsTable"), stack.ref("HotelsTable")
        )
        inspector = Inspector(cloud.client("stepfunctions"), cloud.client("dynamodb"), resources)
        console = cls(inspector, cloud.region, log)
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
                response = _page("Error", f"<h1>Could not read</h1><p>{_e(message)}</p>", 502)
        elapsed = (time.perf_counter() - started) * 1000
        timing = [f"app;dur={elapsed:.1f}", response.headers.get("Server-Timing", "")]
        response.headers["Server-Timing"] = ", ".join(t for t in timing if t)
        if "/api/" not in request.path:
            self.log(f"WEB {request.method} {request.path} → {response.status_code}")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        if request.method not in {"GET", "HEAD"}:
            return Response("Method not allowed", 405, headers={"Allow": "GET, HEAD"})
        path = request.path
        if path == PREFIX:
            return Response("", 302, headers={"Location": f"{PREFIX}/"})
        if path == f"{PREFIX}/":
            return self.list_page(request)
        if path == f"{PREFIX}/api/executions":
            return self.list_json(request)
        for route, view in (
            (f"{PREFIX}/api/executions/", self.detail_json),
            (f"{PREFIX}/executions/", self.detail_page),
        ):
            if path.startswith(route) and len(path) > len(route):
                return view(path[len(route) :])
        return _page("Not found", "<h1>Not found</h1>", 404)

    # -- list -----------------------------------------------------------------------------
    def _list(self, request: Request) -> ExecutionPage | str:
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
        return self.inspector.list_executions(status, limit, token)

    def list_json(self, request: Request) -> Response:
        page = self._list(request)
        if isinstance(page, str):
            return _json({"message": page}, 400)
        response = _json(
            {
                "stateMachineArn": self.inspector.resources.state_machine_arn,
                "bookingsTable": self.inspector.resources.bookings_table,
                **page.to_json(),
            }
        )
        return _timed(response, page)

    def list_page(self, request: Request) -> Response:
        started = time.perf_counter()
        page = self._list(request)
        if isinstance(page, str):
            return _page("Bad request", f"<h1>Bad request</h1><p>{_e(page)}</p>", 400)
        status = (request.args.get("status") or "").upper() or None
        limit = request.args.get("limit")
        rows = "".join(_list_row(e) for e in page.executions)
        counts = Counter(e.status for e in page.executions)
        tally = " · ".join(
            f'<span class="badge s-{s.lower()}">{counts[s]} {_e(STATUS_LABELS.get(s, s).lower())}'
            "</span>"
            for s in STATUSES
            if counts[s]
        )
        chips = [_chip("All", _list_url(None, limit), status is None)]
        chips += [
            _chip(label, _list_url(s, limit), status == s) for s, label in STATUS_LABELS.items()
        ]
        more = ""
        if page.next_token:
            more = (
                f'<p class="more"><a href="{_e(_list_url(status, limit, page.next_token))}">'
                "Older executions →</a></p>"
            )
        shown = f"{len(page.executions)} execution{'s' if len(page.executions) != 1 else ''}"
        what = f" {STATUS_LABELS.get(status, status).lower()}" if status else ""
        resources = self.inspector.resources
        elapsed = (time.perf_counter() - started) * 1000
        body = f"""
<header class="top">
  <h1>Booking executions</h1>
  <p class="muted">State machine <code>{_e(resources.state_machine_arn.split(":")[-1])}</code>
  · bookings table <code>{_e(resources.bookings_table)}</code> ·
  <a href="{PREFIX}/api/executions{_e(_query(status, limit))}">JSON</a></p>
</header>
<nav class="chips" aria-label="Filter by status">{"".join(chips)}</nav>
<div class="toolbar">
  <p id="summary"><strong>{shown}</strong>{_e(what)}, newest first {tally}
  <span class="muted">· read in {elapsed:.0f} ms</span></p>
  <input id="find" type="search" placeholder="Find a booking or hotel"
    aria-label="Find a booking or hotel">
</div>
<table class="list" id="executions">
<thead><tr><th>Booking</th><th>Status</th><th>Hotel</th><th>Started (UTC)</th>
<th>Stopped (UTC)</th><th>Duration</th></tr></thead>
<tbody>{rows or '<tr class="empty"><td colspan="6">No executions.</td></tr>'}</tbody>
</table>
{more}
<script>{LIST_JS}</script>"""
        return _timed(_page("Booking executions", body), page)

    # -- one execution --------------------------------------------------------------------
    def _detail(self, booking_id: str) -> ExecutionDetail | None:
        try:
            return self.inspector.execution(booking_id)
        except NotFound:
            return None

    def detail_json(self, booking_id: str) -> Response:
        detail = self._detail(booking_id)
        if detail is None:
            return _json({"message": f"no execution named {booking_id!r}"}, 404)
        return _json(detail.to_json())

    def detail_page(self, booking_id: str) -> Response:
        detail = self._detail(booking_id)
        if detail is None:
            body = (
                f'<p><a href="{PREFIX}/">← All executions</a></p><h1>Not found</h1>'
                f"<p>No execution named <code>{_e(booking_id)}</code>.</p>"
            )
            return _page("Not found", body, 404)
        s = detail.summary
        path = detail.path
        failed = next((v for v in path.visits if v.name == path.failed_state), None)
        failed_text = "—"
        if failed is not None:
            failed_text = _e(failed.name)
            if failed.error:
                failed_text += f" · <code>{_e(failed.error)}</code>"
                if failed.cause:
                    failed_text += f" {_e(short_cause(failed.cause, 300))}"
        facts = [
            ("Status", f'<span class="badge s-{s.status.lower()}">{_e(s.status)}</span>'),
            ("Started", f"{_e(format_time(s.start))} UTC"),
            ("Stopped", f"{_e(format_time(s.stop))} UTC" if s.stop else "—"),
            ("Duration", _e(format_duration(s.duration))),
            ("Hotel", _e(_hotel(s))),
            ("Failed state", failed_text),
            ("Ended in", _e(path.end_state or "— (still running)")),
        ]
        if detail.error:
            facts.append(("Error", f"<code>{_e(detail.error)}</code>"))
        if detail.cause:
            facts.append(("Cause", _e(short_cause(detail.cause, 400))))
        facts.append(("Execution ARN", f"<code class='wrap'>{_e(s.execution_arn)}</code>"))
        facts.append(
            (
                "On AWS",
                f'<a href="{_e(console_url(self.region, s.execution_arn))}" rel="noreferrer">'
                "Step Functions console</a>",
            )
        )
        fact_rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        steps = " ".join(
            f'<li class="o-{v.outcome}{" failed" if v.name == path.failed_state else ""}">'
            f"{_e(v.name)}{' &#215;' + str(v.attempts) if v.attempts > 1 else ''}</li>"
            for v in path.visits
        )
        running = s.status == "RUNNING"
        body = f"""
<p class="crumbs"><a href="{PREFIX}/">← All executions</a></p>
<header class="top">
  <h1><span class="mono">{_e(s.booking_id)}</span>
  <span class="badge s-{s.status.lower()}" id="status">{_e(s.status)}</span></h1>
</header>
<dl class="facts">{fact_rows}</dl>
<h2>Path of states</h2>
<ol class="path" id="path">{steps or "<li>none yet</li>"}</ol>
<div class="split">
  <section class="card graph-card" aria-label="State machine">
    <h2>State machine</h2>
    <div class="graph-scroll">{graph.render(detail.definition, path)}</div>
    <p class="legend"><span class="key visited"></span>visited (numbered in order)
    <span class="key failed"></span>failed <span class="key end"></span>succeeded
    <span class="key current"></span>in progress <span class="key idle"></span>not visited
    · bold arrows: transitions taken</p>
  </section>
  <aside class="card booking" aria-label="Booking record">
    <h2>Booking record</h2>
    {_booking_table(detail.booking, self.inspector.resources.bookings_table)}
  </aside>
</div>
<section aria-label="Event history">
  <div class="toolbar">
    <h2>Event history <span class="muted">({len(path.events)} events)</span></h2>
    <div class="buttons">
      <label>State <select id="state-filter"><option value="">all</option>
      {"".join(f"<option>{_e(n)}</option>" for n in dict.fromkeys(path.names))}</select></label>
      <button type="button" id="expand">Expand all</button>
      <button type="button" id="collapse">Collapse all</button>
    </div>
  </div>
  <div class="events" id="events">
    <div class="ev head"><span>#</span><span>+ms</span><span>Type</span><span>State</span>
    <span>Detail</span></div>
    {"".join(_event(e) for e in path.events)}
  </div>
</section>
<p class="muted">JSON: <a href="{PREFIX}/api/executions/{_q(s.booking_id)}">
{PREFIX}/api/executions/{_e(s.booking_id)}</a></p>
<script>const RUNNING = {json.dumps(running)}, EVENTS = {len(path.events)},
API = {json.dumps(f"{PREFIX}/api/executions/{_q(s.booking_id)}")};
{DETAIL_JS}</script>"""
        return _page(f"{s.booking_id} · execution", body)


# ------------------------------------------------------------------------------ pieces
def _list_row(e: ExecutionSummary) -> str:
    return (
        f'<tr data-status="{_e(e.status)}">'
        f'<td><a class="mono" href="{PREFIX}/executions/{_q(e.booking_id)}">'
        f"{_e(e.booking_id)}</a></td>"
        f'<td><span class="badge s-{e.status.lower()}">{_e(e.status)}</span></td>'
        f"<td>{_e(_hotel(e))}</td>"
        f"<td>{_e(format_time(e.start))}</td><td>{_e(format_time(e.stop))}</td>"
        f'<td class="num">{_e(format_duration(e.duration))}</td></tr>'
    )


def _hotel(e: ExecutionSummary) -> str:
    if e.hotel_name and e.hotel_id:
        return f"{e.hotel_name} ({e.hotel_id})"
    return e.hotel_name or e.hotel_id or "—"


def _chip(label: str, url: str, active: bool) -> str:
    current = ' aria-current="page" class="on"' if active else ""
    return f'<a href="{_e(url)}"{current}>{_e(label)}</a>'


def _query(status: str | None, limit: str | None, token: str | None = None) -> str:
    params = {k: v for k, v in (("status", status), ("limit", limit), ("nextToken", token)) if v}
    return f"?{urllib.parse.urlencode(params)}" if params else ""


def _list_url(status: str | None, limit: str | None, token: str | None = None) -> str:
    return f"{PREFIX}/{_query(status, limit, token)}"


def _booking_table(booking: dict[str, Any] | None, table: str) -> str:
    if booking is None:
        return (
            f'<p class="muted">No record in <code>{_e(table)}</code> (an execution whose input '
            "was not a valid booking never writes one).</p>"
        )
    keys = [k for k in BOOKING_FIELDS if k in booking]
    keys += sorted(k for k in booking if k not in BOOKING_FIELDS)
    rows = []
    for key in keys:
        value = booking[key]
        if key == "steps" and isinstance(value, list):
            shown = "<ol class='steps'>" + "".join(
                f"<li>{_e(str(step.get('state')))} <span class='muted'>"
                f"{_e(display_value(step.get('at', ''))[11:23])}</span></li>"
                for step in value
                if isinstance(step, dict)
            )
            shown += "</ol>"
        elif key == "status":
            shown = f"<strong>{_e(str(value))}</strong>"
        elif isinstance(value, dict):
            shown = "<br>".join(
                f"<span class='muted'>{_e(k)}</span> "
                f"<span class='wrap'>{_e(display_value(v))}</span>"
                for k, v in value.items()
            )
        else:
            shown = f"<span class='wrap'>{_e(display_value(value))}</span>"
        rows.append(f"<tr><th>{_e(key)}</th><td>{shown}</td></tr>")
    return (
        f'<table class="record">{"".join(rows)}</table>'
        f'<p class="muted">from <code>{_e(table)}</code></p>'
    )


def _event(event: Any) -> str:
    kind = event.type
    css = "ev"
    if "Failed" in kind or "TimedOut" in kind or "Aborted" in kind:
        css += " bad"
    elif kind.endswith("StateEntered"):
        css += " enter"
    cells = (
        f"<span>{event.id}</span><span class='num'>{event.elapsed_ms:.0f}</span>"
        f"<span class='type'>{_e(kind)}</span><span>{_e(event.state or '')}</span>"
        f"<span class='sum'>{_e(event.summary)}</span>"
    )
    state = f' data-state="{_e(event.state)}"' if event.state else ""
    if not event.details:
        return f'<div class="{css}"{state}>{cells}</div>'
    blocks = "".join(
        f"<h4>{_e(key)}</h4><pre>{_e(_pretty(value))}</pre>" for key, value in event.details.items()
    )
    return (
        f'<details class="{css}"{state}><summary>{cells}</summary>'
        f'<div class="payload">{blocks}</div></details>'
    )


def _pretty(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict) and isinstance(data.get("stackTrace"), list):
        data["stackTrace"] = [" ".join(str(line).split()) for line in data["stackTrace"]]
    return json.dumps(data, indent=2, ensure_ascii=False)


def _timed(response: Response, page: ExecutionPage) -> Response:
    """How long the reads took, for the browser's dev tools and the benchmark."""
    response.headers["Server-Timing"] = ", ".join(
        f"{name};dur={ms:.1f}" for name, ms in page.timings.items()
    )
    return response


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _json(data: Any, status: int = 200) -> Response:
    response = Response(json.dumps(data, indent=1), status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(title: str, body: str, status: int = 200) -> Response:
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · local console</title>
<style>{CSS}</style></head>
<body><main>{body}</main></body></html>"""
    response = Response(page, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


CSS = """
:root{--fg:#0f172a;--muted:#5b6472;--line:#e2e6ee;--bg:#f6f7fb;--card:#fff;--blue:#2563eb;
--red:#dc2626;--green:#16a34a;--amber:#d97706;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:80rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.5rem;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
h4{margin:.5rem 0 .2rem;font-size:.8rem;text-transform:uppercase;color:var(--muted)}
a{color:var(--blue)} code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;
font-size:.92em} .muted{color:var(--muted)} .wrap{overflow-wrap:anywhere}
.top p{margin:.2rem 0}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.9rem 0}
.chips a{padding:.25rem .75rem;border:1px solid var(--line);border-radius:999px;
background:var(--card);text-decoration:none;color:var(--fg)}
.chips a.on{background:var(--fg);color:#fff;border-color:var(--fg)}
.toolbar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;
gap:.5rem 1rem}
.toolbar p{margin:.25rem 0}
input[type=search]{padding:.4rem .6rem;border:1px solid #c9cfda;border-radius:6px;
font:inherit;min-width:14rem}
button,select{font:inherit;padding:.25rem .6rem;border:1px solid #c9cfda;border-radius:6px;
background:var(--card)}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;
font-weight:600;letter-spacing:.02em;background:#e8ebf1;color:#334155;white-space:nowrap}
.s-running{background:#fff1d6;color:#8a4b00}.s-succeeded{background:#dcf5e4;color:#11643a}
.s-failed{background:#fde2e2;color:#9b1c1c}.s-timed_out{background:#ffe4cc;color:#8a3b00}
.s-aborted{background:#e5e7eb;color:#374151}
table.list{width:100%;border-collapse:collapse;background:var(--card);
border:1px solid var(--line);border-radius:8px;overflow:hidden;margin-top:.5rem}
.list th,.list td{padding:.45rem .6rem;text-align:left;border-bottom:1px solid var(--line);
vertical-align:top}
.list th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);
background:#fafbfd}
.list tbody tr:hover{background:#f4f7ff}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.more{text-align:center}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;
background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem}
.facts dt{color:var(--muted)} .facts dd{margin:0;overflow-wrap:anywhere}
.path{display:flex;flex-wrap:wrap;gap:.35rem;padding:0;margin:.25rem 0;list-style:none;
counter-reset:step}
.path li{counter-increment:step;padding:.2rem .6rem;border-radius:6px;background:#e8f0fe;
border:1px solid #b9cdfb;font-size:.9rem}
.path li::before{content:counter(step) ". ";color:var(--muted)}
.path li.failed,.path li.o-failed{background:#fde8e8;border-color:#f3a5a5}
.path li.o-waiting,.path li.o-running{background:#fff4db;border-color:#f2c46d}
.split{display:grid;grid-template-columns:minmax(0,1fr) 22rem;gap:1rem;align-items:start;
margin-top:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:.25rem 1rem 1rem}
.graph-scroll{overflow-x:auto}
svg.graph{display:block;max-width:100%;height:auto;min-width:520px;font-family:inherit}
svg .box{fill:#fff;stroke:#aab2c0;stroke-width:1.2}
svg .state text.name{font-size:12.5px;font-weight:600;fill:#6b7280;text-anchor:middle}
svg .state text.kind{font-size:9.5px;fill:#9aa1ad;text-anchor:middle}
svg .state{cursor:pointer}
svg .visited .box{fill:#e8f0fe;stroke:var(--blue);stroke-width:1.8}
svg .visited text.name{fill:var(--fg)} svg .visited text.kind{fill:#475569}
svg .end .box{fill:#dcf5e4;stroke:var(--green);stroke-width:2.2}
svg .failed .box,svg .end-fail .box{fill:#fde8e8;stroke:var(--red);stroke-width:2.4}
svg .current .box{fill:#fff4db;stroke:var(--amber);stroke-width:2.2}
svg circle.step{fill:var(--blue);stroke:#fff;stroke-width:1.5}
svg .failed circle.step,svg .end-fail circle.step{fill:var(--red)}
svg .end circle.step{fill:var(--green)}
svg text.step{font-size:10px;font-weight:700;fill:#fff;text-anchor:middle}
svg rect.attempts{fill:var(--amber);stroke:#fff;stroke-width:1.5}
svg text.attempts{font-size:10px;font-weight:700;fill:#fff;text-anchor:middle}
svg .state.selected .box{stroke:#111;stroke-width:3}
svg .edge{fill:none;stroke:#c3c9d4;stroke-width:1.2}
svg .edge.catch{stroke-dasharray:4 3}
svg .edge.taken{stroke:var(--blue);stroke-width:2.4;stroke-dasharray:none}
svg .edge.error{stroke:var(--red)}
svg .start{fill:#c3c9d4} svg .start.taken{fill:var(--blue)}
svg .arrow{fill:#c3c9d4} svg .arrow-taken{fill:var(--blue)} svg .arrow-error{fill:var(--red)}
.legend{font-size:.82rem;color:var(--muted);margin:.5rem 0 0}
.key{display:inline-block;width:.9rem;height:.9rem;border-radius:3px;vertical-align:-2px;
margin:0 .25rem 0 .6rem;border:1.5px solid}
.key.visited{background:#e8f0fe;border-color:var(--blue)}
.key.failed{background:#fde8e8;border-color:var(--red)}
.key.end{background:#dcf5e4;border-color:var(--green)}
.key.current{background:#fff4db;border-color:var(--amber)}
.key.idle{background:#fff;border-color:#aab2c0}
table.record{border-collapse:collapse;width:100%;font-size:.9rem}
.record th{text-align:left;color:var(--muted);font-weight:500;padding:.3rem .6rem .3rem 0;
vertical-align:top;white-space:nowrap}
.record td{padding:.3rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
ol.steps{margin:0;padding-left:1.2rem}
.events{background:var(--card);border:1px solid var(--line);border-radius:8px;
font-size:.88rem}
.ev>summary,.ev.head,div.ev{display:grid;grid-template-columns:2.5rem 4rem 15rem 10rem 1fr;
gap:.5rem;padding:.35rem .75rem;border-bottom:1px solid var(--line);align-items:baseline}
.ev>summary{cursor:pointer;list-style:none;padding-left:.75rem}
.ev>summary::-webkit-details-marker{display:none}
.ev>span:first-child::before,.ev>summary>span:first-child::before{content:"";
display:inline-block;width:1em;color:var(--muted)}
.ev>summary>span:first-child::before{content:"▸"}
details.ev[open]>summary>span:first-child::before{content:"▾"}
.ev.head{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);
background:#fafbfd}
.ev .type{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}
.ev .sum{overflow-wrap:anywhere;color:#334155}
.ev.enter>summary,.ev.enter{background:#f7f9ff}
.ev.bad>summary,div.ev.bad{background:#fff5f5}.ev.bad .sum{color:#9b1c1c}
.ev.hidden{display:none}
.payload{padding:.25rem 1rem .75rem 3.5rem;border-bottom:1px solid var(--line);background:#fcfcfe}
.payload pre{margin:0;padding:.5rem;background:#f3f5f9;border-radius:6px;overflow:auto;
max-height:22rem;font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:900px){.split{grid-template-columns:minmax(0,1fr)}}
@media (max-width:640px){
main{padding:.75rem .75rem 2rem}
table.list,.list thead,.list tbody,.list tr,.list td{display:block}
.list thead{display:none}
.list tr{border-bottom:1px solid var(--line);padding:.4rem .6rem}
.list td{border:0;padding:.1rem 0;display:grid;grid-template-columns:7rem 1fr}
.list td::before{color:var(--muted);font-size:.8rem}
.list td:nth-child(1)::before{content:"Booking"}.list td:nth-child(2)::before{content:"Status"}
.list td:nth-child(3)::before{content:"Hotel"}.list td:nth-child(4)::before{content:"Started"}
.list td:nth-child(5)::before{content:"Stopped"}.list td:nth-child(6)::before{content:"Duration"}
.list td.num{text-align:left}.list td>*{justify-self:start}
.list tr.empty td{display:block}.list tr.empty td::before{content:none}
.facts{grid-template-columns:6.5rem minmax(0,1fr);font-size:.9rem;padding:.6rem .75rem}
.ev>summary,.ev.head,div.ev{grid-template-columns:2rem 3.2rem 1fr}
.ev .sum{grid-column:2/-1}.ev>summary>span:nth-child(4),div.ev>span:nth-child(4){grid-column:3}
.ev.head span:nth-child(n+4){display:none}
.payload{padding-left:1rem}
input[type=search]{min-width:0;width:100%}
}
"""

LIST_JS = """
const find = document.getElementById('find');
const rows = Array.from(document.querySelectorAll('#executions tbody tr'));
find.addEventListener('input', () => {
  const q = find.value.trim().toLowerCase();
  for (const row of rows) row.hidden = q !== '' && !row.textContent.toLowerCase().includes(q);
});
"""

DETAIL_JS = """
const events = Array.from(document.querySelectorAll('#events .ev:not(.head)'));
const filter = document.getElementById('state-filter');
function show(state) {
  filter.value = state;
  for (const ev of events)
    ev.classList.toggle('hidden', state !== '' && ev.dataset.state !== state);
  for (const g of document.querySelectorAll('svg .state'))
    g.classList.toggle('selected', g.dataset.state === state);
}
filter.addEventListener('change', () => show(filter.value));
for (const g of document.querySelectorAll('svg .state')) {
  const pick = () => {
    const name = g.dataset.state;
    const known = Array.from(filter.options).some(o => o.value === name);
    show(filter.value === name || !known ? '' : name);
    document.getElementById('events').scrollIntoView({behavior: 'smooth', block: 'start'});
  };
  g.addEventListener('click', pick);
  g.addEventListener('keydown', e => { if (e.key === 'Enter') pick(); });
}
document.getElementById('expand').onclick = () =>
  events.forEach(ev => { if (ev.tagName === 'DETAILS' && !ev.hidden) ev.open = true; });
document.getElementById('collapse').onclick = () =>
  events.forEach(ev => { if (ev.tagName === 'DETAILS') ev.open = false; });
if (RUNNING) setInterval(async () => {
  try {
    const now = await (await fetch(API)).json();
    if (now.status !== 'RUNNING' || now.events.length !== EVENTS) location.reload();
  } catch (e) { /* the stack stopped: keep the page as it is */ }
}, 2000);
"""
