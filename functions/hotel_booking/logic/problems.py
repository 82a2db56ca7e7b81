"""What can be wrong with a request to the REST API, as exceptions the logic raises.

The logic knows *what* went wrong (a field is invalid, the hotel does not exist, the caller may
not do this); ``hotel_booking.api._http`` maps each class to an HTTP status in one table.
Every message is meant for the person calling the API: no stack traces, no internals.
"""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from hotel_booking.models.base import Model

M = TypeVar("M", bound=BaseModel)


class FieldProblem(Model):
    """One field of the request and what is wrong with it."""

    field: str
    message: str


class RequestProblem(Exception):
    """Base class: a request the API refuses, with a message for the caller."""

    def __init__(self, message: str, errors: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidRequest(RequestProblem):
    """The request is malformed or a field is invalid; ``errors`` names each field."""

    @classmethod
    def fields(cls, problems: dict[str, str]) -> InvalidRequest:
        errors = [FieldProblem(field=f, message=m) for f, m in problems.items()]
        names = ", ".join(problems)
        return cls(f"invalid request: {names}", errors)


#: What a listing says of a ``nextToken`` it did not hand out (or handed out for another query).
FOREIGN_PAGE_TOKEN = "is not a page token from this listing; start again without it"


def bad_page_token(message: str = FOREIGN_PAGE_TOKEN) -> InvalidRequest:
    """The 400 of every listing (hotels, bookings, users, search) for a page token it cannot read:
    the caller starts the listing again."""
    return InvalidRequest.fields({"nextToken": message})


class NotSignedIn(RequestProblem):
    """The route needs a signed-in caller and the request carries no identity."""


class NotAllowed(RequestProblem):
    """The caller is signed in but lacks the group this action needs."""


class NotFound(RequestProblem):
    """Nothing there, or nothing the caller may see (the two are not told apart)."""


class HotelNotListed(NotFound):
    """No hotel with that id."""


class BookingNotVisible(NotFound):
    """No booking with that id that this caller may see."""


class HotelHasLiveBookings(RequestProblem):
    """The hotel cannot be deleted while bookings are in flight or stays are to come."""


class RoomsStillBooked(RequestProblem):
    """The hotel cannot have fewer rooms than are already booked on some night."""


class HotelChangedConcurrently(RequestProblem):
    """Someone else changed the hotel between this request's read and its write."""


class BookingNotAwaitingApproval(RequestProblem):
    """A decision was sent for a booking that has no open approval."""


class DecisionAlreadyMade(RequestProblem):
    """The approval was already decided (approved, rejected or cancelled)."""


class DecisionWindowClosed(RequestProblem):
    """The approval expired before the decision arrived."""


class BookingNotCancellable(RequestProblem):
    """The booking cannot be cancelled (failed, rejected, cancelled, begun, or in flight)."""


class PictureTooLarge(RequestProblem):
    """The uploaded picture is over the size limit."""


class BodyTooLarge(RequestProblem):
    """The request body is larger than a Lambda event can carry (logic/uploads.MAX_BODY_BYTES)."""


class UnsupportedContentType(RequestProblem):
    """The body is neither JSON nor multipart/form-data."""


class IdempotencyKeyReused(RequestProblem):
    """The Idempotency-Key was used before with a different request body."""


class BookingNotStarted(RequestProblem):
    """Step Functions refused to start the saga; nothing was booked and a retry is safe."""


class CancellationNotStarted(BookingNotStarted):
    """Step Functions refused to start the cancellation; asking again starts it."""


_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")  # models.Id


def possible_id(value: str) -> bool:
    """False for what cannot be an id (so a lookup would only upset DynamoDB): the caller
    answers 404 at once, as for an id that was never used."""
    return bool(_ID.match(value))


_FRIENDLY = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
}


def field_problems(exc: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """Pydantic's errors as ``{field, message}``, one per field, in the order found."""
    problems: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        field = prefix + ".".join(str(p) for p in err["loc"]) or "body"
        message = _FRIENDLY.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
        problems.setdefault(field, message)
    return [FieldProblem(field=f, message=m) for f, m in problems.items()]


def invalid(exc: ValidationError, prefix: str = "") -> InvalidRequest:
    errors = field_problems(exc, prefix)
    return InvalidRequest(f"invalid request: {', '.join(e.field for e in errors)}", errors)


def validated(model: type[M], data: object, prefix: str = "") -> M:
    """``model.model_validate(data)``, a bad request becoming InvalidRequest naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, prefix) from None
