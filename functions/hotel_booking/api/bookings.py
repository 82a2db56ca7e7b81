"""Bookings API: book a stay (starts the saga), read bookings, and managers' decisions.

Lambda entry point for BookingsApiFunction: routes are thin, each one call into
``hotel_booking.logic.bookings``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking.api._http import (
    caller_of,
    header,
    json_body,
    json_response,
    query_of,
    resolver,
    respond,
)
from hotel_booking.config import BookingsApiSettings
from hotel_booking.dal.approvals import ApprovalsTable
from hotel_booking.dal.bookings import BookingsTable
from hotel_booking.dal.executions import Executions
from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.dal.subscriptions import guest_subscriptions
from hotel_booking.logic import bookings

SETTINGS = BookingsApiSettings.from_env()
_dynamodb = boto3.client("dynamodb", region_name=SETTINGS.region)
_executions = Executions(
    boto3.client("stepfunctions", region_name=SETTINGS.region), SETTINGS.state_machine_arn
)
PORTS = bookings.BookingPorts(
    hotels=HotelsTable(_dynamodb, SETTINGS.hotels_table),
    bookings=BookingsTable(_dynamodb, SETTINGS.bookings_table),
    approvals=ApprovalsTable(_dynamodb, SETTINGS.approvals_table),
    guests=guest_subscriptions(
        boto3.client("sns", region_name=SETTINGS.region), SETTINGS.guest_topic_arn
    ),
    sagas=_executions,
    tasks=_executions,
    region=SETTINGS.region,
)

logger = Logger()
tracer = Tracer()
app = resolver(SETTINGS.allowed_origin)


@app.post("/bookings")
def create_booking() -> Response[Any]:
    accepted = bookings.create_booking(
        PORTS, caller_of(app), json_body(app), header(app, bookings.IDEMPOTENCY_HEADER)
    )
    return json_response(HTTPStatus.ACCEPTED, accepted.model_dump(mode="json"))


@app.get("/bookings")
def list_bookings() -> Response[Any]:
    page = bookings.list_bookings(PORTS, caller_of(app), query_of(app))
    return json_response(HTTPStatus.OK, page.model_dump(mode="json"))


@app.get("/bookings/<bookingId>")
def get_booking(bookingId: str) -> Response[Any]:
    booking = bookings.get_booking(PORTS, caller_of(app), bookingId)
    return json_response(HTTPStatus.OK, booking.model_dump(mode="json"))


@app.post("/bookings/<bookingId>/decision")
def decide_booking(bookingId: str) -> Response[Any]:
    decided = bookings.decide_booking(PORTS, caller_of(app), bookingId, json_body(app))
    return json_response(HTTPStatus.OK, decided.model_dump(mode="json"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond(app, event, context, SETTINGS.allowed_origin)
