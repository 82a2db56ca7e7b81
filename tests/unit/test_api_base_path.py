"""Behind a custom domain with a base path mapping, API Gateway passes ``/<base path>/...`` as
the request path: the functions strip it (Powertools' strip_prefixes) or every route is 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from hotel_booking.api import _http as web
from hotel_booking.config import base_path_prefixes
from hotel_booking.config.approvals import ApprovalPageSettings
from localaws.provision.template import load_template
from tests.fixtures.events import rest_event

ROOT = Path(__file__).resolve().parents[2]


class Context(LambdaContext):
    _function_name = "test"
    _aws_request_id = "req-1"


def answer(base_path: str, path: str) -> int:
    app = web.resolver("*", base_path)

    @app.get("/hotels/<hotelId>")
    def hotel(hotelId: str) -> dict[str, Any]:
        return {"hotelId": hotelId}

    return int(app.resolve(rest_event("GET", path), Context())["statusCode"])


def test_a_base_path_is_stripped_before_routing() -> None:
    assert answer("v1", "/v1/hotels/h-1") == 200
    assert answer("hotels/v1", "/hotels/v1/hotels/h-1") == 200
    assert answer("v1", "/hotels/h-1") == 200  # the execute-api URL keeps working


def test_without_a_base_path_nothing_is_stripped() -> None:
    assert answer("", "/hotels/h-1") == 200
    assert answer("", "/v1/hotels/h-1") == 404
    assert base_path_prefixes("") is None


def test_the_base_path_setting_refuses_slashes_at_either_end() -> None:
    given = {
        "AWS_REGION": "eu-west-2",
        "HOTELS_TABLE": "h",
        "INVENTORY_TABLE": "i",
        "BOOKINGS_TABLE": "b",
        "PAYMENTS_TABLE": "p",
        "APPROVALS_TABLE": "a",
        "HOTEL_TOPIC_ARN_PREFIX": "arn:aws:sns:eu-west-2:123456789012:s-hotel-",
        "OPS_TOPIC_ARN": "arn:aws:sns:eu-west-2:123456789012:ops",
        "SENDER_EMAIL": "bookings@example.com",
        "PAYMENT_GATEWAY": "sandbox",
        "APPROVAL_TIMEOUT_SECONDS": "60",
        "PAYMENT_RETRY_WAIT_SECONDS": "1",
        "PAYMENT_RETRY_WINDOW_SECONDS": "1",
        "APPROVAL_LINK_KEY_ARN": "arn:key",
    }
    assert ApprovalPageSettings.from_env(given | {"API_BASE_PATH": "v1"}).api_base_path == "v1"
    assert ApprovalPageSettings.from_env(given).api_base_path == ""
    for bad in ("/v1", "v1/", "v 1"):
        with pytest.raises(ValidationError, match="API_BASE_PATH"):
            ApprovalPageSettings.from_env(given | {"API_BASE_PATH": bad})


def test_every_api_function_is_told_the_templates_base_path() -> None:
    template = load_template(ROOT / "template.yaml", "eu-west-2")
    api_functions = {
        k: v["Properties"]
        for k, v in template.resources.items()
        if v["Type"] == "AWS::Lambda::Function"
        and v["Properties"]["Handler"].startswith("hotel_booking.api.")
    }
    assert len(api_functions) == 4
    for logical_id, props in api_functions.items():
        variables = props["Environment"]["Variables"]
        assert variables.get("API_BASE_PATH") == {"Ref": "ApiBasePath"}, logical_id
    assert template.cfn["Parameters"]["ApiBasePath"]["Default"] == ""
