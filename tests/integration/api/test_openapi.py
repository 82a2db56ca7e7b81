"""api/openapi.yaml is the API's contract: a valid OpenAPI document, the same routes as
template.yaml, and what the deployed functions really answer fits the documented schemas."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate  # comes with moto[server] (the local extra)

from hotel_booking.models import BookingStatus
from localaws.provision.template import load_template
from tests.fixtures.api_client import ApiClient, ApiResponse, PoolUsers
from tests.fixtures.events import ADMIN, form_event, guest, png, rest_event

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = ("HotelsApiFunction", "BookingsApiFunction", "UsersApiFunction", "ApprovalsFunction")
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text()))


def template_routes() -> dict[tuple[str, str], bool]:
    """(path, method) -> public, for every API event of the two API functions."""
    sam = load_template(ROOT / "template.yaml", "eu-west-2").sam
    routes = {}
    for function in FUNCTIONS:
        for event in sam["Resources"][function]["Properties"]["Events"].values():
            props = event["Properties"]
            public = props.get("Auth", {}).get("Authorizer") == "NONE"
            routes[(props["Path"], props["Method"].lower())] = public
    return routes


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_the_routes_are_the_templates_and_so_is_who_may_call_them(spec: dict[str, Any]) -> None:
    documented = {
        (path, method): op.get("security") == []
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }
    assert documented == template_routes()


def test_every_operation_documents_its_errors_with_the_error_schema(
    spec: dict[str, Any],
) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            statuses = set(op["responses"])
            assert any(s.startswith("2") for s in statuses), (path, method)
            if op.get("security") != []:
                assert "401" in statuses, (path, method)
            if "approval pages" in op.get("tags", []):
                # The pages behind the emailed links: every answer is an HTML page.
                for status in statuses:
                    assert _content(spec, path, method, int(status)) == {"text/html"}
                continue
            for status in statuses - {"200", "201", "202", "204"}:
                schema = _response_schema(spec, path, method, int(status))
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def _response(spec: dict[str, Any], path: str, method: str, status: int) -> Any:
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _content(spec: dict[str, Any], path: str, method: str, status: int) -> set[str]:
    return set(_response(spec, path, method, status).get("content") or {})


def _response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> Any:
    content = _response(spec, path, method, status).get("content")
    return content["application/json"]["schema"] if content else None


def check(spec: dict[str, Any], path: str, method: str, resp: ApiResponse) -> None:
    """The response's status is documented for the operation and its body fits the schema."""
    assert str(resp.status) in spec["paths"][path][method]["responses"], (path, method, resp)
    schema = _response_schema(spec, path, method, resp.status)
    if schema is None:
        assert resp.body is None
        return
    root = {"components": spec["components"], "allOf": [schema]}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(root, format_checker=FormatChecker()).iter_errors(resp.body)
    ]
    assert errors == [], (path, method, resp.status, resp.body)


def test_what_the_functions_answer_fits_the_document(spec: dict[str, Any], api: ApiClient) -> None:
    email = f"contract.{uuid.uuid4().hex[:6]}@example.com"
    boss = api.manager(email)
    who = guest(f"contract{uuid.uuid4().hex[:6]}")

    created = api.hotels("POST", "/hotels", body=api.hotel_fields(managerEmail=email), claims=ADMIN)
    check(spec, "/hotels", "post", created)
    hotel = created.body
    hotel_path = f"/hotels/{hotel['hotelId']}"
    fields = {"name": "Form", "city": "Faro", "stars": "2", "pricePerNight": "50", "rooms": "2"}
    with_picture = api.invoke(
        "HotelsApiFunction",
        form_event(
            "POST",
            "/hotels",
            {**fields, "managerEmail": email},
            [("picture", "p.png", "image/png", png())],
            claims=ADMIN,
        ),
    )
    check(spec, "/hotels", "post", with_picture)
    for resp in (
        api.hotels("POST", "/hotels", body={"stars": 9}, claims=ADMIN),
        api.hotels("POST", "/hotels", body=api.hotel_fields(), claims=who),
    ):
        check(spec, "/hotels", "post", resp)

    check(spec, "/hotels", "get", api.hotels("GET", "/hotels"))
    check(spec, "/hotels", "get", api.hotels("GET", "/hotels", query={"minStars": "x"}))
    check(spec, "/hotels/{hotelId}", "get", api.hotels("GET", hotel_path))
    check(spec, "/hotels/{hotelId}", "get", api.hotels("GET", "/hotels/ht_none"))
    a_stay = api.booking_request(hotel)
    with_dates = api.hotels(
        "GET", hotel_path, query={k: str(a_stay[k]) for k in ("checkIn", "checkOut", "rooms")}
    )
    assert with_dates.body["availability"]["available"] is True
    check(spec, "/hotels/{hotelId}", "get", with_dates)
    check(spec, "/hotels/{hotelId}", "get", api.hotels("GET", hotel_path, query={"checkIn": "x"}))
    check(
        spec,
        "/hotels/{hotelId}",
        "put",
        api.hotels("PUT", hotel_path, body={"stars": 5}, claims=ADMIN),
    )

    booked = api.bookings("POST", "/bookings", body=api.booking_request(hotel), claims=who)
    check(spec, "/bookings", "post", booked)
    booking_id = booked.body["bookingId"]
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    for resp in (
        api.bookings("POST", "/bookings", body={"rooms": 0}, claims=who),
        api.bookings(
            "POST", "/bookings", body=api.booking_request(hotel, hotelId="ht_x"), claims=who
        ),
    ):
        check(spec, "/bookings", "post", resp)

    booking_path = f"/bookings/{booking_id}"
    check(spec, "/bookings/{bookingId}", "get", api.bookings("GET", booking_path, claims=who))
    check(
        spec, "/bookings/{bookingId}", "get", api.bookings("GET", booking_path, claims=guest("x"))
    )
    check(spec, "/bookings", "get", api.bookings("GET", "/bookings", claims=boss))
    check(
        spec, "/bookings", "get", api.bookings("GET", "/bookings", claims=who, query={"limit": "0"})
    )
    check(
        spec,
        "/hotels/{hotelId}",
        "delete",
        api.hotels("DELETE", hotel_path, claims=ADMIN),  # 409: the booking is live
    )

    decision = f"{booking_path}/decision"
    documented = "/bookings/{bookingId}/decision"
    check(spec, documented, "post", api.bookings("POST", decision, body={}, claims=boss))
    check(
        spec,
        documented,
        "post",
        api.bookings("POST", decision, body={"decision": "approve"}, claims=boss),
    )
    check(
        spec,
        documented,
        "post",
        api.bookings("POST", decision, body={"decision": "approve"}, claims=boss),
    )
    api.saga.wait_status(booking_id, BookingStatus.CONFIRMED)
    check(spec, "/bookings/{bookingId}", "get", api.bookings("GET", booking_path, claims=ADMIN))

    other = with_picture.body["hotelId"]
    check(
        spec, "/hotels/{hotelId}", "delete", api.hotels("DELETE", f"/hotels/{other}", claims=ADMIN)
    )


def test_the_users_and_manager_answers_fit_the_document(
    spec: dict[str, Any], api: ApiClient
) -> None:
    pool = PoolUsers(api.cloud, api.stack)
    email = f"contract.user.{uuid.uuid4().hex[:6]}@example.com"
    sub = pool.create(email, group=None)
    who = guest(f"contract{uuid.uuid4().hex[:6]}")
    listing = "/users"
    check(spec, listing, "get", api.users("GET", listing, claims=ADMIN))
    check(spec, listing, "get", api.users("GET", listing, claims=ADMIN, query={"limit": "1"}))
    check(spec, listing, "get", api.users("GET", listing, claims=ADMIN, query={"limit": "99"}))
    check(spec, listing, "get", api.users("GET", listing, claims=who))
    group = "/users/{userId}/groups/{group}"
    for method in ("put", "delete"):
        path = f"/users/{sub}/groups/HotelManager"
        check(spec, group, method, api.users(method.upper(), path, claims=ADMIN))
        check(spec, group, method, api.users(method.upper(), path, claims=who))
        check(
            spec, group, method, api.users(method.upper(), "/users/nobody/groups/X", claims=ADMIN)
        )
    for action in ("disable", "enable"):
        documented = f"/users/{{userId}}/{action}"
        check(spec, documented, "post", api.users("POST", f"/users/{sub}/{action}", claims=ADMIN))
        check(spec, documented, "post", api.users("POST", f"/users/{sub}/{action}", claims=who))
        check(spec, documented, "post", api.users("POST", f"/users/x/{action}", claims=ADMIN))

    hotel = api.create_hotel()
    manager = "/hotels/{hotelId}/manager"
    path = f"/hotels/{hotel['hotelId']}/manager"
    check(spec, manager, "get", api.hotels("GET", path, claims=ADMIN))
    check(spec, manager, "get", api.hotels("GET", path, claims=api.manager(hotel["managerEmail"])))
    check(spec, manager, "get", api.hotels("GET", path, claims=who))
    check(spec, manager, "get", api.hotels("GET", "/hotels/ht_none/manager", claims=ADMIN))


def test_the_approval_pages_answer_documented_statuses_with_html(
    spec: dict[str, Any], api: ApiClient
) -> None:
    path = "/approvals/{approvalId}"
    unsigned = api.invoke_raw("ApprovalsFunction", rest_event("GET", "/approvals/ap_x"))
    unreadable = api.invoke_raw(
        "ApprovalsFunction",
        rest_event(
            "POST",
            "/approvals/ap_x",
            body=b"decision=approve&sig=\xff",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    )
    for method, resp, status in (("get", unsigned, 403), ("post", unreadable, 400)):
        assert resp.status == status, resp
        assert str(resp.status) in spec["paths"][path][method]["responses"]
        assert (resp.header("Content-Type") or "").startswith("text/html")
