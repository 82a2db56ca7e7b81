"""Deployer creators for the event plumbing: buses, rules, archives, queue policies and
event source mappings. Each goes through the emulator's public API, so what runs them
(localaws.events.pollers, localaws.events.eventbridge) sees exactly what a CLI user would
have created."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from localaws.provision.registry import Deployed, Deploying, api_call, creates


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@creates("AWS::Events::EventBus")
def _event_bus(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props["Name"]
    arn = api_call(d, "events", "CreateEventBus", props)["EventBusArn"]
    return Deployed(logical_id, "AWS::Events::EventBus", name, {"Arn": arn, "Name": name})


@creates("AWS::Events::Archive")
def _archive(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("ArchiveName") or d.physical_name(logical_id, 48)
    named = {**props, "ArchiveName": name, "EventSourceArn": props["SourceArn"]}
    arn = api_call(d, "events", "CreateArchive", named)["ArchiveArn"]
    return Deployed(logical_id, "AWS::Events::Archive", name, {"Arn": arn})


@creates("AWS::Events::Rule")
def _rule(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    name = props.get("Name") or d.physical_name(logical_id, 64)
    bus = props.get("EventBusName", "default")
    rule = {**props, "Name": name, "EventBusName": bus}
    arn = api_call(d, "events", "PutRule", rule)["RuleArn"]
    if props.get("Targets"):
        api_call(d, "events", "PutTargets", {**rule, "Rule": name})
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


@creates("AWS::Lambda::EventSourceMapping")
def _event_source_mapping(d: Deploying, logical_id: str, props: dict[str, Any]) -> Deployed:
    """Created through the Lambda API; localaws.events.pollers runs it from then on."""
    mapping = api_call(d, "lambda", "CreateEventSourceMapping", props)
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
