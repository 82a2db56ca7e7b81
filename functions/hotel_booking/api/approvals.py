"""The approve/reject pages behind the signed links in managers' emails: Lambda entry point."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.config import ApprovalPageSettings, base_path_prefixes
from hotel_booking.logic.approval_pages import (
    UNREADABLE,
    LinkRequest,
    Page,
    not_found,
    show,
    submit,
    went_wrong,
)
from hotel_booking.wiring import approval_page_ports, link_key

SETTINGS = ApprovalPageSettings.from_env()
PORTS = approval_page_ports(SETTINGS)
KEY = link_key(SETTINGS)

logger = Logger()
tracer = Tracer()
app = APIGatewayRestResolver(strip_prefixes=base_path_prefixes(SETTINGS.api_base_path))


def _html(page: Page) -> Response[str]:
    return Response(
        status_code=page.status,
        content_type="text/html; charset=utf-8",
        body=page.render(),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
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
        return _html(UNREADABLE)
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
    return _html(not_found())


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[str]:
    logger.exception("approval page failed")
    return _html(went_wrong())


@logger.inject_lambda_context(correlation_id_path="pathParameters.approvalId")
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
