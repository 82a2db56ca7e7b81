"""The local HTTP API in front of Cloud Map (localaws/gateways/search_gateway.py), against a fake
Cloud Map and real sockets: routing, no healthy instance, a dead instance taken out."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from localaws.cloud import free_port
from localaws.gateways.search_gateway import SearchGateway
from localaws.provision.deploy import Deployed, Stack

SERVICE_ARN = "arn:aws:servicediscovery:eu-west-2:123456789012:service/srv-abc"


class FakeCloudMap:
    """DiscoverInstances over a dict; records what the gateway reports."""

    class exceptions:
        class InstanceNotFound(Exception):
            pass

    def __init__(self, instances: dict[str, int]) -> None:
        self.health = {i: "HEALTHY" for i in instances}
        self.ports = instances
        self.reported: list[tuple[str, str]] = []

    def get_service(self, Id: str) -> dict[str, Any]:
        return {"Service": {"Name": "search", "NamespaceId": "ns-1"}}

    def get_namespace(self, Id: str) -> dict[str, Any]:
        return {"Namespace": {"Name": "hotel-booking.internal"}}

    def discover_instances(self, **query: str) -> dict[str, Any]:
        assert query == {
            "NamespaceName": "hotel-booking.internal",
            "ServiceName": "search",
            "HealthStatus": "HEALTHY",
        }
        return {
            "Instances": [
                {
                    "InstanceId": i,
                    "Attributes": {"AWS_INSTANCE_IPV4": "127.0.0.1", "AWS_INSTANCE_PORT": str(p)},
                }
                for i, p in self.ports.items()
                if self.health[i] == "HEALTHY"
            ]
        }

    def update_instance_custom_health_status(
        self,
        ServiceId: str,
        InstanceId: str,
        Status: str,
    ) -> None:
        self.reported.append((InstanceId, Status))
        self.health[InstanceId] = Status


def stack() -> Stack:
    def recorded(logical_id: str, ref: str, props: dict[str, Any]) -> Deployed:
        return Deployed(logical_id, "recorded", ref, {}, props)

    api = Deployed(
        "SearchHttpApi",
        "AWS::ApiGatewayV2::Api",
        "api1",
        {},
        {"CorsConfiguration": {"AllowOrigins": ["http://site"], "AllowMethods": ["GET"]}},
    )
    integration = recorded(
        "SearchIntegration",
        "int1",
        {
            "ApiId": "api1",
            "IntegrationType": "HTTP_PROXY",
            "ConnectionType": "VPC_LINK",
            "IntegrationUri": SERVICE_ARN,
            "TimeoutInMillis": 5000,
            "RequestParameters": {"overwrite:header.X-Correlation-Id": "$context.requestId"},
        },
    )
    route = recorded(
        "SearchRoute",
        "route1",
        {"ApiId": "api1", "RouteKey": "GET /search", "Target": "integrations/int1"},
    )
    resources = {r.logical_id: r for r in (api, integration, route)}
    return Stack("hotel-booking", "eu-west-2", {}, resources, {}, None)  # type: ignore[arg-type]


@pytest.fixture
def task() -> Iterator[int]:
    """A stand-in task that answers with the correlation id it was given."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = json.dumps({"path": self.path, "cid": self.headers["X-Correlation-Id"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_dead_instance_is_taken_out_and_the_request_goes_to_the_next(task: int) -> None:
    cloud_map = FakeCloudMap({"dead": free_port(), "alive": task})  # nothing listens on "dead"
    client = Client(SearchGateway(stack(), cloud_map, "SearchHttpApi"))
    answers = [client.get("/search?city=Lisbon") for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert cloud_map.reported == [("dead", "UNHEALTHY")]
    for answer in answers:
        body = answer.get_json()
        assert body["path"] == "/search?city=Lisbon"
        assert body["cid"] == answer.headers["apigw-requestid"]


def test_no_healthy_instance_is_a_503_and_an_unknown_route_a_404(task: int) -> None:
    cloud_map = FakeCloudMap({"alive": task})
    cloud_map.health["alive"] = "UNHEALTHY"
    client = Client(SearchGateway(stack(), cloud_map, "SearchHttpApi"))
    down = client.get("/search", headers={"Origin": "http://site"})
    assert (down.status_code, down.get_json()) == (503, {"message": "Service Unavailable"})
    assert down.headers["Access-Control-Allow-Origin"] == "http://site"
    missing = client.get("/hotels")
    assert (missing.status_code, missing.get_json()) == (404, {"message": "Not Found"})
    assert client.post("/search").status_code == 404
