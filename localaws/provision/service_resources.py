"""Deployer creators for a long-running service's resources (ECS on Fargate behind an HTTP API).

Cloud Map is emulated (moto's servicediscovery): the namespace and service are created there,
so the local "ECS" (localaws.gateways.ecs_tasks) registers each task in them and the local
HTTP API (localaws.gateways.search_gateway) discovers them with DiscoverInstances, as on AWS.
The network (VPC,
subnets, endpoints, security groups), ECS, autoscaling and the HTTP API's own resources have
nothing to emulate on one machine: they are recorded, with the Ref and attributes other
resources read, and localaws reads their properties (the task definition's environment, the
service's desired count, the API's CORS) to run the service as declared.
"""

from __future__ import annotations

from typing import Any

from localaws.provision.registry import Deployed, Deploying, api_call, creates, local_id


# -- Cloud Map (emulated) ---------------------------------------------------------------------
@creates("AWS::ServiceDiscovery::PrivateDnsNamespace")
def _namespace(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    sd = d.client("servicediscovery")
    operation = api_call(d, "servicediscovery", "CreatePrivateDnsNamespace", props)["OperationId"]
    namespace_id = sd.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"]
    namespace = sd.get_namespace(Id=namespace_id)["Namespace"]
    hosted_zone = namespace.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId", "")
    return Deployed(
        logical_id,
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        namespace_id,
        {"Id": namespace_id, "Arn": namespace["Arn"], "HostedZoneId": hosted_zone},
    )


@creates("AWS::ServiceDiscovery::Service")
def _discovery_service(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    named = {"Name": d.physical_name(logical_id, 127), **props}
    service = api_call(d, "servicediscovery", "CreateService", named)["Service"]
    return Deployed(
        logical_id,
        "AWS::ServiceDiscovery::Service",
        service["Id"],
        {"Id": service["Id"], "Arn": service["Arn"], "Name": service["Name"]},
    )


# -- recorded: the network ------------------------------------------------------------------
@creates("AWS::EC2::VPC")
def _vpc(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    vpc = local_id(d, logical_id, "vpc-")
    attrs = {"VpcId": vpc, "CidrBlock": props.get("CidrBlock", ""), "DefaultSecurityGroup": ""}
    return Deployed(logical_id, "AWS::EC2::VPC", vpc, attrs)


@creates("AWS::EC2::Subnet")
def _subnet(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    subnet = local_id(d, logical_id, "subnet-")
    attrs = {"SubnetId": subnet, "VpcId": props["VpcId"], "AvailabilityZone": ""}
    return Deployed(logical_id, "AWS::EC2::Subnet", subnet, attrs)


@creates("AWS::EC2::SecurityGroup")
def _security_group(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    group = local_id(d, logical_id, "sg-")
    return Deployed(
        logical_id, "AWS::EC2::SecurityGroup", group, {"GroupId": group, "VpcId": props["VpcId"]}
    )


@creates("AWS::EC2::RouteTable")
def _route_table(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    table = local_id(d, logical_id, "rtb-")
    return Deployed(logical_id, "AWS::EC2::RouteTable", table, {"RouteTableId": table})


@creates("AWS::EC2::VPCEndpoint")
def _vpc_endpoint(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    endpoint = local_id(d, logical_id, "vpce-")
    attrs: dict[str, Any] = {"Id": endpoint, "DnsEntries": [], "NetworkInterfaceIds": []}
    return Deployed(logical_id, "AWS::EC2::VPCEndpoint", endpoint, attrs)


@creates(
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::FlowLog",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::VpcLink",
    "AWS::ApiGatewayV2::Integration",
)
def _recorded(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Nothing to emulate on one machine (no packets, no scaling); the local HTTP API reads
    the integration's and the API's properties from the stack."""
    return Deployed(logical_id, "recorded", local_id(d, logical_id, "", 10), {})


# -- recorded: ECS (run by localaws.gateways.ecs_tasks) --------------------------------------------
@creates("AWS::ECS::Cluster")
def _cluster(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("ClusterName") or d.physical_name(logical_id, 255)
    arn = d.arn("ecs", f"cluster/{name}")
    return Deployed(logical_id, "AWS::ECS::Cluster", name, {"Arn": arn})


@creates("AWS::ECS::TaskDefinition")
def _task_definition(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    family = props.get("Family") or d.physical_name(logical_id, 255)
    arn = d.arn("ecs", f"task-definition/{family}:1")
    return Deployed(logical_id, "AWS::ECS::TaskDefinition", arn, {"TaskDefinitionArn": arn})


@creates("AWS::ECS::Service")
def _ecs_service(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("ServiceName") or d.physical_name(logical_id, 255)
    cluster = str(props.get("Cluster", "default")).rsplit("/", 1)[-1]
    arn = d.arn("ecs", f"service/{cluster}/{name}")
    return Deployed(logical_id, "AWS::ECS::Service", arn, {"Name": name, "ServiceArn": arn})


@creates("AWS::ApplicationAutoScaling::ScalableTarget")
def _scalable_target(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    target = f"{props['ResourceId']}|{props['ScalableDimension']}|{props['ServiceNamespace']}"
    return Deployed(logical_id, "AWS::ApplicationAutoScaling::ScalableTarget", target, {})


@creates("AWS::ApiGatewayV2::Api")
def _http_api(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Served by localaws.gateways.search_gateway on its own port (the stack's searchUrl)."""
    api_id = local_id(d, logical_id, "", 10)
    endpoint = f"https://{api_id}.execute-api.{d.region}.amazonaws.com"
    return Deployed(
        logical_id, "AWS::ApiGatewayV2::Api", api_id, {"ApiId": api_id, "ApiEndpoint": endpoint}
    )
