"""The approve/reject pages behind the signed links in managers' emails: Lambda entry point.

The logic (``logic/approval_pages``) says what happened; here it becomes a status and a page
from the Jinja2 templates in ``templates/`` (autoescaped: names and notes come from users).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.typing import LambdaContext
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hotel_booking import tracing
from hotel_booking.config import base_path_prefixes
from hotel_booking.config.approvals import ApprovalPageSettings
from hotel_booking.logic import wording
from hotel_booking.logic.approval_pages import (
    NOTE_MAX,
    Confirm,
    Decided,
    LinkRequest,
    PageResult,
    Refusal,
    Refused,
    show,
    submit,
)
from hotel_booking.models import Decision
from hotel_booking.wiring import approval_page_ports, link_key

SETTINGS = ApprovalPageSettings.from_env()
PORTS = approval_page_ports(SETTINGS)
KEY = link_key(SETTINGS)

logger = Logger()
tracer = tracing.tracer()
app = APIGatewayRestResolver(strip_prefixes=base_path_prefixes(SETTINGS.api_base_path))


TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters.update(day=wording.day, money=wording.money, count=wording.count)

_REFUSED: dict[Refusal, tuple[int, str]] = {
    Refusal.UNREADABLE: (400, "Request not readable"),
    Refusal.NOT_FOUND: (404, "Not found"),
    Refusal.WENT_WRONG: (500, "Something went wrong"),
    Refusal.BAD_SIGNATURE: (403, "Link not valid"),
    Refusal.LINK_EXPIRED: (410, "Link expired"),
    Refusal.EXPIRED: (410, "No longer waiting"),
    Refusal.CANCELLED: (410, "No longer waiting"),
    Refusal.ALREADY_APPROVED: (200, "Already approved"),
    Refusal.ALREADY_REJECTED: (200, "Already rejected"),
}


def _verb(decision: Decision) -> str:
    return "Approve" if decision is Decision.APPROVE else "Reject"


def _html(result: PageResult) -> Response[str]:
    """The page for a result, with a fresh nonce for its one style element."""
    nonce = secrets.token_urlsafe(16)
    page: dict[str, Any] = {"nonce": nonce, "note_max": NOTE_MAX}
    match result:
        case Confirm():
            status, name = 200, "confirm.html"
            page |= {
                "title": f"{_verb(result.decision)} booking?",
                "decision": result.decision.value,
                "booking": result.booking,
                "booking_id": result.booking_id,
                "link": result.link,
            }
        case Decided():
            status, name = 200, "decided.html"
            done = "approved" if result.decision is Decision.APPROVE else "rejected"
            page |= {
                "title": f"Booking {done}",
                "decision": result.decision.value,
                "booking_id": result.booking_id,
                "note": result.note,
            }
        case Refused():
            status, title = _REFUSED[result.refusal]
            status = 409 if result.lost else status
            name = "refused.html"
            page |= {
                "title": title,
                "refusal": result.refusal.value,
                "booking_id": result.booking_id,
            }
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=TEMPLATES.get_template(name).render(page),
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": f"default-src 'none'; style-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        },
    )


@app.get("/approvals/<approvalId>")
def show_page(approvalId: str) -> Response[str]:
    q = app.current_event.query_string_parameters or {}
    link = LinkRequest(approvalId, q.get("decision"), q.get("expires"), q.get("sig"))
    return _html(show(PORTS, KEY.get(), link))


@app.post("/approvals/<approvalId>")
def decide_page(approvalId: str) -> Response[str]:
    form = _form(app.current_event.raw_event)
    if form is None:
        return _html(Refused(Refusal.UNREADABLE))
    link = LinkRequest(approvalId, form.get("decision"), form.get("expires"), form.get("sig"))
    return _html(submit(PORTS, KEY.get(), link, form.get("reason")))


_MAX_FIELDS = 10  # the page's form has four


def _form(event: dict[str, Any]) -> dict[str, str] | None:
    """The page's url-encoded form; None when it is not UTF-8 text (before or after
    percent-decoding) or not a form at all. Any bytes may arrive: the route is public."""
    body = event.get("body") or ""
    try:
        raw = (
            base64.b64decode(body, validate=True)
            if event.get("isBase64Encoded")
            else body.encode("utf-8")
        )
        fields = parse_qs(raw.decode("utf-8"), errors="strict", max_num_fields=_MAX_FIELDS)
    except (binascii.Error, ValueError):  # UnicodeError is a ValueError
        return None
    return {k: v[0] for k, v in fields.items()}


@app.not_found
def _no_such_page(exc: NotFoundError) -> Response[str]:
    return _html(Refused(Refusal.NOT_FOUND))


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[str]:
    logger.exception("approval page failed")
    return _html(Refused(Refusal.WENT_WRONG))


@logger.inject_lambda_context(correlation_id_path="pathParameters.approvalId")
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
