"""SAM features a user's app reaches for, each on a small app of its own (issue 25)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from localaws.cloud import LocalCloud
from localaws.gateways.apigateway import ApiGateway, RestApiDefinition, TokenVerifier
from localaws.provision.deploy import DeployError, Stack, supported_types
from tests.fixtures.waiting import eventually

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "samapps"


@pytest.fixture(scope="module")
def gaps(cloud: LocalCloud) -> Stack:
    return cloud.deploy(APPS / "gaps" / "template.yaml", "gaps", {"Greeting": "hej"})


def invoke(cloud: LocalCloud, name: str, qualifier: str | None = None) -> dict[str, Any]:
    args = {"Qualifier": qualifier} if qualifier else {}
    resp = cloud.client("lambda").invoke(FunctionName=name, Payload=b"{}", **args)
    return {"error": resp.get("FunctionError"), "payload": json.loads(resp["Payload"].read())}


def test_path_style_handler_without_code_uri_runs_from_the_template_folder(
    cloud: LocalCloud, gaps: Stack
) -> None:
    result = invoke(cloud, gaps.ref("HelloFunction"))
    assert result["error"] is None, result
    assert json.loads(result["payload"]["body"]) == {"greeting": "hej", "module": "app"}


def test_a_parameter_without_default_must_be_given(cloud: LocalCloud) -> None:
    with pytest.raises(DeployError, match="Greeting has no default"):
        cloud.deploy(APPS / "gaps" / "template.yaml", "gaps-no-greeting")


def test_auto_publish_alias_makes_a_version_and_an_alias_that_invoke(
    cloud: LocalCloud, gaps: Stack
) -> None:
    name = gaps.ref("HelloFunction")
    lam = cloud.client("lambda")
    aliases = lam.list_aliases(FunctionName=name)["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in aliases] == [("live", "1")]
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1"]
    assert gaps.ref("HelloFunctionAliaslive").endswith(f":function:{name}:live")
    for qualifier in ("live", "1", "$LATEST"):
        result = invoke(cloud, name, qualifier)
        assert result["error"] is None, (qualifier, result)
        assert json.loads(result["payload"]["body"])["greeting"] == "hej"
    assert invoke(cloud, f"{name}:live")["error"] is None
    assert invoke(cloud, gaps.ref("HelloFunctionAliaslive"))["error"] is None


def test_step_functions_call_the_alias(cloud: LocalCloud, gaps: Stack) -> None:
    sfn = cloud.client("stepfunctions")
    definition = json.loads(
        sfn.describe_state_machine(stateMachineArn=gaps.outputs["FlowArn"])["definition"]
    )
    assert definition["States"]["Hello"]["Parameters"]["FunctionName"].endswith(":live")
    arn = sfn.start_execution(stateMachineArn=gaps.outputs["FlowArn"], name="alias-1", input="{}")[
        "executionArn"
    ]
    execution = eventually(
        lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d
    )
    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(json.loads(execution["output"])["body"])["greeting"] == "hej"


def test_the_api_integration_calls_the_alias(cloud: LocalCloud, gaps: Stack) -> None:
    api = RestApiDefinition.from_stack(gaps, "ServerlessRestApi")
    assert [r.function_arn for r in api.routes] == [gaps.ref("HelloFunctionAliaslive")]
    verifier = TokenVerifier(cloud.endpoint, cloud.region, lambda _pool: set())
    answer = Client(ApiGateway(api, cloud.runtime, verifier, cloud.region)).get("/hello")
    assert answer.status_code == 200
    assert json.loads(answer.get_data()) == {"greeting": "hej", "module": "app"}


def test_connector_policy_is_stored_and_attached_to_the_function_role(
    cloud: LocalCloud, gaps: Stack
) -> None:
    iam = cloud.client("iam")
    role = gaps.ref("HelloFunctionRole")
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    policy_arn = gaps.ref("HelloWritesTablePolicy")
    assert policy_arn in [p["PolicyArn"] for p in attached]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"][
        "Document"
    ]
    if isinstance(document, str):
        document = json.loads(document)
    actions = {a for s in document["Statement"] for a in s["Action"]}
    resources = {r for s in document["Statement"] for r in s["Resource"]}
    assert {"dynamodb:GetItem", "dynamodb:PutItem"} <= actions
    assert gaps.att("Table", "Arn") in resources


def test_function_errors_are_unhandled_with_the_function_frames_only(
    cloud: LocalCloud, gaps: Stack
) -> None:
    result = invoke(cloud, gaps.ref("FailFunction"))
    assert result["error"] == "Unhandled"
    payload = result["payload"]
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "no greeting for you"
    trace = payload["stackTrace"]
    assert len(trace) == 2 and all("hello_world/app.py" in frame for frame in trace), trace
    assert "in fail" in trace[0] and "in _check" in trace[1]


def test_unsupported_types_are_all_named_before_anything_is_created(cloud: LocalCloud) -> None:
    with pytest.raises(DeployError) as raised:
        cloud.deploy(APPS / "unsupported" / "template.yaml", "unsupported")
    message = str(raised.value)
    assert "AWS::AmazonMQ::Broker: Broker" in message
    assert "AWS::Kinesis::Stream: OtherStream, Stream" in message
    assert "docs/local.md" in message
    assert "unsupported-probe-table" not in cloud.client("dynamodb").list_tables()["TableNames"]


def test_docs_list_every_supported_type() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "local.md").read_text()
    section = text.split("## Resource types the engine creates", 1)[1].split("\n## ", 1)[0]
    listed = {line[3:-1] for line in section.splitlines() if line.startswith("- `")}
    assert listed == supported_types()
