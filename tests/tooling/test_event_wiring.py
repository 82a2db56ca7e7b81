"""What AWS requires of event wiring and the local emulator does not check.

IAM is not enforced locally, so an EventBridge rule delivers to a queue, function or topic
whose resource policy would refuse it on AWS. These checks read the templates instead: every
rule target can be reached as AWS requires. (The SQS visibility timeout versus the function
timeout is refused at deploy time, as AWS refuses it: see localaws.events.pollers.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localaws.provision.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [ROOT / "template.yaml", ROOT / "tests" / "fixtures" / "eventing" / "template.yaml"]
EVENTS = "events.amazonaws.com"


def _logical(value: Any) -> str | None:
    """The logical id an ARN/Ref intrinsic points at, if it is one."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return str(att[0] if isinstance(att, list) else att.split(".")[0])
    return None


def _allows(policy: dict[str, Any], action: str) -> bool:
    for statement in policy.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        services = statement.get("Principal", {}).get("Service", [])
        services = [services] if isinstance(services, str) else services
        if statement.get("Effect") == "Allow" and action in actions and EVENTS in services:
            return True
    return False


def _rule_targets(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (rule_id, target)
        for rule_id, rule in resources.items()
        if rule["Type"] == "AWS::Events::Rule"
        for target in rule["Properties"].get("Targets", [])
    ]


def wiring_problems(resources: dict[str, Any]) -> list[str]:
    types = {k: v["Type"] for k, v in resources.items()}
    queue_policies = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::SQS::QueuePolicy"
    ]
    topic_policies = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::SNS::TopicPolicy"
    ]
    permissions = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
    ]
    problems = []
    for rule_id, target in _rule_targets(resources):
        name = f"{rule_id}/{target['Id']}"
        logical = _logical(target["Arn"])
        kind = types.get(logical or "")
        if kind == "AWS::SQS::Queue":
            ok = any(
                logical in [_logical(q) for q in p["Queues"]]
                and _allows(p["PolicyDocument"], "sqs:SendMessage")
                for p in queue_policies
            )
        elif kind == "AWS::SNS::Topic":
            ok = any(
                logical in [_logical(t) for t in p["Topics"]]
                and _allows(p["PolicyDocument"], "sns:Publish")
                for p in topic_policies
            )
        elif kind == "AWS::Lambda::Function":
            ok = any(
                _logical(p["FunctionName"]) == logical and p["Principal"] == EVENTS
                for p in permissions
            )
        elif kind == "AWS::StepFunctions::StateMachine":
            ok = "RoleArn" in target  # EventBridge needs a role to start an execution
        else:
            ok = True  # a literal ARN (another account's resource): not ours to check
        if not ok:
            problems.append(f"{name} -> {logical} ({kind})")
        dead_letter = _logical((target.get("DeadLetterConfig") or {}).get("Arn"))
        if dead_letter and not any(
            dead_letter in [_logical(q) for q in p["Queues"]]
            and _allows(p["PolicyDocument"], "sqs:SendMessage")
            for p in queue_policies
        ):
            problems.append(f"{name} dead-letter queue {dead_letter}")
    return problems


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.parent.name or p.name)
def test_every_rule_target_lets_eventbridge_in(template: Path) -> None:
    resources = load_template(template, "eu-west-2").resources
    assert wiring_problems(resources) == [], "targets EventBridge could not reach on AWS"


def test_the_wiring_check_catches_targets_without_a_resource_policy() -> None:
    fixture = load_template(TEMPLATES[1], "eu-west-2").resources
    for missing in ("RuleQueuesPolicy", "TargetTopicPolicy", "TargetFunctionPermission"):
        del fixture[missing]
    assert sorted(wiring_problems(fixture)) == [
        "AllTargetsRule/function -> TargetFunction (AWS::Lambda::Function)",
        "AllTargetsRule/missing-function dead-letter queue TargetDeadLetters",
        "AllTargetsRule/queue -> AllTargetsQueue (AWS::SQS::Queue)",
        "AllTargetsRule/topic -> TargetTopic (AWS::SNS::Topic)",
        "DisabledRule/queue -> DisabledRuleQueue (AWS::SQS::Queue)",
        "EnabledTwinRule/queue -> EnabledTwinQueue (AWS::SQS::Queue)",
        "InputRule/constant -> ConstantInputQueue (AWS::SQS::Queue)",
        "InputRule/path -> PathInputQueue (AWS::SQS::Queue)",
        "InputRule/transformer -> TransformedInputQueue (AWS::SQS::Queue)",
    ]
