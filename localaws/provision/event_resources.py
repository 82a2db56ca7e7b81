"""Deployer creators for the event plumbing: buses, rules, archives, queue policies and
event source mappings. Each goes through the emulator's public API, so what runs them
(localaws.events.pollers, localaws.events.eventbridge) sees exactly what a CLI user would
have created."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from localaws.provision.registry import Deployed, Deploying, creates


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@creates("AWS::Events::EventBus")
def _event_bus(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props["Name"]
    args = {k: props[k] for k in ("Description", "EventSourceName") if k in props}
    arn = d.client("events").create_event_bus(Name=name, **args)["EventBusArn"]
    return Deployed(logical_id, "AWS::Events::EventBus", name, {"Arn": arn, "Name": name})


@creates("AWS::Events::Archive")
def _archive(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("ArchiveName") or d.physical_name(logical_id, 48)
    args: dict[str, Any] = {"ArchiveName": name, "EventSourceArn": props["SourceArn"]}
    if "EventPattern" in props:
        args["EventPattern"] = _json(props["EventPattern"])
    if "Description" in props:
        args["Description"] = props["Description"]
    if "RetentionDays" in props:
        args["RetentionDays"] = int(props["RetentionDays"])
    arn = d.client("events").create_archive(**args)["ArchiveArn"]
    return Deployed(logical_id, "AWS::Events::Archive", name, {"Arn": arn})


_TARGET_KEYS = (
    "Id",
    "Arn",
    "RoleArn",
    "Input",
    "InputPath",
    "InputTransformer",
    "SqsParameters",
    "DeadLetterConfig",
    "RetryPolicy",
)


@creates("AWS::Events::Rule")
def _rule(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    events = d.client("events")
    name = props.get("Name") or d.physical_name(logical_id, 64)
    bus = props.get("EventBusName", "default")
    args: dict[str, Any] = {"Name": name, "EventBusName": bus}
    if "EventPattern" in props:
        args["EventPattern"] = _json(props["EventPattern"])
    for key in ("ScheduleExpression", "State", "Description", "RoleArn"):
        if key in props:
            args[key] = props[key]
    arn = events.put_rule(**args)["RuleArn"]
    targets = []
    for target in props.get("Targets", []):
        shaped = {k: target[k] for k in _TARGET_KEYS if k in target}
        if "RetryPolicy" in shaped:
            shaped["RetryPolicy"] = {k: int(v) for k, v in shaped["RetryPolicy"].items()}
        targets.append(shaped)
    if targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    bus_name = bus.rsplit("/", 1)[-1]
    # CloudFormation's Ref: the name on the default bus, "bus|name" on a custom one.
    ref = name if bus_name == "default" else f"{bus_name}|{name}"
    return Deployed(logical_id, "AWS::Events::Rule", ref, {"Arn": arn})


@creates("AWS::SQS::QueuePolicy")
def _queue_policy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Applied, though not enforced (IAM is not enforced locally)."""
    for url in props["Queues"]:
        d.client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": _json(props["PolicyDocument"])}
        )
    ref = hashlib.sha1(f"{d.stack_name}/{logical_id}".encode()).hexdigest()[:12]
    return Deployed(logical_id, "AWS::SQS::QueuePolicy", ref, {})


_INT_KEYS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
)


@creates("AWS::Lambda::EventSourceMapping")
def _event_source_mapping(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Created through the Lambda API; localaws.events.pollers runs it from then on."""
    lam = d.client("lambda")
    accepted = lam.meta.service_model.operation_model("CreateEventSourceMapping").input_shape
    args = {k: v for k, v in props.items() if k in accepted.members}
    for key in _INT_KEYS:
        if key in args:
            args[key] = int(args[key])
    for key in ("Enabled", "BisectBatchOnFunctionError"):
        if key in args:
            args[key] = str(args[key]).lower() == "true"
    if "FilterCriteria" in args:
        args["FilterCriteria"] = {
            "Filters": [
                {"Pattern": _json(f["Pattern"])} for f in args["FilterCriteria"].get("Filters", [])
            ]
        }
    mapping = lam.create_event_source_mapping(**args)
    return Deployed(
        logical_id,
        "AWS::Lambda::EventSourceMapping",
        mapping["UUID"],
        {"Id": mapping["UUID"], "EventSourceMappingArn": mapping.get("EventSourceMappingArn", "")},
    )


@creates("AWS::SNS::TopicPolicy")
def _topic_policy(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Applied, though not enforced (IAM is not enforced locally)."""
    for arn in props["Topics"]:
        d.client("sns").set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=_json(props["PolicyDocument"])
        )
    ref = hashlib.sha1(f"{d.stack_name}/{logical_id}".encode()).hexdigest()[:12]
    return Deployed(logical_id, "AWS::SNS::TopicPolicy", ref, {})
