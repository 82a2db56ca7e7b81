"""API Gateway REST (v1.0) proxy events, as the Cognito-authorized API hands them to a function.

Claims are strings, as REST APIs pass them (``cognito:groups`` comma-separated by default;
pass a list or ``"[Admin HotelManager]"`` to try the other shapes). Bodies: a dict becomes
JSON, ``bytes`` go base64-encoded with ``isBase64Encoded: true`` (binary media types).
"""

from __future__ import annotations

import base64
import json
import re
import struct
import uuid
import zlib
from typing import Any

from localaws.stack import multipart

ROUTES = (
    "/hotels",
    "/hotels/{hotelId}",
    "/bookings",
    "/bookings/{bookingId}",
    "/bookings/{bookingId}/decision",
)


def _resource(path: str) -> tuple[str, dict[str, str] | None]:
    for route in ROUTES:
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route)) + "$"
        match = re.match(pattern, path)
        if match:
            return route, match.groupdict() or None
    return path, None


def claims(
    sub: str,
    email: str,
    groups: str | list[str] | None = None,
    email_verified: str = "true",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sub": sub,
        "email": email,
        "email_verified": email_verified,
        "cognito:username": sub,
        "token_use": "id",
        "aud": "test-client",
        "iss": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test",
    }
    if groups is not None:
        out["cognito:groups"] = groups
    return out


ADMIN = claims("admin-sub", "admin@example.com", "Admin")


def guest(name: str) -> dict[str, Any]:
    return claims(f"{name}-sub", f"{name}@example.com")


def manager(email: str, groups: str | list[str] = "HotelManager") -> dict[str, Any]:
    return claims(f"{email.split('@')[0]}-sub", email, groups)


def rest_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    resource, path_parameters = _resource(path)
    all_headers = {"Host": "api.example.com", "User-Agent": "tests", **(headers or {})}
    is_base64 = False
    if isinstance(body, bytes):
        text: str | None = base64.b64encode(body).decode()
        is_base64 = True
    elif isinstance(body, (dict, list)):
        text = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    else:
        text = body
    context: dict[str, Any] = {
        "resourcePath": resource,
        "httpMethod": method,
        "path": f"/Prod{path}",
        "stage": "Prod",
        "requestId": str(uuid.uuid4()),
        "accountId": "123456789012",
        "apiId": "testapi",
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "tests"},
    }
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": is_base64,
    }


def form_event(
    method: str,
    path: str,
    fields: dict[str, str],
    files: list[tuple[str, str, str, bytes]] | None = None,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body, content_type = multipart(fields, files)
    return rest_event(
        method, path, body=body, headers={"Content-Type": content_type}, claims=claims
    )


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    """A real PNG image, made with zlib and struct."""
    row = b"\x00" + bytes(rgb) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
