"""A local HTTP API (API Gateway v2) with Lambda proxy integrations, payload format 2.0.

Routes come from the ``Body`` SAM generates for ``AWS::Serverless::HttpApi`` (OpenAPI 3 with
``x-amazon-apigateway-integration``), after the deployer resolved its intrinsics. Authorizers
are not played: a route with one answers 401 without a bearer token and is otherwise let through
(docs/aws-differences.md).
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from localaws.account import ACCOUNT_ID
from localaws.engine.lambdas import LambdaRuntime, RequestTooLarge
from localaws.provision.deploy import Deployed, Stack

_FUNCTION_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")
INTEGRATION_TIMEOUT = 30  # seconds, an HTTP API's maximum
ANY = "x-amazon-apigateway-any-method"


@dataclass
class HttpRoute:
    path: str
    method: str  # upper case, or ANY
    function_arn: str
    authorized: bool
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.path == "$default":
            self.pattern = re.compile(r"^/.*$")
            return
        regex = re.sub(r"\\\{([^}/+]+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{([^}/]+)\\\}", r"(?P<\1>[^/]+)", regex)
        self.pattern = re.compile(f"^{regex}$")

    @property
    def key(self) -> str:
        return self.path if self.path == "$default" else f"{self.method} {self.path}"


def http_apis(stack: Stack) -> list[Deployed]:
    """The stack's HTTP APIs defined by an OpenAPI body (SAM's ``HttpApi``)."""
    return [api for api in stack.of_type("AWS::ApiGatewayV2::Api") if "Body" in api.properties]


def routes_of(api: Deployed) -> list[HttpRoute]:
    body = api.properties["Body"]
    routes = []
    for path, methods in body.get("paths", {}).items():
        for method, spec in methods.items():
            integration = spec.get("x-amazon-apigateway-integration", {})
            uri = integration.get("uri", "")
            match = _FUNCTION_IN_URI.search(uri) if isinstance(uri, str) else None
            if integration.get("type") != "aws_proxy" or match is None:
                continue
            verb = "ANY" if method == ANY else method.upper()
            routes.append(HttpRoute(path, verb, match.group(1), bool(spec.get("security"))))
    # API Gateway picks the most specific route: exact paths before greedy ones, $default last.
    routes.sort(key=lambda r: (r.path == "$default", "+}" in r.path, r.method == "ANY"))
    return routes


class HttpApiGateway:
    """WSGI app: match the route, build the 2.0 event, invoke, map the response."""

    def __init__(
        self, api: Deployed, runtime: LambdaRuntime, log: Callable[[str], None] = lambda _: None
    ) -> None:
        self.api_id = str(api.ref)
        self.routes = routes_of(api)
        self.runtime = runtime
        self.log = log

    def serves(self, path: str) -> bool:
        return any(r.pattern.match(path) for r in self.routes)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        self.log(f"HTTP API {request.method} {request.path} → {response.status_code}")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        route, match = next(
            (
                (r, m)
                for r in self.routes
                if r.method in (request.method, "ANY") and (m := r.pattern.match(request.path))
            ),
            (None, None),
        )
        if route is None or match is None:
            return _message(404, "Not Found")
        if route.authorized and not request.headers.get("Authorization"):
            return _message(401, "Unauthorized")
        event = self._event(request, route, match.groupdict())
        try:
            payload, is_error, _logs = self.runtime.invoke(
                self.runtime.spec(route.function_arn).name, event, timeout=INTEGRATION_TIMEOUT
            )
        except RequestTooLarge:
            return _message(500, "Internal Server Error")
        if is_error:
            if json.loads(payload).get("errorType") == "Sandbox.Timedout":
                return _message(503, "Service Unavailable")
            return _message(500, "Internal Server Error")
        return _response(json.loads(payload))

    def _event(self, request: Request, route: HttpRoute, params: dict[str, str]) -> dict[str, Any]:
        raw = request.get_data()
        text = raw.decode("utf-8", "replace")
        binary = bool(raw) and text.encode("utf-8") != raw
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        query = {k: ",".join(request.args.getlist(k)) for k in request.args}
        now = time.time()
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": request.path,
            "rawQueryString": request.query_string.decode(),
            "headers": headers,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": self.api_id,
                "domainName": request.host,
                "domainPrefix": request.host.split(".")[0],
                "http": {
                    "method": request.method,
                    "path": request.path,
                    "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                    "sourceIp": request.remote_addr or "127.0.0.1",
                    "userAgent": request.headers.get("User-Agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route.key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "isBase64Encoded": binary,
        }
        if request.cookies:
            event["cookies"] = [f"{k}={v}" for k, v in request.cookies.items()]
        if query:
            event["queryStringParameters"] = query
        if params:
            event["pathParameters"] = params
        if raw:
            event["body"] = base64.b64encode(raw).decode() if binary else text
        return event


def _message(status: int, message: str) -> Response:
    return Response(json.dumps({"message": message}), status, mimetype="application/json")


def _response(result: Any) -> Response:
    """Payload format 2.0: a dict with ``statusCode`` is a response; anything else is the
    JSON body of a 200."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return Response(json.dumps(result), 200, mimetype="application/json")
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    response = Response(data, int(result["statusCode"]))
    response.headers.pop("Content-Type", None)
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response
