"""The local web server: the pages of hotel/, their config.json, and the mailbox."""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
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
            return Response((STATIC / "mailbox.js").read_bytes(), 200, mimetype="text/javascript")
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
        page = TEMPLATES.get_template("mailbox.html").render(
            mails=list(reversed(self.mailbox.messages(to))),
            recipients=sorted({m["to"] for m in self.mailbox.messages()}),
        )
        return Response(page, 200, mimetype="text/html")


def with_links(body: str, links: list[dict[str, str]]) -> list[tuple[str, str]]:
    """A mail's body as (text, url) runs, url empty after the last link, so the template
    escapes the text and makes each link an anchor (the longest first where one URL begins
    another)."""
    urls = sorted({link["url"] for link in links}, key=len, reverse=True)
    if not urls:
        return [(body, "")]
    parts = re.split("(" + "|".join(map(re.escape, urls)) + ")", body)
    return list(zip(parts[::2], [*parts[1::2], ""], strict=True))


TEMPLATES = Environment(
    loader=PackageLoader("devstack"), autoescape=True, undefined=StrictUndefined
)
TEMPLATES.filters["with_links"] = with_links
STATIC = Path(__file__).parent / "static"


def _json(data: Any) -> Response:
    response = Response(json.dumps(data, indent=2), 200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _redirect(location: str) -> Response:
    return Response("", 302, headers={"Location": location})
