"""template.yaml's search service: what ECS Fargate, Cloud Map and the HTTP API need, and
no way out of the VPC but the endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localaws.provision.template import Template, load_template

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def resources() -> dict[str, dict[str, Any]]:
    template: Template = load_template(ROOT / "template.yaml", "eu-west-2")
    return template.resources


def of_type(resources: dict[str, dict[str, Any]], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == type_}


def test_no_route_leaves_the_vpc_except_through_endpoints(
    resources: dict[str, dict[str, Any]],
) -> None:
    types = {r["Type"] for r in resources.values()}
    assert not types & {"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::Route"}
    endpoints = of_type(resources, "AWS::EC2::VPCEndpoint")
    services = {
        p["ServiceName"]["Fn::Sub"].split("${AWS::Region}.")[1]: p["VpcEndpointType"]
        for p in endpoints.values()
    }
    assert services == {
        "dynamodb": "Gateway",
        "s3": "Gateway",
        "ecr.api": "Interface",
        "ecr.dkr": "Interface",
        "logs": "Interface",
    }
    subnets = of_type(resources, "AWS::EC2::Subnet")
    assert len(subnets) == 2
    assert all(not p.get("MapPublicIpOnLaunch") for p in subnets.values())


def test_the_task_is_fargate_arm64_logging_to_cloudwatch(
    resources: dict[str, dict[str, Any]],
) -> None:
    (task,) = of_type(resources, "AWS::ECS::TaskDefinition").values()
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert task["NetworkMode"] == "awsvpc"
    assert task["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    (container,) = task["ContainerDefinitions"]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    assert container["ReadonlyRootFilesystem"] is True
    assert container["User"] != "0"
    assert {p["ContainerPort"] for p in container["PortMappings"]} == {8000}


def test_the_service_registers_in_a_private_dns_namespace_and_scales_on_cpu(
    resources: dict[str, dict[str, Any]],
) -> None:
    (service,) = of_type(resources, "AWS::ECS::Service").values()
    (registry,) = service["ServiceRegistries"]
    assert registry["RegistryArn"] == {"Fn::GetAtt": ["SearchDiscoveryService", "Arn"]}
    assert (registry["ContainerName"], registry["ContainerPort"]) == ("search", 8000)
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    discovery = resources["SearchDiscoveryService"]["Properties"]
    assert discovery["DnsConfig"]["DnsRecords"][0]["Type"] == "SRV"
    assert resources[discovery["NamespaceId"]["Ref"]]["Type"] == (
        "AWS::ServiceDiscovery::PrivateDnsNamespace"
    )
    (policy,) = of_type(resources, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ECSServiceAverageCPUUtilization"
    )


def test_the_http_api_reaches_cloud_map_over_a_vpc_link_and_search_is_public(
    resources: dict[str, dict[str, Any]],
) -> None:
    (integration,) = of_type(resources, "AWS::ApiGatewayV2::Integration").values()
    assert integration["ConnectionType"] == "VPC_LINK"
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["SearchDiscoveryService", "Arn"]}
    (route,) = of_type(resources, "AWS::ApiGatewayV2::Route").values()
    assert (route["RouteKey"], route["AuthorizationType"]) == ("GET /search", "NONE")
    (authorizer,) = of_type(resources, "AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"]["Audience"] == [{"Ref": "UserPoolClient"}]
