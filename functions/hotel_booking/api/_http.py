"""What the REST API functions share: the resolver (CORS and errors), who is calling, and the
request body as JSON or as a multipart form.

Errors are mapped to HTTP by one table (:data:`hotel_booking.http_errors.STATUS_BY_ERROR`,
installed on every resolver here): the logic raises what went wrong, the table says which status
that is. Every error body is
``{"message": ..., "errors": [{"field": ..., "message": ...}]}`` (``errors`` when fields are
to blame), and every response, errors included, carries ``Access-Control-Allow-Origin``.

Nothing here keeps state between functions: each handler module builds its own resolver.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable
from decimal import Decimal
from email import errors as email_errors
from email import policy
from email.message import Message
from email.parser import BytesParser
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_booking import tracing
from hotel_booking.config import base_path_prefixes

# Re-exported: the REST API's handlers and tests name the one table through this module.
from hotel_booking.http_errors import STATUS_BY_ERROR as STATUS_BY_ERROR
from hotel_booking.http_errors import error_body as error_body
from hotel_booking.logic.callers import Caller
from hotel_booking.logic.problems import (
    BodyTooLarge,
    InvalidRequest,
    RequestProblem,
    UnsupportedContentType,
)
from hotel_booking.logic.uploads import MAX_BODY_BYTES, MAX_FORM_PARTS, Form, Upload

ALLOWED_HEADERS = ["Content-Type", "Authorization", "Idempotency-Key"]
CORS_MAX_AGE = 600
ORIGIN_HEADER = "Access-Control-Allow-Origin"


logger = Logger()
tracer = tracing.tracer()


# -- the resolver --------------------------------------------------------------------------
def resolver(allowed_origin: str, base_path: str = "") -> APIGatewayRestResolver:
    """A REST (v1.0 proxy event) resolver with CORS, the error table and the base path."""
    app = APIGatewayRestResolver(
        cors=CORSConfig(
            allow_origin=allowed_origin, allow_headers=ALLOWED_HEADERS, max_age=CORS_MAX_AGE
        ),
        strip_prefixes=base_path_prefixes(base_path),
    )
    for error_class, status in STATUS_BY_ERROR.items():
        app.exception_handler(error_class)(functools.partial(_problem, status))
    app.not_found(_no_such_route)
    app.exception_handler(Exception)(_unexpected)
    return app


def entry_point(
    app: APIGatewayRestResolver, allowed_origin: str
) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The function's Lambda handler: Powertools' context and tracing around :func:`respond`."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return respond(app, event, context, allowed_origin)

    return lambda_handler


def respond(
    app: APIGatewayRestResolver,
    event: dict[str, Any],
    context: LambdaContext,
    allowed_origin: str,
) -> dict[str, Any]:
    """Resolve the event; the CORS header goes on every response, even to a request that
    sent no Origin (Powertools adds it only when one was sent)."""
    result = app.resolve(event, context)
    with_origin_header(result, allowed_origin)
    return result


def with_origin_header(result: dict[str, Any], allowed_origin: str) -> None:
    for field in ("headers", "multiValueHeaders"):
        if any(k.lower() == ORIGIN_HEADER.lower() for k in result.get(field) or {}):
            return
    multi = result.get("multiValueHeaders")
    if isinstance(multi, dict):
        multi[ORIGIN_HEADER] = [allowed_origin]
    else:
        result["headers"] = {**(result.get("headers") or {}), ORIGIN_HEADER: allowed_origin}


def _problem(status: HTTPStatus, exc: RequestProblem) -> Response[Any]:
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.exception("request could not be served", extra={"status": int(status)})
    else:
        logger.info("request refused", extra={"status": int(status), "problem": exc.message})
    return json_response(status, error_body(exc.message, exc.errors))


def _no_such_route(exc: NotFoundError) -> Response[Any]:
    return json_response(HTTPStatus.NOT_FOUND, error_body("Not found"))


def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unexpected error")
    return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, error_body("Internal server error"))


# -- responses -----------------------------------------------------------------------------
def json_response(status: int, body: dict[str, Any]) -> Response[Any]:
    return Response(
        status_code=int(status),
        content_type="application/json",
        body=json.dumps(body, separators=(",", ":")),
        headers={"Cache-Control": "no-store"},
    )


def ok(body: dict[str, Any]) -> Response[Any]:
    return json_response(HTTPStatus.OK, body)


def no_content() -> Response[Any]:
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None, headers={})


# -- the request ---------------------------------------------------------------------------
def caller_of(app: APIGatewayRestResolver) -> Caller | None:
    """The signed-in caller from the Cognito authorizer's claims; None on public routes."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims")
    return Caller.from_claims(claims if isinstance(claims, dict) else None)


def query_of(app: APIGatewayRestResolver) -> dict[str, str]:
    return dict(app.current_event.query_string_parameters or {})


def header(app: APIGatewayRestResolver, name: str) -> str | None:
    value = app.current_event.headers.get(name)
    return None if value is None else str(value)


def body_bytes(app: APIGatewayRestResolver) -> bytes:
    """The body's bytes; 413 first when they are more than any Lambda event can carry (a
    larger one would never reach a function on AWS: the same limit for every client)."""
    event = app.current_event
    body = event.body
    if not body:
        return b""
    size = len(body) * 3 // 4 if event.is_base64_encoded else len(body.encode("utf-8", "replace"))
    if size > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"the request body is about {size} bytes; at most {MAX_BODY_BYTES} are accepted "
            "(a picture at most 4.5 MB)"
        )
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest.fields({"body": "is not valid base64"}) from None
    return body.encode("utf-8", "surrogatepass")


def json_body(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The body as a JSON object (numbers with a fraction as Decimal, never float)."""
    return parse_json_object(body_bytes(app))


def form_body(app: APIGatewayRestResolver) -> Form:
    """A JSON object or a multipart/form-data form, as its Content-Type says."""
    content_type = header(app, "Content-Type") or "application/json"
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        return parse_multipart(body_bytes(app), content_type)
    if media == "application/json" or media.endswith("+json"):
        return Form(fields=json_body(app))
    raise UnsupportedContentType(
        f"Content-Type {media or '(none)'} is not accepted: send application/json "
        "or multipart/form-data"
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_NUMBER_MAX_CHARS = 40
_NUMBER_MAX_EXPONENT = 20


def _decimal(text: str) -> Decimal:
    """A JSON number with a fraction or an exponent, exactly; absurd ones refused up front
    (``1e999999999`` would otherwise become a billion-digit integer further on)."""
    number = Decimal(text)
    if len(text) > _NUMBER_MAX_CHARS or (number and abs(number.adjusted()) > _NUMBER_MAX_EXPONENT):
        raise ValueError(f"the number {text[:_NUMBER_MAX_CHARS]} is out of range")
    return number


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise InvalidRequest.fields({"body": "a JSON object is required"})
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=_decimal, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidRequest.fields({"body": f"is not valid JSON ({exc})"}) from None
    try:
        # "\ud800" is valid JSON but no valid text: nothing downstream could store it.
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest.fields({"body": "contains text that is not valid Unicode"}) from None
    if not isinstance(data, dict):
        raise InvalidRequest.fields({"body": "must be a JSON object"})
    return data


# Defects after which the parts cannot be trusted to be what the browser sent.
_FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.CloseBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)


def _boundary(content_type: str) -> str | None:
    """The Content-Type's boundary parameter, read as the MIME parser will read it."""
    probe = Message()
    try:
        probe["Content-Type"] = content_type
        return probe.get_boundary()
    except Exception:  # a header the parser could not read is the client's
        return None


def parse_multipart(body: bytes, content_type: str) -> Form:
    """A multipart/form-data body, parsed by the standard library's MIME parser.

    The parser reads a whole MIME message, so the request's Content-Type becomes its header.
    Text fields must be UTF-8; files keep every byte.
    """
    bad = InvalidRequest.fields({"body": "is not a well-formed multipart/form-data body"})
    boundary = _boundary(content_type)
    if not boundary:
        raise bad
    # Every part starts with a delimiter line: more of them than a form has parts is refused
    # before the parser spends time on each.
    if body.count(b"--" + boundary.encode("utf-8", "replace")) > MAX_FORM_PARTS + 1:
        raise InvalidRequest.fields({"body": f"has more than {MAX_FORM_PARTS} parts"})
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n"
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(head.encode("utf-8", "replace") + body)
    except Exception:  # the parser is lenient; anything it still cannot read is the client's
        raise bad from None
    if (
        not message.is_multipart()
        or not message.get_boundary()
        or any(isinstance(d, _FATAL_DEFECTS) for d in message.defects)
    ):
        raise bad
    form = Form(multipart=True)
    for part in message.get_payload():
        if not isinstance(part, Message) or part.is_multipart():
            raise bad
        name = part.get_param("name", header="content-disposition")
        if part.get_content_disposition() != "form-data" or not isinstance(name, str) or not name:
            raise bad
        if name in form.fields or name in form.files:
            raise InvalidRequest.fields({name: "is given more than once"})
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            declared = part.get("Content-Type")
            form.files[name] = Upload(
                field=name,
                filename=filename,
                content_type=str(declared) if declared else None,
                data=data,
            )
            continue
        try:
            form.fields[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest.fields({name: "must be UTF-8 text"}) from None
    return form
