"""Every function deploys gradually and every caller calls its `live` alias (issue 25)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localaws.provision.template import Template, load_template

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(ROOT / "template.yaml", "eu-west-2")


def _of_type(template: Template, type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.resources.items() if v["Type"] == type_}


def test_every_function_has_a_live_alias_shifted_by_codedeploy(template: Template) -> None:
    functions = _of_type(template, "AWS::Lambda::Function")
    aliases = _of_type(template, "AWS::Lambda::Alias")
    groups = _of_type(template, "AWS::CodeDeploy::DeploymentGroup")
    assert {a["Properties"]["FunctionName"]["Ref"] for a in aliases.values()} == set(functions)
    assert {a["Properties"]["Name"] for a in aliases.values()} == {"live"}
    assert set(groups) == {f"{f}DeploymentGroup" for f in functions}
    for group in groups.values():
        props = group["Properties"]
        assert "Canary10Percent5Minutes" in json.dumps(props["DeploymentConfigName"])
        alarms = props["AlarmConfiguration"]["Alarms"]
        assert {"Name": {"Ref": "PaymentCircuitOpenAlarm"}} in alarms
        # The saga's, the API's and the event paths' alarms roll a bad version back too;
        # CodeDeploy takes at most 10 alarms per deployment group (AlarmsLimitExceededException).
        for alarm in ("BookingSagaOperationalFailuresAlarm", "ApiServerErrorsAlarm"):
            assert {"Name": {"Ref": alarm}} in alarms
        assert len(alarms) <= 10
        for alarm in alarms:  # CodeDeploy watches metric alarms by name
            assert template.resources[alarm["Name"]["Ref"]]["Type"] == "AWS::CloudWatch::Alarm"
        assert "DEPLOYMENT_STOP_ON_ALARM" in props["AutoRollbackConfiguration"]["Events"]


def test_sagas_event_sources_and_api_call_the_alias(template: Template) -> None:
    for name, machine in _of_type(template, "AWS::StepFunctions::StateMachine").items():
        substitutions = machine["Properties"]["DefinitionSubstitutions"]
        functions = {k: v for k, v in substitutions.items() if k.endswith("FunctionArn")}
        assert functions, name
        for key, value in functions.items():
            assert value == {"Ref": key.removesuffix("Arn") + "Aliaslive"}, (name, key)
    for name, mapping in _of_type(template, "AWS::Lambda::EventSourceMapping").items():
        assert mapping["Properties"]["FunctionName"]["Ref"].endswith("Aliaslive"), name
    body = json.dumps(template.resources["HotelApi"]["Properties"]["Body"])
    assert "Aliaslive" in body
    assert ".Arn}/invocations" not in body  # no integration calls $LATEST
