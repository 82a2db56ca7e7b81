"""The local HTTP API (``AWS::ApiGatewayV2::Api``) in front of an ECS service found in Cloud Map.

Its routes, CORS and integration come from the deployed template: a route (e.g. ``GET /search``)
whose integration (``HTTP_PROXY`` over a VPC link) targets a Cloud Map service. Each request
asks Cloud Map for the healthy instances (``DiscoverInstances``, as API Gateway does), picks
the next one in turn, and forwards the request with the integration's request parameters
(``X-Correlation-Id`` = the request id). An instance that refuses the connection is marked
UNHEALTHY in Cloud Map and the request goes to the next one: unlike AWS, which answers that
request 503 and stops sending to the task only once ECS has marked it (docs/aws-differences.md).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from werkzeug.wrappers import Request, Response

from localaws.provision.deploy import Stack

DISCOVERY_TTL = 1.0  # seconds an answer of DiscoverInstances is reused
FORWARDED_HEADERS = ("accept", "accept-language", "authorization", "user-agent")
RETURNED_HEADERS = ("content-type", "retry-after", "x-correlation-id", "cache-control")


def discovery_client(endpoint: str, region: str) -> Any:
    """A Cloud Map client for the emulator. DiscoverInstances goes to ``data-servicediscovery``:
    botocore prefixes the host, which a loopback endpoint cannot have (moto answers at the
    plain address); AWS_DISABLE_HOST_PREFIX_INJECTION would do the same for the whole process."""
    return boto3.client(
        "servicediscovery",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 2, "mode": "standard"}),
    )


@dataclass(frozen=True)
class Instance:
    id: str
    host: str
    port: int


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str
    service_id: str
    timeout: float
    request_parameters: dict[str, str]


class NoHealthyInstance(Exception):
    pass


class SearchGateway:
    """A WSGI app: the HTTP API's routes to Cloud Map services."""

    def __init__(
        self,
        stack: Stack,
        discovery: Any,
        api_logical_id: str,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self._sd = discovery
        self._log = log or (lambda line: None)
        api = stack.resources[api_logical_id]
        self.cors: dict[str, Any] = api.properties.get("CorsConfiguration", {})
        self.routes = list(_routes(stack, api.ref))
        self._names: dict[str, tuple[str, str]] = {}
        self._cache: dict[str, tuple[float, list[Instance]]] = {}
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._pool: dict[tuple[str, int], list[http.client.HTTPConnection]] = {}

    # -- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        if _query_bytes(request) is None:
            # A raw byte in the query that is not UTF-8 (not percent-encoded): API Gateway
            # refuses the request itself with a 400, before any integration.
            origin = request.headers.get("Origin")
            response = self._with_cors(_json(400, '{"message":"Bad Request"}'), origin)
            response.headers["apigw-requestid"] = request_id
            self._log(f"HTTP {request.method} {request.path} → 400 (query is not UTF-8)")
            return response(environ, start_response)
        response, served_by = self.handle(request, request_id)
        response.headers["apigw-requestid"] = request_id
        self._log(
            f"HTTP {request.method} {request.full_path.rstrip('?')} → {response.status_code} "
            f"({served_by}, {(time.perf_counter() - started) * 1000:.0f} ms)"
        )
        return response(environ, start_response)

    def handle(self, request: Request, request_id: str) -> tuple[Response, str]:
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            return self._preflight(origin), "preflight"
        route = next(
            (r for r in self.routes if r.method == request.method and r.path == request.path),
            None,
        )
        if route is None:
            return self._with_cors(_json(404, '{"message":"Not Found"}'), origin), "no route"
        try:
            response, served_by = self._forward(route, request, request_id)
        except NoHealthyInstance:
            return (
                self._with_cors(_json(503, '{"message":"Service Unavailable"}'), origin),
                "no healthy instance",
            )
        except TimeoutError:
            return self._with_cors(_json(504, '{"message":"Gateway Timeout"}'), origin), "timeout"
        return self._with_cors(response, origin), served_by

    # -- discovery ------------------------------------------------------------------------
    def healthy(self, service_id: str) -> list[Instance]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(service_id)
            if cached and now - cached[0] < DISCOVERY_TTL:
                return cached[1]
        namespace, service = self._name_of(service_id)
        found = self._sd.discover_instances(
            NamespaceName=namespace, ServiceName=service, HealthStatus="HEALTHY"
        )["Instances"]
        instances = [
            Instance(
                i["InstanceId"],
                i["Attributes"]["AWS_INSTANCE_IPV4"],
                int(i["Attributes"]["AWS_INSTANCE_PORT"]),
            )
            for i in found
        ]
        with self._lock:
            self._cache[service_id] = (now, instances)
        return instances

    def take_out(self, service_id: str, instance: Instance, reason: str) -> None:
        """Mark an instance UNHEALTHY in Cloud Map: no one discovers it any more."""
        self._log(f"HTTP {instance.id} taken out: {reason}")
        with self._lock:
            cached = self._cache.get(service_id)
            if cached:
                self._cache[service_id] = (cached[0], [i for i in cached[1] if i != instance])
            for conn in self._pool.pop((instance.host, instance.port), []):
                conn.close()
        # InstanceNotFound: already deregistered (ECS saw the task stop).
        with contextlib.suppress(self._sd.exceptions.InstanceNotFound):
            self._sd.update_instance_custom_health_status(
                ServiceId=service_id, InstanceId=instance.id, Status="UNHEALTHY"
            )

    def _name_of(self, service_id: str) -> tuple[str, str]:
        if service_id not in self._names:
            service = self._sd.get_service(Id=service_id)["Service"]
            namespace = self._sd.get_namespace(Id=service["NamespaceId"])["Namespace"]
            self._names[service_id] = (namespace["Name"], service["Name"])
        return self._names[service_id]

    # -- forwarding -----------------------------------------------------------------------
    def _forward(self, route: HttpRoute, request: Request, request_id: str) -> tuple[Response, str]:
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        for target, value in route.request_parameters.items():
            action, _, name = target.partition(":header.")
            if action in ("overwrite", "append") and value == "$context.requestId":
                headers[name] = request_id
        query = _forwarded_query(_query_bytes(request) or b"")
        path = f"{request.path}?{query}" if query else request.path
        tried: set[Instance] = set()
        while True:
            candidates = [i for i in self.healthy(route.service_id) if i not in tried]
            if not candidates:
                raise NoHealthyInstance(route.service_id)
            instance = candidates[next(self._turn) % len(candidates)]
            tried.add(instance)
            try:
                status, reply_headers, body = self._send(instance, path, headers, route.timeout)
            except TimeoutError:
                raise  # a slow instance is not a dead one: 504, as API Gateway answers
            except (OSError, http.client.HTTPException) as exc:
                # Refused, reset, or cut off mid-answer: the task is gone. GET is safe to
                # send again, so the next instance answers this same request.
                self.take_out(route.service_id, instance, type(exc).__name__)
                continue
            response = Response(body, status=status)
            for name, value in reply_headers:
                if name.lower() in RETURNED_HEADERS:
                    response.headers[name] = value
            return response, instance.id

    def _send(
        self, instance: Instance, path: str, headers: dict[str, str], timeout: float
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """GET over a kept-alive connection; a stale one (closed by the server while idle) is
        retried once on a new connection before the instance is blamed."""
        key = (instance.host, instance.port)
        for fresh in (False, True):
            conn = None if fresh else self._pooled(key)
            if conn is None:
                conn = http.client.HTTPConnection(instance.host, instance.port, timeout=timeout)
                fresh = True
            try:
                conn.request("GET", path, headers=headers)
                reply = conn.getresponse()
                body = reply.read()
            except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
                conn.close()
                if fresh:
                    raise
                continue
            except (OSError, http.client.HTTPException):
                conn.close()
                raise
            with self._lock:
                self._pool.setdefault(key, []).append(conn)
            return reply.status, reply.getheaders(), body
        raise ConnectionResetError(f"{instance.id}: connection lost")  # pragma: no cover

    def _pooled(self, key: tuple[str, int]) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._pool.get(key)
            return idle.pop() if idle else None

    # -- CORS (the API's CorsConfiguration) ----------------------------------------------------
    def _allowed(self, origin: str | None) -> bool:
        allowed = self.cors.get("AllowOrigins", [])
        return origin is not None and (origin in allowed or "*" in allowed)

    def _with_cors(self, response: Response, origin: str | None) -> Response:
        if self._allowed(origin):
            assert origin is not None
            response.headers["Access-Control-Allow-Origin"] = origin
            exposed = self.cors.get("ExposeHeaders")
            if exposed:
                response.headers["Access-Control-Expose-Headers"] = ",".join(exposed)
        return response

    def _preflight(self, origin: str | None) -> Response:
        response = Response(status=204)
        if self._allowed(origin):
            assert origin is not None
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = ",".join(
                self.cors.get("AllowMethods", [])
            )
            response.headers["Access-Control-Allow-Headers"] = ",".join(
                self.cors.get("AllowHeaders", [])
            )
            if "MaxAge" in self.cors:
                response.headers["Access-Control-Max-Age"] = str(self.cors["MaxAge"])
        return response


def _query_bytes(request: Request) -> bytes | None:
    """The query string's bytes as the client sent them; None when they are not UTF-8.

    werkzeug's server reads the request line as Latin-1 and hands it to the app UTF-8
    encoded, so ``query_string`` is the UTF-8 of one character per byte sent."""
    try:
        raw = request.query_string.decode("utf-8").encode("latin-1")
        raw.decode("utf-8")
    except UnicodeError:
        return None
    return raw


def _forwarded_query(raw: bytes) -> str:
    """Bytes outside printable ASCII percent-encoded, as a URL must carry them (http.client
    refuses anything else); the rest exactly as sent."""
    return "".join(chr(b) if 0x20 < b < 0x7F else f"%{b:02X}" for b in raw)


def _json(status: int, body: str) -> Response:
    return Response(body, status=status, content_type="application/json")


def _routes(stack: Stack, api_id: str) -> Iterable[HttpRoute]:
    """The API's routes whose integration targets a Cloud Map service over a VPC link."""
    integrations = {
        r.ref: r.properties
        for r in stack.resources.values()
        if r.type == "recorded"
        and r.properties.get("ApiId") == api_id
        and "IntegrationType" in r.properties
    }
    for r in stack.resources.values():
        props = r.properties
        if props.get("ApiId") != api_id or "RouteKey" not in props:
            continue
        integration = integrations[str(props["Target"]).removeprefix("integrations/")]
        uri = str(integration["IntegrationUri"])
        if integration.get("ConnectionType") != "VPC_LINK" or ":servicediscovery:" not in uri:
            continue
        method, _, path = str(props["RouteKey"]).partition(" ")
        yield HttpRoute(
            method=method,
            path=path,
            service_id=uri.rsplit("/", 1)[-1],
            timeout=int(integration.get("TimeoutInMillis", 30000)) / 1000,
            request_parameters=dict(integration.get("RequestParameters", {})),
        )
