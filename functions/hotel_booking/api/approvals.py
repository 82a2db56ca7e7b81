"""The approve/reject pages behind the signed links in managers' emails: Lambda entry point."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.config import ApprovalPageSettings
from hotel_booking.logic.approval_pages import LinkRequest, Page, show, submit
from hotel_booking.wiring import approval_page_ports, link_key

SETTINGS = ApprovalPageSettings.from_env()
PORTS = approval_page_ports(SETTINGS)
KEY = link_key(SETTINGS)

logger = Logger()
tracer = Tracer()
app = APIGatewayRestResolver()


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
    form = {k: v[0] for k, v in parse_qs(app.current_event.decoded_body or "").items()}
    link = LinkRequest(approvalId, form.get("decision"), form.get("expires"), form.get("sig"))
    return _html(submit(PORTS, KEY.get(), link, form.get("reason")))


@logger.inject_lambda_context(correlation_id_path="pathParameters.approvalId")
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
