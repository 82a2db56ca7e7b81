"""Hotels API: search and read hotels (public), create, change, delete them (group Admin).

Lambda entry point for HotelsApiFunction: routes are thin, each one call into
``hotel_booking.logic.hotels``.
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
    form_body,
    json_response,
    no_content,
    query_of,
    resolver,
    respond,
)
from hotel_booking.config import HotelsApiSettings
from hotel_booking.dal.bookings import BookingsTable
from hotel_booking.dal.hotels import HotelsTable
from hotel_booking.dal.inventory import InventoryTable
from hotel_booking.dal.pictures import PictureStore
from hotel_booking.dal.subscriptions import manager_subscriptions
from hotel_booking.logic import hotels

SETTINGS = HotelsApiSettings.from_env()
_dynamodb = boto3.client("dynamodb", region_name=SETTINGS.region)
PORTS = hotels.HotelPorts(
    hotels=HotelsTable(_dynamodb, SETTINGS.hotels_table),
    inventory=InventoryTable(_dynamodb, SETTINGS.inventory_table),
    bookings=BookingsTable(_dynamodb, SETTINGS.bookings_table),
    pictures=PictureStore(
        boto3.client("s3", region_name=SETTINGS.region), SETTINGS.pictures_bucket
    ),
    managers=manager_subscriptions(
        boto3.client("sns", region_name=SETTINGS.region), SETTINGS.manager_topic_arn
    ),
)

logger = Logger()
tracer = Tracer()
app = resolver(SETTINGS.allowed_origin)


@app.get("/hotels")
def search_hotels() -> Response[Any]:
    found = hotels.search_hotels(PORTS, caller_of(app), query_of(app))
    return json_response(HTTPStatus.OK, found.body())


@app.get("/hotels/<hotelId>")
def get_hotel(hotelId: str) -> Response[Any]:
    return json_response(HTTPStatus.OK, hotels.get_hotel(PORTS, caller_of(app), hotelId).body())


@app.post("/hotels")
def create_hotel() -> Response[Any]:
    created = hotels.create_hotel(PORTS, caller_of(app), form_body(app))
    return json_response(HTTPStatus.CREATED, created.body())


@app.put("/hotels/<hotelId>")
def update_hotel(hotelId: str) -> Response[Any]:
    updated = hotels.update_hotel(PORTS, caller_of(app), hotelId, form_body(app))
    return json_response(HTTPStatus.OK, updated.body())


@app.delete("/hotels/<hotelId>")
def delete_hotel(hotelId: str) -> Response[Any]:
    hotels.delete_hotel(PORTS, caller_of(app), hotelId)
    return no_content()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return respond(app, event, context, SETTINGS.allowed_origin)
