"""The local web server: the pages of hotel/, their config.json, and the mailbox."""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.utils import safe_join
from werkzeug.wrappers import Request, Response

from localaws.aws.mail import Mailbox

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class WebServer:
    """``/hotel/`` static pages, ``/hotel/config.json``, ``/mailbox/``; more mounts by prefix."""

    def __init__(
        self,
        pages: Path,
        config: dict[str, str],
        mailbox: Mailbox,
        log: Callable[[str], None] = lambda line: None,
        page_headers: dict[str, str] | None = None,
        verbose: bool = False,
    ) -> None:
        self.pages = pages
        # Quiet by default: a page load fetches a dozen files and the mailbox polls its JSON;
        # `make run VERBOSE=1` logs every request.
        self.verbose = verbose
        self.config = config
        self.mailbox = mailbox
        self.log = log
        # What CloudFront's response headers policy adds on AWS (localaws.provision.hosting).
        self.page_headers = page_headers or {}
        self.mounts: dict[str, WsgiApp] = {}

    def mount(self, prefix: str, app: WsgiApp) -> None:
        """Serve ``prefix`` (e.g. '/console/') with another WSGI app."""
        self.mounts[prefix] = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        for prefix, app in self.mounts.items():
            if request.path == prefix.rstrip("/") or request.path.startswith(prefix):
                return app(environ, start_response)
        response = self.handle(request)
        if self.verbose or (request.method != "GET" and request.method != "HEAD"):
            self.log(f"WEB {request.method} {request.path} → {response.status_code}")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path in ("/", "/hotel"):
            return _redirect("/hotel/")
        if path == "/hotel/config.json":
            return self._with_page_headers(_json(self.config))
        if path.startswith("/hotel/"):
            return self._with_page_headers(self._static(path[len("/hotel/") :]))
        if path == "/mailbox":
            return _redirect("/mailbox/")
        if path == "/mailbox/messages.json":
            return _json(self.mailbox.messages(request.args.get("to")))
        if path == "/mailbox/":
            return self._mailbox_page(request.args.get("to"))
        if path == "/mailbox/mailbox.js":
            return Response(MAILBOX_SCRIPT, 200, mimetype="text/javascript")
        return Response("Not found", 404, mimetype="text/plain")

    def _with_page_headers(self, response: Response) -> Response:
        response.headers.update(self.page_headers)
        return response

    def _static(self, relative: str) -> Response:
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        target = safe_join(str(self.pages), relative)
        if target is None or not Path(target).is_file():
            return Response("Not found", 404, mimetype="text/plain")
        mime = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if target.endswith(".js"):
            mime = "text/javascript"
        response = Response(Path(target).read_bytes(), 200, mimetype=mime)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def _mailbox_page(self, to: str | None) -> Response:
        messages = self.mailbox.messages(to)
        recipients = sorted({m["to"] for m in self.mailbox.messages()})
        items = []
        for m in reversed(messages):
            body = html.escape(m["body"])
            for link in m["links"]:
                url = html.escape(link["url"])
                body = body.replace(url, f'<a href="{url}">{url}</a>')
            items.append(
                f'<article class="mail" id="mail-{m["id"]}">'
                f"<header><strong>{html.escape(m['subject'])}</strong>"
                f"<span>to {html.escape(m['to'])} · {html.escape(m['receivedAt'])}</span></header>"
                f"<pre>{body}</pre></article>"
            )
        filters = " ".join(
            f'<a href="/mailbox/?to={html.escape(r)}">{html.escape(r)}</a>' for r in recipients
        )
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local mailbox</title>
<script src="/mailbox/mailbox.js" defer></script>
<style>
body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
.mail{{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}}
.mail header{{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}}
.mail span{{color:#555;font-size:.9em}}
pre{{white-space:pre-wrap;overflow-wrap:anywhere}} a{{overflow-wrap:anywhere}}
nav{{display:flex;flex-wrap:wrap;gap:.25rem .75rem}}
button{{font:inherit;padding:.3rem .8rem}}
</style></head><body><main>
<h1>Local mailbox</h1>
<p>Every email SNS would send, newest first ({len(messages)} shown).
<a href="/mailbox/messages.json">JSON</a></p>
<p><button type="button" id="refresh" data-count="{len(messages)}">Check for new mail</button>
<span id="new-mail" role="status"></span></p>
<nav aria-label="Recipients">Recipients: <a href="/mailbox/">all</a> {filters}</nav>
{"".join(items) or "<p>No messages yet.</p>"}
</main></body></html>"""
        return Response(page, 200, mimetype="text/html")


#: The mailbox page's new-mail check: it polls the JSON and says how many arrived (a status
#: message screen readers announce); the button shows them. A meta refresh reloaded the page
#: every 5 s under the reader (axe: meta-refresh, critical) and lost the scroll position.
MAILBOX_SCRIPT = """
const button = document.getElementById("refresh");
const status = document.getElementById("new-mail");
const shown = Number(button.dataset.count);
button.addEventListener("click", () => location.reload());
async function check() {
  try {
    const to = new URLSearchParams(location.search).get("to");
    const query = to ? "?to=" + encodeURIComponent(to) : "";
    const mails = await (await fetch("/mailbox/messages.json" + query)).json();
    const fresh = mails.length - shown;
    status.textContent = fresh > 0 ? (fresh === 1 ? "1 new message" : fresh + " new messages") : "";
    button.textContent = fresh > 0 ? "Show new mail" : "Check for new mail";
  } catch (e) { /* the local stack stopped; the button still reloads */ }
}
setInterval(check, 3000);
"""


def _json(data: Any) -> Response:
    response = Response(json.dumps(data, indent=2), 200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _redirect(location: str) -> Response:
    return Response("", 302, headers={"Location": location})
