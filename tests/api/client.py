"""Call the deployed API functions as API Gateway does: invoke with a proxy event, read back
the proxy response (status, headers, JSON body)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from typing import Any

from localaws.cloud import LocalCloud
from localaws.deploy import Stack
from tests.api.events import ADMIN, rest_event
from tests.saga_driver import Records, SagaDriver

_ids = itertools.count(1)
CHECK_IN = dt.date.today() + dt.timedelta(days=60)


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def field_errors(self) -> dict[str, str]:
        return {e["field"]: e["message"] for e in self.body.get("errors", [])}


class ApiClient:
    def __init__(self, cloud: LocalCloud, stack: Stack) -> None:
        self.cloud = cloud
        self.stack = stack
        self.lambda_ = cloud.client("lambda")
        self.saga = SagaDriver(cloud, stack)
        self.store: Records = self.saga.store

    # -- calls ----------------------------------------------------------------------------
    def invoke(self, function: str, event: dict[str, Any]) -> ApiResponse:
        resp = self.lambda_.invoke(
            FunctionName=self.stack.ref(function), Payload=json.dumps(event).encode()
        )
        payload = json.loads(resp["Payload"].read())
        assert "FunctionError" not in resp, payload
        headers = {k: v for k, v in (payload.get("headers") or {}).items()}
        for key, values in (payload.get("multiValueHeaders") or {}).items():
            headers[key] = ",".join(values)
        raw = payload.get("body")
        body = json.loads(raw) if raw else None
        return ApiResponse(payload["statusCode"], headers, body)

    def hotels(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        return self.invoke("HotelsApiFunction", rest_event(method, path, **kwargs))

    def bookings(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        return self.invoke("BookingsApiFunction", rest_event(method, path, **kwargs))

    # -- given ----------------------------------------------------------------------------
    def hotel_fields(self, **overrides: Any) -> dict[str, Any]:
        n = next(_ids)
        return {
            "name": f"Api Hotel {n}",
            "city": "Lisbon",
            "stars": 4,
            "pricePerNight": "120.00",
            "rooms": 3,
            "managerEmail": f"api.manager{n}@example.com",
            **overrides,
        }

    def create_hotel(self, **overrides: Any) -> dict[str, Any]:
        resp = self.hotels("POST", "/hotels", body=self.hotel_fields(**overrides), claims=ADMIN)
        assert resp.status == 201, resp.body
        return dict(resp.body)

    def booking_request(self, hotel: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        nights = overrides.pop("nights", 2)
        check_in = overrides.pop("check_in", CHECK_IN)
        return {
            "hotelId": hotel["hotelId"],
            "checkIn": check_in.isoformat(),
            "checkOut": (check_in + dt.timedelta(days=nights)).isoformat(),
            "rooms": 1,
            "guestName": "Gus Guest",
            "paymentToken": "tok_visa",
            **overrides,
        }

    def book(self, hotel: dict[str, Any], who: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        resp = self.bookings(
            "POST", "/bookings", body=self.booking_request(hotel, **overrides), claims=who
        )
        assert resp.status == 202, resp.body
        return dict(resp.body)

    # -- then -----------------------------------------------------------------------------
    def executions(self, booking_id: str) -> list[dict[str, Any]]:
        sfn = self.cloud.client("stepfunctions")
        arn = self.stack.ref("BookingStateMachine")
        found = sfn.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]
        return [e for e in found if e["name"] == booking_id]

    def subscriptions(self, topic: str) -> dict[str, dict[str, Any]]:
        """Email endpoint -> filter policy, on one of the stack's topics."""
        sns = self.cloud.client("sns")
        out: dict[str, dict[str, Any]] = {}
        subs = sns.list_subscriptions_by_topic(TopicArn=self.stack.ref(topic))["Subscriptions"]
        for sub in subs:
            attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])
            policy = attributes["Attributes"].get("FilterPolicy")
            out[sub["Endpoint"]] = json.loads(policy) if policy else {}
        return out
