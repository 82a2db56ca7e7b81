"""What the deployer's creators send to the emulated API: a resource's properties typed as the
API's shapes say (a template parameter arrives as text), the ones the API does not take left out.
Checked against botocore's Stubber: no emulator, no network."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.stub import Stubber

from localaws.provision.deploy import creator_for

UUID = "a1b2c3d4-5678-90ab-cdef-111122223333"


class OneClient:
    """The deployment a creator sees, with one stubbed client."""

    stack_name = "stack"
    region = "eu-west-2"

    def __init__(self, service: str) -> None:
        self._client = boto3.client(
            service,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self.stubber = Stubber(self._client)

    def client(self, service: str) -> Any:
        return self._client

    def physical_name(self, logical_id: str, max_len: int = 64) -> str:
        return f"{self.stack_name}-{logical_id}"[:max_len]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:123456789012:{resource}"


@contextmanager
def expecting(d: OneClient) -> Iterator[Stubber]:
    with d.stubber:
        yield d.stubber
    d.stubber.assert_no_pending_responses()


def test_a_user_pool_client_from_text_parameters_gets_no_secret_and_numbers() -> None:
    # Given a client whose flags and validities come from template parameters (text)
    d = OneClient("cognito-idp")
    props = {
        "UserPoolId": "eu-west-2_pool",
        "GenerateSecret": "false",
        "RefreshTokenValidity": "30",
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"],
    }
    answer = {"UserPoolClient": {"ClientId": "c1", "ClientName": "stack-Client"}}
    with expecting(d) as stub:
        stub.add_response(
            "create_user_pool_client",
            answer,
            {
                "UserPoolId": "eu-west-2_pool",
                "ClientName": "stack-Client",
                "GenerateSecret": False,
                "RefreshTokenValidity": 30,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"],
            },
        )
        # When it is deployed
        deployed = creator_for("AWS::Cognito::UserPoolClient")(d, "Client", props)  # type: ignore[misc]
    # Then the API was asked for no secret, and the client is what it answered
    assert deployed.ref == "c1"


def test_a_rules_targets_are_typed_and_its_pattern_sent_as_json() -> None:
    d = OneClient("events")
    props = {
        "EventPattern": {"source": ["hotel"]},
        "State": "ENABLED",
        "Targets": [
            {
                "Id": "t",
                "Arn": "arn:aws:sqs:eu-west-2:123456789012:q",
                "RetryPolicy": {"MaximumRetryAttempts": "2"},
                "NotAnApiKey": "dropped",
            }
        ],
    }
    with expecting(d) as stub:
        stub.add_response(
            "put_rule",
            {"RuleArn": "arn:aws:events:eu-west-2:123456789012:rule/stack-Rule"},
            {
                "Name": "stack-Rule",
                "EventBusName": "default",
                "EventPattern": '{"source": ["hotel"]}',
                "State": "ENABLED",
            },
        )
        stub.add_response(
            "put_targets",
            {"FailedEntryCount": 0, "FailedEntries": []},
            {
                "Rule": "stack-Rule",
                "EventBusName": "default",
                "Targets": [
                    {
                        "Id": "t",
                        "Arn": "arn:aws:sqs:eu-west-2:123456789012:q",
                        "RetryPolicy": {"MaximumRetryAttempts": 2},
                    }
                ],
            },
        )
        deployed = creator_for("AWS::Events::Rule")(d, "Rule", props)  # type: ignore[misc]
    assert deployed.ref == "stack-Rule"


def test_a_mapping_takes_numbers_flags_and_filter_patterns_as_the_api_types_them() -> None:
    d = OneClient("lambda")
    props = {
        "FunctionName": "fn",
        "EventSourceArn": "arn:aws:sqs:eu-west-2:123456789012:q",
        "BatchSize": "10",
        "BisectBatchOnFunctionError": "true",
        "FilterCriteria": {"Filters": [{"Pattern": {"body": {"kind": ["a"]}}}]},
    }
    with expecting(d) as stub:
        stub.add_response(
            "create_event_source_mapping",
            {"UUID": UUID},
            {
                "FunctionName": "fn",
                "EventSourceArn": "arn:aws:sqs:eu-west-2:123456789012:q",
                "BatchSize": 10,
                "BisectBatchOnFunctionError": True,
                "FilterCriteria": {"Filters": [{"Pattern": '{"body": {"kind": ["a"]}}'}]},
            },
        )
        deployed = creator_for("AWS::Lambda::EventSourceMapping")(d, "Mapping", props)  # type: ignore[misc]
    assert deployed.ref == UUID
