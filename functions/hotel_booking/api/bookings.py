"""Bookings API: book a stay (starts the saga), read bookings, managers' decisions, and
cancellation.

Lambda entry point for BookingsApiFunction: routes are thin, each one call into
``hotel_booking.logic.bookings``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from hotel_booking.api import _http as web
from hotel_booking.config.bookings import BookingsApiSettings
from hotel_booking.logic import bookings, cancellations
from hotel_booking.wiring import booking_ports, cancellation_ports

SETTINGS = BookingsApiSettings.from_env()
PORTS = booking_ports(SETTINGS)
CANCELLATION_PORTS = cancellation_ports(SETTINGS)

app = web.resolver(SETTINGS.allowed_origin, SETTINGS.api_base_path)


@app.post("/bookings")
def create_booking() -> Response[Any]:
    accepted = bookings.create_booking(
        PORTS, web.caller_of(app), web.json_body(app), web.header(app, bookings.IDEMPOTENCY_HEADER)
    )
    return web.json_response(HTTPStatus.ACCEPTED, accepted.model_dump(mode="json"))


@app.get("/bookings")
def list_bookings() -> Response[Any]:
    page = bookings.list_bookings(PORTS, web.caller_of(app), web.query_of(app))
    return web.ok(page.model_dump(mode="json"))


@app.get("/bookings/<bookingId>")
def get_booking(bookingId: str) -> Response[Any]:
    booking = bookings.get_booking(PORTS, web.caller_of(app), bookingId)
    return web.ok(booking.model_dump(mode="json"))


@app.post("/bookings/<bookingId>/decision")
def decide_booking(bookingId: str) -> Response[Any]:
    decided = bookings.decide_booking(PORTS, web.caller_of(app), bookingId, web.json_body(app))
    return web.ok(decided.model_dump(mode="json"))


@app.post("/bookings/<bookingId>/cancel")
def cancel_booking(bookingId: str) -> Response[Any]:
    accepted = cancellations.cancel_booking(CANCELLATION_PORTS, web.caller_of(app), bookingId)
    return web.json_response(HTTPStatus.ACCEPTED, accepted.model_dump(mode="json"))


lambda_handler = web.entry_point(app, SETTINGS.allowed_origin)
