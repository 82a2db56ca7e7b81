"""Parameters and alarms: SSM parameters are created in moto (functions read them, a developer
sets them with ``aws ssm put-parameter`` against the local endpoint); alarms and dashboards are
created in moto's CloudWatch, which stores them; alarms.py evaluates the alarms."""

from __future__ import annotations

from typing import Any

from localaws.provision.registry import Deployed, DeployError, Deploying, creates


@creates("AWS::SSM::Parameter")
def _parameter(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("Name") or f"/{d.stack_name}/{logical_id}"
    ssm = d.client("ssm")
    # As CloudFormation does, refuse to take over a parameter another stack (or a person) made.
    if ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]:
        raise DeployError(f"{logical_id}: SSM parameter {name} exists already")
    args: dict[str, Any] = {"Name": name, "Value": props["Value"], "Type": props["Type"]}
    for key in ("Description", "AllowedPattern", "Tier"):
        if key in props:
            args[key] = props[key]
    ssm.put_parameter(**args)
    return Deployed(
        logical_id, "AWS::SSM::Parameter", name, {"Type": props["Type"], "Value": props["Value"]}
    )


@creates("AWS::CloudWatch::Alarm")
def _alarm(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("AlarmName") or d.physical_name(logical_id, 255)
    args = {k: v for k, v in props.items() if k != "AlarmName"}
    d.client("cloudwatch").put_metric_alarm(AlarmName=name, **args)
    return Deployed(
        logical_id, "AWS::CloudWatch::Alarm", name, {"Arn": d.arn("cloudwatch", f"alarm:{name}")}
    )


@creates("AWS::CloudWatch::CompositeAlarm")
def _composite_alarm(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """moto 5.2.5 has no PutCompositeAlarm: the alarm evaluator (alarms.py) keeps its state;
    DescribeAlarms on the endpoint does not list it (docs/aws-differences.md)."""
    name = props.get("AlarmName") or d.physical_name(logical_id, 255)
    return Deployed(
        logical_id,
        "AWS::CloudWatch::CompositeAlarm",
        name,
        {"Arn": d.arn("cloudwatch", f"alarm:{name}")},
    )


@creates("AWS::CloudWatch::Dashboard")
def _dashboard(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("DashboardName") or d.physical_name(logical_id, 255)
    d.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=props["DashboardBody"])
    return Deployed(logical_id, "AWS::CloudWatch::Dashboard", name, {})


@creates("AWS::WAFv2::WebACL")
def _web_acl(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Stored in moto's WAFv2 (rules as written); nothing evaluates them locally: no request
    is rate-limited or blocked per IP (docs/aws-differences.md)."""
    args = {k: v for k, v in props.items() if k != "Tags"}
    acl = d.client("wafv2").create_web_acl(**args)["Summary"]
    return Deployed(
        logical_id, "AWS::WAFv2::WebACL", acl["Name"], {"Arn": acl["ARN"], "Id": acl["Id"]}
    )


@creates("AWS::WAFv2::WebACLAssociation")
def _web_acl_association(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    d.client("wafv2").associate_web_acl(
        WebACLArn=props["WebACLArn"], ResourceArn=props["ResourceArn"]
    )
    return Deployed(logical_id, "AWS::WAFv2::WebACLAssociation", props["ResourceArn"], {})


@creates("AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup")
def _code_deploy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """SAM's ``DeploymentPreference`` (traffic shifting with alarm rollback) is recorded, not
    played: locally the alias points at the new version at once (docs/aws-differences.md)."""
    own_name = "ApplicationName" if "ComputePlatform" in props else "DeploymentGroupName"
    name = props.get(own_name) or d.physical_name(logical_id, 100)
    return Deployed(logical_id, "recorded", name, {})
