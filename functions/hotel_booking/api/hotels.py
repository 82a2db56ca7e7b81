"""Hotels API: search and read hotels (public), create, change, delete them (group Admin).

Lambda entry point for HotelsApiFunction: routes are thin, each one call into the logic:
``search.answers`` (the public search), ``logic.hotels`` (reads), ``logic.managers``,
``logic.hotel_admin`` (an Admin's changes).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from hotel_booking.api import _http as web
from hotel_booking.config.hotels import HotelsApiSettings
from hotel_booking.logic import hotel_admin, hotels, managers
from hotel_booking.search import answers
from hotel_booking.wiring import hotel_ports

SETTINGS = HotelsApiSettings.from_env()
PORTS = hotel_ports(SETTINGS)

app = web.resolver(SETTINGS.allowed_origin, SETTINGS.api_base_path)


@app.get("/hotels")
def search_hotels() -> Response[Any]:
    return web.ok(answers.search_hotels(PORTS, web.caller_of(app), web.query_of(app)).body())


@app.get("/admin/hotels")
def list_hotels() -> Response[Any]:
    return web.ok(hotels.list_hotels(PORTS, web.caller_of(app), web.query_of(app)).body())


@app.get("/hotels/<hotelId>")
def get_hotel(hotelId: str) -> Response[Any]:
    hotel = hotels.get_hotel(PORTS, web.caller_of(app), hotelId, web.query_of(app))
    return web.ok(hotel.body())


@app.get("/hotels/<hotelId>/manager")
def get_hotel_manager(hotelId: str) -> Response[Any]:
    return web.ok(managers.get_manager(PORTS, web.caller_of(app), hotelId).body())


@app.get("/hotels/<hotelId>/subscription")
def manager_subscription(hotelId: str) -> Response[Any]:
    return web.ok(managers.manager_subscription(PORTS, web.caller_of(app), hotelId).model_dump())


@app.post("/hotels")
def create_hotel() -> Response[Any]:
    created = hotel_admin.create_hotel(PORTS, web.caller_of(app), lambda: web.form_body(app))
    return web.json_response(HTTPStatus.CREATED, created.body())


@app.delete("/hotels/<hotelId>")
def delete_hotel(hotelId: str) -> Response[Any]:
    hotel_admin.delete_hotel(PORTS, web.caller_of(app), hotelId)
    return web.no_content()


@app.put("/hotels/<hotelId>")
def update_hotel(hotelId: str) -> Response[Any]:
    updated = hotel_admin.update_hotel(
        PORTS, web.caller_of(app), hotelId, lambda: web.form_body(app)
    )
    return web.ok(updated.body())


lambda_handler = web.entry_point(app, SETTINGS.allowed_origin)
