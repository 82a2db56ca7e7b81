"""A local API Gateway (REST, v1.0 proxy events) serving the API defined in template.yaml.

The routes, authorizers, CORS preflights, gateway responses and binary media types all come
from the RestApi ``Body`` that SAM generates (OpenAPI 2.0 with ``x-amazon-apigateway-*``
extensions), after the deployer resolved its intrinsics. Nothing here lists the routes again.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from localaws.engine.lambdas import LambdaRuntime, RequestTooLarge
from localaws.gateways.throttling import TOO_MANY, StageThrottle
from localaws.provision.deploy import Stack

_FUNCTION_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")
INTEGRATION_TIMEOUT = 29  # seconds, API Gateway's default maximum
LISTEN_BACKLOG = 1024  # connections waiting to be accepted (the kernel caps it at somaxconn)
# REST API quotas (not adjustable): payload size 10 MB; "total combined size of request line
# and header values" 10240 bytes. Over either, API Gateway answers its REQUEST_TOO_LARGE
# gateway response: 413 {"message":"Request Too Long"} with the DEFAULT_4XX headers.
PAYLOAD_LIMIT = 10 * 1024 * 1024
HEADER_LIMIT = 10240
TOO_LARGE = "Request Too Long"


@dataclass
class Route:
    path: str
    method: str
    function_arn: str | None
    authorizer: str | None
    mock_headers: dict[str, str] = field(default_factory=dict)
    #: The method's OAuth scopes (its ``security`` entry's list; SAM's AuthorizationScopes).
    scopes: list[str] = field(default_factory=list)
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{([^}/+]+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{([^}/]+)\\\}", r"(?P<\1>[^/]+)", regex)
        self.pattern = re.compile(f"^{regex}$")


@dataclass
class Authorizer:
    name: str
    header: str
    user_pool_ids: list[str]


@dataclass
class RestApiDefinition:
    api_id: str
    stage: str
    routes: list[Route]
    authorizers: dict[str, Authorizer]
    gateway_headers: dict[str, dict[str, str]]
    binary_media_types: list[str]

    @classmethod
    def from_stack(cls, stack: Stack, logical_id: str) -> RestApiDefinition:
        api = stack.resources[logical_id]
        body = api.properties["Body"]
        stages = [
            r.ref
            for r in stack.of_type("AWS::ApiGateway::Stage")
            if r.properties.get("RestApiId") == api.ref
        ]
        routes = []
        for path, methods in body.get("paths", {}).items():
            for method, spec in methods.items():
                integration = spec.get("x-amazon-apigateway-integration", {})
                security = [(k, v) for item in spec.get("security", []) for k, v in item.items()]
                authorizer, scopes = next(
                    ((k, list(v or [])) for k, v in security if k != "NONE"), (None, [])
                )
                function_arn = None
                mock_headers: dict[str, str] = {}
                if integration.get("type") == "aws_proxy":
                    match = _FUNCTION_IN_URI.search(integration["uri"])
                    function_arn = match.group(1) if match else None
                elif integration.get("type") == "mock":
                    params = integration.get("responses", {}).get("default", {})
                    for key, value in params.get("responseParameters", {}).items():
                        mock_headers[key.rsplit(".", 1)[-1]] = _unquote(value)
                routes.append(
                    Route(path, method.upper(), function_arn, authorizer, mock_headers, scopes)
                )
        authorizers = {}
        for name, spec in body.get("securityDefinitions", {}).items():
            auth = spec.get("x-amazon-apigateway-authorizer", {})
            if auth.get("type") == "cognito_user_pools":
                authorizers[name] = Authorizer(
                    name,
                    spec.get("name", "Authorization"),
                    [arn.rsplit("/", 1)[1] for arn in auth.get("providerARNs", [])],
                )
        gateway_headers = {
            kind: {
                k.rsplit(".", 1)[-1]: _unquote(v)
                for k, v in spec.get("responseParameters", {}).items()
            }
            for kind, spec in body.get("x-amazon-apigateway-gateway-responses", {}).items()
        }
        return cls(
            api_id=api.ref,
            stage=stages[0] if stages else "Prod",
            routes=routes,
            authorizers=authorizers,
            gateway_headers=gateway_headers,
            binary_media_types=list(body.get("x-amazon-apigateway-binary-media-types", [])),
        )


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


class TokenVerifier:
    """What API Gateway's Cognito authorizer checks: signature, issuer, audience, expiry."""

    def __init__(self, cognito_endpoint: str, region: str, client_ids: Callable[[str], set[str]]):
        self._endpoint = cognito_endpoint
        self._region = region
        self._client_ids = client_ids
        self._keys: dict[str, KeySet] = {}
        self._clients: dict[str, tuple[float, set[str]]] = {}
        self._lock = threading.Lock()

    def _audiences(self, pool_id: str) -> set[str]:
        """The pool's app client ids, looked up at most every 30 s (not on every request)."""
        with self._lock:
            cached = self._clients.get(pool_id)
            if cached and time.monotonic() - cached[0] < 30:
                return cached[1]
        ids = self._client_ids(pool_id)
        with self._lock:
            self._clients[pool_id] = (time.monotonic(), ids)
        return ids

    def _keyset(self, pool_id: str) -> KeySet:
        with self._lock:
            if pool_id not in self._keys:
                url = f"{self._endpoint}/{pool_id}/.well-known/jwks.json"
                with urllib.request.urlopen(url, timeout=5) as resp:  # loopback only
                    self._keys[pool_id] = KeySet.import_key_set(json.load(resp))
            return self._keys[pool_id]

    def verify(self, token: str, pool_ids: Iterable[str]) -> dict[str, Any] | None:
        if token.lower().startswith("bearer "):
            token = token[7:]
        for pool_id in pool_ids:
            try:
                claims = dict(jwt.decode(token, self._keyset(pool_id)).claims)
            except Exception:
                continue
            issuer = f"https://cognito-idp.{self._region}.amazonaws.com/{pool_id}"
            if claims.get("iss") != issuer:
                continue
            if float(claims.get("exp", 0)) <= time.time():
                return None
            audience = claims.get("aud") if claims.get("token_use") == "id" else None
            audience = audience or claims.get("client_id")
            if audience not in self._audiences(pool_id):
                return None
            return claims
        return None


def _token_fits(claims: dict[str, Any], scopes: list[str]) -> bool:
    """A Cognito authorizer takes an ID token on a method without OAuth scopes, and an access
    token carrying one of the method's scopes on a method with them; never the other kind."""
    if not scopes:
        return claims.get("token_use") == "id"
    granted = str(claims.get("scope", "")).split()
    return claims.get("token_use") == "access" and any(s in granted for s in scopes)


def _claims_as_api_gateway_gives_them(claims: dict[str, Any]) -> dict[str, str]:
    """REST API authorizers hand claims to the function as strings."""
    out: dict[str, str] = {}
    for key, value in claims.items():
        if isinstance(value, list):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[key] = str(value).lower()
        else:
            out[key] = str(value)
    return out


@dataclass(eq=False)
class ApiGateway:
    """WSGI app: match the route, authorize, build the proxy event, invoke, map the response."""

    api: RestApiDefinition
    runtime: LambdaRuntime
    verifier: TokenVerifier
    region: str
    log: Callable[[str], None] = lambda line: None
    #: The stage's throttling (throttling.py); None: no limit.
    throttle: StageThrottle | None = None
    #: Told (status, latency in ms) of every answer: the stage's CloudWatch metrics.
    on_request: Callable[[int, float], None] | None = None

    def serves(self, path: str) -> bool:
        """Whether a route of this API matches ``path`` (several APIs can share a port)."""
        return any(r.pattern.match(path) for r in self.api.routes)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        response = self.handle(request)
        if self.on_request is not None:
            self.on_request(response.status_code, (time.perf_counter() - started) * 1000)
        self.log(
            f"API {request.method} {_logged_target(request)} → {response.status_code} "
            f"({(time.perf_counter() - started) * 1000:.0f} ms)"
        )
        return response(environ, start_response)

    # -- request handling -----------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        try:
            raw = _body_within_limit(request) if _header_bytes(request) <= HEADER_LIMIT else None
        except (OSError, ValueError, HTTPException):
            # A chunked body that breaks its framing (werkzeug: "Invalid chunk header", a
            # client gone mid-chunk): API Gateway's front end answers 400, never the API.
            return self._gateway(400, "Bad Request")
        if raw is None:
            return self._gateway(413, TOO_LARGE)
        path = request.path
        candidates = [(r, r.pattern.match(path)) for r in self.api.routes]
        matching = [(r, m) for r, m in candidates if m]
        route, match = next(
            ((r, m) for r, m in matching if r.method == request.method),
            next(((r, m) for r, m in matching if r.method == "ANY"), (None, None)),
        )
        if route is None or match is None:
            return self._gateway(403, "Missing Authentication Token")
        if self.throttle is not None and not self.throttle.allow(route.path, request.method):
            return self._gateway(429, TOO_MANY)
        if route.function_arn is None:
            return Response(b"{}", 200, headers=route.mock_headers, mimetype="application/json")
        claims: dict[str, str] | None = None
        if route.authorizer:
            authorizer = self.api.authorizers.get(route.authorizer)
            token = request.headers.get(authorizer.header if authorizer else "Authorization")
            if authorizer is None or not token:
                return self._gateway(401, "Unauthorized")
            verified = self.verifier.verify(token, authorizer.user_pool_ids)
            if verified is None or not _token_fits(verified, route.scopes):
                return self._gateway(401, "Unauthorized")
            claims = _claims_as_api_gateway_gives_them(verified)
        event = self._event(request, raw, route, match.groupdict(), claims)
        try:
            payload, is_error, _logs = self.runtime.invoke(
                self.runtime.spec(route.function_arn).name, event, timeout=INTEGRATION_TIMEOUT
            )
        except RequestTooLarge:
            # Lambda refused the event (over 6 MB): API Gateway's answer to a failed invoke.
            return self._gateway(502, "Internal server error")
        if is_error:
            error = json.loads(payload)
            if error.get("errorType") == "Sandbox.Timedout":
                return self._gateway(504, "Endpoint request timed out")
            return self._gateway(502, "Internal server error")
        return self._response(payload)

    def _event(
        self,
        request: Request,
        raw: bytes,
        route: Route,
        path_parameters: dict[str, str],
        claims: dict[str, str] | None,
    ) -> dict[str, Any]:
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        binary = any(
            _media_matches(content_type, pattern) for pattern in self.api.binary_media_types
        )
        if raw and (binary or not _is_text(raw)):
            body: str | None = base64.b64encode(raw).decode()
            is_base64 = True
        else:
            body = raw.decode() if raw else None
            is_base64 = False
        headers = {k: v for k, v in request.headers.items()}
        multi_headers: dict[str, list[str]] = {}
        for key, value in request.headers.items():
            multi_headers.setdefault(key, []).append(value)
        query = {k: v for k, v in request.args.items()} or None
        multi_query = {k: request.args.getlist(k) for k in request.args} or None
        now = time.time()
        context: dict[str, Any] = {
            "resourceId": route.path,
            "resourcePath": route.path,
            "httpMethod": request.method,
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{self.api.stage}{request.path}",
            "accountId": "123456789012",
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": self.api.stage,
            "domainPrefix": self.api.api_id,
            "requestTimeEpoch": int(now * 1000),
            "requestId": str(uuid.uuid4()),
            "identity": {
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "domainName": request.host,
            "apiId": self.api.api_id,
        }
        if claims is not None:
            context["authorizer"] = {"claims": claims}
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def _response(self, payload: str) -> Response:
        try:
            result = json.loads(payload)
            status = int(result["statusCode"])
        except (ValueError, KeyError, TypeError):
            return self._gateway(502, "Internal server error")
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(data, status)
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = str(value)
        for key, values in (result.get("multiValueHeaders") or {}).items():
            response.headers.remove(key)
            for value in values:
                response.headers.add(key, str(value))
        return response

    def _gateway(self, status: int, message: str) -> Response:
        """A response API Gateway itself makes, with the template's gateway response headers."""
        return Response(
            json.dumps({"message": message}),
            status,
            headers=self.gateway_headers(status),
            mimetype="application/json",
        )

    def gateway_headers(self, status: int) -> dict[str, str]:
        kind = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        headers = dict(self.api.gateway_headers.get(kind, {}))
        error_type = {
            401: "UnauthorizedException",
            403: "MissingAuthenticationTokenException",
            429: "TooManyRequestsException",
            502: "InternalServerErrorException",
            504: "IntegrationTimeout",
        }.get(status)
        if error_type:
            headers["x-amzn-ErrorType"] = error_type
        return headers


#: Query parameters whose values are secrets: a signed link's signature is a credential.
_SECRET_PARAMETERS = re.compile(r"(^|&)(sig=)[^&]*")


def _logged_target(request: Request) -> str:
    """The path and query as the log prints them: secrets (``sig``) redacted."""
    query = _SECRET_PARAMETERS.sub(r"\1\2[redacted]", request.query_string.decode("latin-1"))
    return f"{request.path}?{query}" if query else request.path


def _header_bytes(request: Request) -> int:
    """Request line plus header lines, as sent (names, values, separators)."""
    environ = request.environ
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI") or request.full_path
    line = f"{request.method} {target} {environ.get('SERVER_PROTOCOL', 'HTTP/1.1')}"
    return len(line) + sum(len(k) + len(v) + 4 for k, v in request.headers.items())


def _body_within_limit(request: Request) -> bytes | None:
    """The body, or None when it is over the payload quota (the rest is read and dropped,
    so that the client, still sending, gets the answer rather than a reset connection)."""
    stream = request.stream
    if request.content_length is not None and request.content_length <= PAYLOAD_LIMIT:
        return request.get_data()
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(1 << 16):
        size += len(chunk)
        if size > PAYLOAD_LIMIT:
            while stream.read(1 << 16):
                pass
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _media_matches(content_type: str, pattern: str) -> bool:
    if pattern == "*/*":
        return True
    if pattern.endswith("/*"):
        return content_type.startswith(pattern[:-1])
    return content_type == pattern


def _is_text(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class GatewayRequestHandler(WSGIRequestHandler):
    """http.server refuses a header line over 64 KiB (or over 100 header lines) itself, with
    an HTML 431, before any WSGI app runs; API Gateway answers those as it answers any request
    over its header quota."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        app = self.server.app
        if code != HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE or not isinstance(app, ApiGateway):
            super().send_error(code, message, explain)
            return
        body = json.dumps({"message": TOO_LARGE}).encode()
        self.log_error("code %d, message %s", code, message)
        self.send_response(413)
        for key, value in app.gateway_headers(413).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


def serve(app: Any, host: str, port: int) -> BaseWSGIServer:
    """A real threaded HTTP server on loopback, started on its own thread."""
    handler = GatewayRequestHandler if isinstance(app, ApiGateway) else None
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    # werkzeug listens with a backlog of 128: a burst of guests connecting at once (issue 13
    # asks for 500) would overflow it and see connections reset. API Gateway accepts them all.
    server.socket.listen(LISTEN_BACKLOG)
    threading.Thread(target=server.serve_forever, name=f"http-{port}", daemon=True).start()
    return server
