"""The search service's metrics: the ``route`` dimension is the answering route's template, so
junk paths cannot mint new CloudWatch custom metrics (each dimension value is one, billed)."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from search_service.app import create_app
from search_service.settings import ServiceSettings


class Store:
    def search(self, query: dict[str, str]) -> dict[str, Any]:
        return {"hotels": [], "query": query}

    def ping(self) -> None:
        return None


def get(app: Any, path: str) -> int:
    """One GET through the ASGI app, as uvicorn would call it; the response status."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # On a thread of its own: a browser test before this one in the same worker may have left
    # Playwright's event loop running on this thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def route_dimensions(out: str) -> list[str]:
    """The ``route`` of every EMF document printed (CloudWatch's metric extraction reads these)."""
    routes = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            if "route" in document:
                routes.append(document["route"])
    return routes


def test_the_route_dimension_is_a_template_never_the_raw_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = ServiceSettings.model_validate(
        {
            "AWS_REGION": "eu-west-2",
            "SEARCH_TABLE": "search",
            "INVENTORY_TABLE": "inventory",
            "PICTURES_BUCKET": "pictures",
            "HOST": "127.0.0.1",
            "PORT": "8000",
        }
    )
    app = create_app(settings, store=Store())  # type: ignore[arg-type]
    capsys.readouterr()
    statuses = [
        get(app, path)
        for path in ("/search", "/health", "/wp-login.php", "/search/../../etc", "/x/1", "/x/2")
    ]
    assert statuses == [200, 200, 404, 404, 404, 404]
    assert route_dimensions(capsys.readouterr().out) == [
        "/search",
        "/health",
        "unmatched",
        "unmatched",
        "unmatched",
        "unmatched",
    ]
