"""What an Admin sends to create or change a hotel: its fields and a picture, read together so
that one 400 names every bad field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from hotel_booking.logic.problems import FieldProblem, InvalidRequest, validated
from hotel_booking.logic.uploads import Form, Picture, Upload, accept_picture, is_empty

F = TypeVar("F", bound=BaseModel)

PICTURE_FIELD = "picture"
#: The hotel fields that are JSON integers (a multipart form sends them as text).
INTEGER_FIELDS = frozenset({"stars", "rooms"})

#: A request body, or how to read it: the API hands over a reader, so a body is parsed only
#: once the caller may send one (issue 21: a guest's 20,000-part form held the function 10 s).
FormSource = Form | Callable[[], Form]


def read_form(source: FormSource, model: type[F]) -> tuple[F, Picture | None]:
    """Fields and picture together, so one 400 names every bad field."""
    form = source if isinstance(source, Form) else source()
    problems: list[FieldProblem] = []
    fields: F | None = None
    given = form.typed_fields(INTEGER_FIELDS)
    if given.pop(PICTURE_FIELD, None) is not None:
        problems.extend(
            InvalidRequest.fields(
                {PICTURE_FIELD: "must be a file, sent as multipart/form-data"}
            ).errors
        )
    try:
        fields = validated(model, given)
    except InvalidRequest as exc:
        problems.extend(exc.errors)
    picture: Picture | None = None
    for name, upload in form.files.items():
        if name != PICTURE_FIELD:
            problems.extend(InvalidRequest.fields({name: "is not a known field"}).errors)
            continue
        try:
            picture = _picture(upload)
        except InvalidRequest as exc:
            problems.extend(exc.errors)
    if problems or fields is None:
        raise InvalidRequest(f"invalid request: {', '.join(p.field for p in problems)}", problems)
    return fields, picture


def _picture(upload: Upload) -> Picture | None:
    return None if is_empty(upload) else accept_picture(upload)
