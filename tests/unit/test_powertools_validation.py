"""Why the REST API keeps its own body parsing instead of Powertools' ``enable_validation``
(docs/architecture.md, "Request validation"): measured on aws-lambda-powertools 3.37.

Each input below escapes Powertools' validation as an exception, which our API would answer
with a 500; the hostile-input test demands a 4xx for every one. When this test fails,
Powertools has closed the gap: revisit the decision.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, File, Form, UploadFile
from pydantic import BaseModel

BOUNDARY = "XyZ"


class Fields(BaseModel):
    name: str
    rooms: int


app = APIGatewayRestResolver(enable_validation=True)


@app.post("/json")
def json_route(body: Annotated[Fields, Body()]) -> dict[str, Any]:
    return {"name": body.name}


@app.post("/form")
def form_route(
    name: Annotated[str, Form()], picture: Annotated[UploadFile | None, File()] = None
) -> dict[str, Any]:
    return {"name": name}


def _event(path: str, body: str, content_type: str, b64: bool = False) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": content_type},
        "multiValueHeaders": {"Content-Type": [content_type]},
        "requestContext": {"resourcePath": path, "httpMethod": "POST", "path": path},
        "body": body,
        "isBase64Encoded": b64,
    }


def _part(name: bytes, data: bytes) -> bytes:
    head = b'--XyZ\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n'
    return head + data + b"\r\n"


def _multipart(*parts: bytes) -> dict[str, Any]:
    body = base64.b64encode(b"".join(parts) + b"--XyZ--").decode()
    return _event("/form", body, f"multipart/form-data; boundary={BOUNDARY}", b64=True)


ESCAPES = {
    "a 5,000-digit integer": _event(
        "/json", '{"name":"a","rooms":' + "9" * 5000 + "}", "application/json"
    ),
    "multipart without a boundary": _event(
        "/form", base64.b64encode(b"junk").decode(), "multipart/form-data", b64=True
    ),
    "a text field that is not UTF-8": _multipart(_part(b"name", b"\xff\xfe")),
    "a part header that is not UTF-8": _multipart(_part(b"n\xe9", b"x")),
    "multipart, not base64, with a non-Latin-1 character": _event(
        "/form",
        (_part(b"name", "€".encode()) + b"--XyZ--").decode(),
        f"multipart/form-data; boundary={BOUNDARY}",
    ),
}


@pytest.mark.parametrize("event", ESCAPES.values(), ids=list(ESCAPES))
def test_these_inputs_escape_powertools_validation_as_exceptions(event: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            app.resolve(event, None)  # type: ignore[arg-type]


def test_these_inputs_pass_validation_that_our_api_refuses() -> None:
    twice = app.resolve(_multipart(_part(b"name", b"a"), _part(b"name", b"b")), None)  # type: ignore[arg-type]
    surrogate = app.resolve(
        _event("/json", '{"name":"\\ud800","rooms":1}', "application/json"),
        None,  # type: ignore[arg-type]
    )
    assert twice["statusCode"] == 200  # ours: 400 "is given more than once"
    assert surrogate["statusCode"] == 200  # ours: 400, no store could keep it
    assert json.loads(surrogate["body"]) == {"name": "\ud800"}
