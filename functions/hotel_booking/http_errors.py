"""Which HTTP status and body a refused request gets: one table for every HTTP entry point.

The REST API's functions (``api._http``) and the search service (``services/search``) both
answer with it, so a search refused by either is refused alike. It depends on the problems
alone, never on an entry point: the search service's image carries it without the REST API's
request parsing (and its picture handling).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

from hotel_booking.logic.problems import (
    BodyTooLarge,
    BookingNotAwaitingApproval,
    BookingNotCancellable,
    BookingNotStarted,
    DecisionAlreadyMade,
    DecisionWindowClosed,
    HotelChangedConcurrently,
    HotelHasLiveBookings,
    IdempotencyKeyReused,
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotSignedIn,
    PictureTooLarge,
    RequestProblem,
    RoomsStillBooked,
    UnsupportedContentType,
)

#: The one place an error becomes an HTTP status (a subclass inherits its base's status).
STATUS_BY_ERROR: dict[type[RequestProblem], HTTPStatus] = {
    InvalidRequest: HTTPStatus.BAD_REQUEST,
    NotSignedIn: HTTPStatus.UNAUTHORIZED,
    NotAllowed: HTTPStatus.FORBIDDEN,
    NotFound: HTTPStatus.NOT_FOUND,
    HotelHasLiveBookings: HTTPStatus.CONFLICT,
    RoomsStillBooked: HTTPStatus.CONFLICT,
    HotelChangedConcurrently: HTTPStatus.CONFLICT,
    BookingNotAwaitingApproval: HTTPStatus.CONFLICT,
    DecisionAlreadyMade: HTTPStatus.CONFLICT,
    BookingNotCancellable: HTTPStatus.CONFLICT,
    DecisionWindowClosed: HTTPStatus.GONE,
    PictureTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    BodyTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UnsupportedContentType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    BookingNotStarted: HTTPStatus.SERVICE_UNAVAILABLE,
}


def status_of(problem: RequestProblem) -> HTTPStatus:
    """The status of the nearest class in the table (400 for a problem it does not name)."""
    for cls in type(problem).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return HTTPStatus.BAD_REQUEST


def error_body(message: str, errors: list[Any] | None = None) -> dict[str, Any]:
    """``{"message": ..., "errors": [{"field": ..., "message": ...}]}``, ``errors`` when given."""
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = [e.model_dump() if isinstance(e, BaseModel) else e for e in errors]
    return body
