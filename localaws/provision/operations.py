"""Parameters and alarms: SSM parameters are created in moto (functions read them, a developer
sets them with ``aws ssm put-parameter`` against the local endpoint); alarms are created in
moto's CloudWatch, which stores them (nothing evaluates metrics locally)."""

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


@creates("AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup")
def _code_deploy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """SAM's ``DeploymentPreference`` (traffic shifting with alarm rollback) is recorded, not
    played: locally the alias points at the new version at once (docs/aws-differences.md)."""
    own_name = "ApplicationName" if "ComputePlatform" in props else "DeploymentGroupName"
    name = props.get(own_name) or d.physical_name(logical_id, 100)
    return Deployed(logical_id, "recorded", name, {})
