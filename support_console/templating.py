"""The console's Jinja2 environment: templates/ with autoescaping on, and the filters they use.

Every value a template prints is escaped unless it is already markup (the SVG picture is
rendered from its own template, so it arrives as markup)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from support_console.formatting import display_value, format_duration, format_time
from support_console.history import short_cause
from support_console.records import ExecutionSummary

PREFIX = "/console"  # where the web server mounts the console
STATUS_LABELS = {
    "RUNNING": "Running",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "TIMED_OUT": "Timed out",
    "ABORTED": "Aborted",
}


def pretty(text: str) -> str:
    """An event's JSON payload, indented; a Lambda stack trace one line per frame."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict) and isinstance(data.get("stackTrace"), list):
        data["stackTrace"] = [" ".join(str(line).split()) for line in data["stackTrace"]]
    return json.dumps(data, indent=2, ensure_ascii=False)


def quote(value: str) -> str:
    """One URL path segment (a bookingId)."""
    return urllib.parse.quote(value, safe="")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def hotel(execution: ExecutionSummary) -> str:
    """Name (id), or whichever of the two is known."""
    if execution.hotel_name and execution.hotel_id:
        return f"{execution.hotel_name} ({execution.hotel_id})"
    return execution.hotel_name or execution.hotel_id or "—"


ENV = Environment(
    loader=PackageLoader("support_console"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.filters.update(
    time=format_time,
    duration=format_duration,
    display=display_value,
    short_cause=short_cause,
    quote=quote,
    pretty=pretty,
    status_label=status_label,
    hotel=hotel,
)
ENV.globals.update(prefix=PREFIX, STATUS_LABELS=STATUS_LABELS)


def render(template: str, **context: Any) -> Markup:
    return Markup(ENV.get_template(template).render(**context))
