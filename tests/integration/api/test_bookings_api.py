"""The bookings API, through the deployed BookingsApiFunction, with the real saga behind it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

from hotel_booking.dal.bookings import BookingsTable
from hotel_booking.logic.bookings import fingerprint
from hotel_booking.logic.ids import approval_id_for, booking_id_for
from hotel_booking.models import ApprovalState, Booking, BookingStatus, Guest
from hotel_booking.models.api.bookings import NewBooking
from tests.fixtures.api_client import CHECK_IN, ApiClient
from tests.fixtures.events import ADMIN, claims, guest, rest_event


def someone() -> dict[str, Any]:
    return guest(f"g{uuid.uuid4().hex[:8]}")


@pytest.fixture
def hotel(api: ApiClient) -> dict[str, Any]:
    """A fresh hotel whose manager's email is unique to the test."""
    return api.create_hotel(managerEmail=f"mgr.{uuid.uuid4().hex[:8]}@example.com", rooms=3)


def manager_of(api: ApiClient, hotel: dict[str, Any]) -> dict[str, Any]:
    return api.manager(hotel["managerEmail"])


def awaiting(api: ApiClient, hotel: dict[str, Any], who: dict[str, Any]) -> str:
    booking_id = str(api.book(hotel, who)["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    return booking_id


# -- book ----------------------------------------------------------------------------------
def test_booking_is_accepted_recorded_and_its_saga_started(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    who = someone()
    resp = api.bookings("POST", "/bookings", body=api.booking_request(hotel), claims=who)

    assert resp.status == 202, resp.body
    booking_id = resp.body["bookingId"]
    assert re.fullmatch(r"bk_[0-9a-f]{20}", booking_id)
    assert resp.body == {
        "bookingId": booking_id,
        "status": "PENDING",
        "links": {"self": f"/bookings/{booking_id}"},
    }
    assert resp.header("Access-Control-Allow-Origin") == "*"
    booking = api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    assert booking.guest.model_dump() == {
        "sub": who["sub"],
        "name": "Gus Guest",
        "email": who["email"],
    }
    assert booking.hotelName == hotel["name"]
    assert str(booking.amount) == "240.00"
    assert booking.executionArn == api.saga.execution_arn(booking_id)
    assert [s.state for s in booking.steps] == ["ReserveRoom", "RecordPayment", "NotifyManager"]
    # The guest will hear how it ends by SES email: nothing to subscribe to or confirm.
    sns = api.cloud.client("sns")
    endpoints = [s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"]]
    assert who["email"] not in endpoints


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"checkIn": "2020-01-01", "checkOut": "2020-01-03"}, "checkIn", "must not be in the past"),
        ({"checkOut": CHECK_IN.isoformat()}, "checkOut", "must be after checkIn"),
        ({"nights": 31}, "checkOut", "a stay is at most 30 nights"),
        ({"checkIn": "next tuesday"}, "checkIn", None),
        ({"rooms": 0}, "rooms", None),
        ({"rooms": "two"}, "rooms", None),
        ({"rooms": 4}, "rooms", "has only 3 rooms"),
        ({"guestName": "   "}, "guestName", None),
        ({"paymentToken": ""}, "paymentToken", None),
        ({"hotelId": "no spaces allowed"}, "hotelId", None),
        ({"coupon": "FREE"}, "coupon", "is not a known field"),
    ],
)
def test_each_invalid_field_is_a_400_naming_it(
    api: ApiClient, hotel: dict[str, Any], change: dict[str, Any], field: str, message: str | None
) -> None:
    body = api.booking_request(hotel, **change)
    resp = api.bookings("POST", "/bookings", body=body, claims=someone())
    assert resp.status == 400, resp.body
    assert field in resp.field_errors, resp.body
    if message:
        assert message in resp.field_errors[field]


def test_missing_fields_are_all_named(api: ApiClient) -> None:
    resp = api.bookings("POST", "/bookings", body={"rooms": 1}, claims=someone())
    assert resp.status == 400
    assert resp.field_errors == {
        f: "is required" for f in ("hotelId", "checkIn", "checkOut", "guestName", "paymentToken")
    }


@pytest.mark.parametrize("body", ["{", "[]", "null", "", '{"rooms": Infinity}'])
def test_a_body_that_is_not_a_json_object_is_a_400(api: ApiClient, body: str) -> None:
    resp = api.bookings("POST", "/bookings", body=body, claims=someone())
    assert resp.status == 400
    assert "body" in resp.field_errors


def test_an_unknown_hotel_is_a_404(api: ApiClient, hotel: dict[str, Any]) -> None:
    body = api.booking_request(hotel, hotelId="ht_does_not_exist")
    resp = api.bookings("POST", "/bookings", body=body, claims=someone())
    assert resp.status == 404
    assert resp.body == {"message": "no hotel ht_does_not_exist"}


# -- idempotency ---------------------------------------------------------------------------
def test_the_same_idempotency_key_and_body_give_the_same_booking_and_one_saga(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    who = someone()
    body = api.booking_request(hotel)
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}

    first = api.bookings("POST", "/bookings", body=body, headers=key, claims=who)
    again = api.bookings("POST", "/bookings", body=body, headers=key, claims=who)

    assert first.status == again.status == 202
    assert first.body == again.body
    booking_id = first.body["bookingId"]
    assert booking_id == booking_id_for(who["sub"], key["Idempotency-Key"])
    assert len(api.executions(booking_id)) == 1


def test_the_same_key_with_another_body_is_a_422(api: ApiClient, hotel: dict[str, Any]) -> None:
    who = someone()
    key = {"idempotency-key": f"key-{uuid.uuid4()}"}  # header names are case-insensitive
    first = api.bookings(
        "POST", "/bookings", body=api.booking_request(hotel), headers=key, claims=who
    )
    other = api.bookings(
        "POST", "/bookings", body=api.booking_request(hotel, rooms=2), headers=key, claims=who
    )
    assert first.status == 202
    assert other.status == 422
    assert "Idempotency-Key" in other.body["message"]
    assert len(api.executions(first.body["bookingId"])) == 1


def test_the_same_key_from_another_guest_is_another_booking(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    body = api.booking_request(hotel)
    mine = api.bookings("POST", "/bookings", body=body, headers=key, claims=someone())
    theirs = api.bookings("POST", "/bookings", body=body, headers=key, claims=someone())
    assert mine.status == theirs.status == 202
    assert mine.body["bookingId"] != theirs.body["bookingId"]


def test_a_malformed_idempotency_key_is_a_400(api: ApiClient, hotel: dict[str, Any]) -> None:
    resp = api.bookings(
        "POST",
        "/bookings",
        body=api.booking_request(hotel),
        headers={"Idempotency-Key": "k" * 300},
        claims=someone(),
    )
    assert resp.status == 400
    assert "Idempotency-Key" in resp.field_errors


def test_a_retry_after_the_saga_failed_to_start_starts_it(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    """The record was written but the function died before StartExecution: the same request
    again (same key) starts the saga instead of answering from the half-done record."""
    who = someone()
    key = f"key-{uuid.uuid4()}"
    body = api.booking_request(hotel)
    booking_id = booking_id_for(who["sub"], key)
    request = NewBooking.model_validate(body)
    at = dt.datetime.now(dt.UTC)
    half_done = Booking(
        bookingId=booking_id,
        hotelId=hotel["hotelId"],
        hotelName=hotel["name"],
        guest=Guest(sub=who["sub"], name=request.guestName, email=who["email"]),
        checkIn=request.checkIn,
        checkOut=request.checkOut,
        rooms=request.rooms,
        status=BookingStatus.PENDING,
        createdAt=at,
        updatedAt=at,
    )
    records = BookingsTable(api.cloud.client("dynamodb"), api.stack.ref("BookingsTable"))
    assert records.create_pending(half_done, fingerprint(request))
    assert api.executions(booking_id) == []

    resp = api.bookings(
        "POST", "/bookings", body=body, headers={"Idempotency-Key": key}, claims=who
    )

    assert resp.status == 202, resp.body
    assert resp.body["bookingId"] == booking_id
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    assert len(api.executions(booking_id)) == 1


# -- read ----------------------------------------------------------------------------------
def test_who_may_see_a_booking(api: ApiClient, hotel: dict[str, Any]) -> None:
    owner = someone()
    booking_id = awaiting(api, hotel, owner)
    other_hotel = api.create_hotel(managerEmail=f"other.{uuid.uuid4().hex[:6]}@example.com")
    path = f"/bookings/{booking_id}"

    seen = {
        "guest": api.bookings("GET", path, claims=owner),
        "manager": api.bookings("GET", path, claims=manager_of(api, hotel)),
        "admin": api.bookings("GET", path, claims=ADMIN),
    }
    hidden = {
        "another guest": api.bookings("GET", path, claims=someone()),
        "another hotel's manager": api.bookings("GET", path, claims=manager_of(api, other_hotel)),
        "manager email, no group": api.bookings(
            "GET", path, claims=claims("m", hotel["managerEmail"], "")
        ),
        "manager, unverified email": api.bookings(
            "GET", path, claims=claims("m", hotel["managerEmail"], "HotelManager", "false")
        ),
    }
    for who, resp in seen.items():
        assert resp.status == 200, who
    for who, resp in hidden.items():
        assert resp.status == 404, who
        assert resp.body == {"message": f"no booking {booking_id}"}
    missing = api.bookings("GET", "/bookings/bk_nope", claims=ADMIN)
    assert missing.status == 404

    body = seen["guest"].body
    arn = api.saga.execution_arn(booking_id)
    assert body == {
        "bookingId": booking_id,
        "hotelId": hotel["hotelId"],
        "hotelName": hotel["name"],
        "checkIn": CHECK_IN.isoformat(),
        "checkOut": (CHECK_IN + dt.timedelta(days=2)).isoformat(),
        "rooms": 1,
        "amount": "240.00",
        "currency": "EUR",
        "status": "AWAITING_APPROVAL",
        "reason": None,
        "reasonDetail": None,
        "guest": {"name": "Gus Guest", "email": owner["email"]},
        "steps": body["steps"],
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
        # The execution (its ARN names the AWS account) is for Admins only (issue 21).
        "executionArn": None,
        "consoleUrl": None,
        # Awaiting approval: cancelling refunds in full; the deadline is for once confirmed.
        "cancellation": {
            "refundCents": 24000,
            "currency": "EUR",
            "deadline": f"{(CHECK_IN - dt.timedelta(days=2)).isoformat()}T00:00:00Z",
            "fullRefundDays": 2,
            "charged": True,
        },
        "refundCents": None,
        "managerNote": None,
        # Waiting for the hotel, until its deadline (ApprovalTimeoutSeconds after it was asked).
        "waiting": {"kind": "approval", "until": body["waiting"]["until"]},
        "cancelRequestedAt": None,
    }
    assert dt.datetime.fromisoformat(body["waiting"]["until"]) > dt.datetime.fromisoformat(
        body["createdAt"]
    )
    assert [s["state"] for s in body["steps"]] == [
        "ReserveRoom",
        "RecordPayment",
        "NotifyManager",
    ]
    assert "sub" not in body["guest"]
    assert seen["manager"].body["executionArn"] is None
    assert seen["admin"].body["executionArn"] == arn
    assert seen["admin"].body["consoleUrl"] == (
        "https://eu-west-2.console.aws.amazon.com/states/home?region=eu-west-2"
        f"#/v2/executions/details/{arn}"
    )


def test_listing_shows_each_person_what_they_may_see_newest_first(api: ApiClient) -> None:
    hotel = api.create_hotel(managerEmail=f"lister.{uuid.uuid4().hex[:6]}@example.com", rooms=9)
    other = api.create_hotel(rooms=9)
    owner, stranger = someone(), someone()
    mine = [api.book(hotel, owner)["bookingId"] for _ in range(3)]
    theirs = api.book(hotel, stranger)["bookingId"]
    elsewhere = api.book(other, owner)["bookingId"]

    def listed(who: dict[str, Any], **query: str) -> list[str]:
        resp = api.bookings("GET", "/bookings", claims=who, query=query or None)
        assert resp.status == 200, resp.body
        return [b["bookingId"] for b in resp.body["items"]]

    assert listed(owner) == [elsewhere, *reversed(mine)]
    assert listed(owner, hotelId=hotel["hotelId"]) == list(reversed(mine))
    assert listed(manager_of(api, hotel)) == [theirs, *reversed(mine)]
    assert listed(ADMIN, hotelId=hotel["hotelId"]) == [theirs, *reversed(mine)]
    assert {theirs, elsewhere, *mine} <= set(listed(ADMIN, limit="100"))
    assert listed(stranger) == [theirs]


def test_listing_filters_by_status(api: ApiClient, hotel: dict[str, Any]) -> None:
    who = someone()
    waiting = awaiting(api, hotel, who)
    declined = api.book(hotel, who, paymentToken="tok_chargeDeclined")["bookingId"]
    api.saga.wait_status(declined, BookingStatus.FAILED)

    failed = api.bookings("GET", "/bookings", claims=who, query={"status": "FAILED"})
    assert [b["bookingId"] for b in failed.body["items"]] == [declined]
    assert failed.body["items"][0]["reason"] == "PAYMENT_DECLINED"
    pending = api.bookings("GET", "/bookings", claims=who, query={"status": "AWAITING_APPROVAL"})
    assert [b["bookingId"] for b in pending.body["items"]] == [waiting]


def test_listing_pages_with_an_opaque_token(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=20)
    who = someone()
    made = [api.book(hotel, who)["bookingId"] for _ in range(5)]

    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    pages = 0
    while True:
        resp = api.bookings("GET", "/bookings", claims=who, query=query)
        assert resp.status == 200, resp.body
        pages += 1
        seen += [b["bookingId"] for b in resp.body["items"]]
        if resp.body["nextToken"] is None:
            break
        query = {"limit": "2", "nextToken": resp.body["nextToken"]}
    assert pages == 3
    assert seen == list(reversed(made))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "HAPPY"}, "status"),
        ({"nextToken": "not-a-token"}, "nextToken"),
        ({"nextToken": "eyJ2IjoxLCJvZmZzZXQiOjIsInEiOiJ4In0"}, "nextToken"),  # someone else's
    ],
)
def test_listing_refuses_bad_parameters(api: ApiClient, query: dict[str, str], field: str) -> None:
    resp = api.bookings("GET", "/bookings", claims=someone(), query=query)
    assert resp.status == 400
    assert field in resp.field_errors


# -- decide --------------------------------------------------------------------------------
def test_the_manager_approves_and_the_booking_is_confirmed(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    booking_id = awaiting(api, hotel, someone())
    path = f"/bookings/{booking_id}/decision"

    resp = api.bookings("POST", path, body={"decision": "approve"}, claims=manager_of(api, hotel))

    assert resp.status == 200, resp.body
    assert resp.body == {"bookingId": booking_id, "decision": "approve", "state": "APPROVED"}
    api.saga.wait_status(booking_id, BookingStatus.CONFIRMED)
    approval = api.store.approvals.get(approval_id_for(booking_id))
    assert approval is not None and approval.decidedBy == hotel["managerEmail"]

    again = api.bookings("POST", path, body={"decision": "reject"}, claims=ADMIN)
    assert again.status == 409
    assert "already approved" in again.body["message"]


def test_an_admin_rejects_with_a_reason(api: ApiClient, hotel: dict[str, Any]) -> None:
    booking_id = awaiting(api, hotel, someone())
    resp = api.bookings(
        "POST",
        f"/bookings/{booking_id}/decision",
        body={"decision": "reject", "reason": "closed for repairs"},
        claims=ADMIN,
    )
    assert resp.status == 200
    assert resp.body["state"] == "REJECTED"
    booking = api.saga.wait_status(booking_id, BookingStatus.REJECTED)
    assert booking.reason == "MANAGER_REJECTED"
    approval = api.store.approvals.get(approval_id_for(booking_id))
    assert approval is not None and approval.decisionReason == "closed for repairs"


def test_only_the_hotels_manager_or_an_admin_may_decide(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    owner = someone()
    booking_id = awaiting(api, hotel, owner)
    other_hotel = api.create_hotel()
    path = f"/bookings/{booking_id}/decision"
    for who in (owner, someone(), manager_of(api, other_hotel)):
        resp = api.bookings("POST", path, body={"decision": "approve"}, claims=who)
        assert resp.status == 404
    approval = api.store.approvals.get(approval_id_for(booking_id))
    assert approval is not None and approval.state is ApprovalState.PENDING


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "reject", "reason": "x" * 501}, "reason"),
        ({"decision": "approve", "by": "me"}, "by"),
    ],
)
def test_a_bad_decision_body_is_a_400(
    api: ApiClient, hotel: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    booking_id = awaiting(api, hotel, someone())
    resp = api.bookings(
        "POST", f"/bookings/{booking_id}/decision", body=body, claims=manager_of(api, hotel)
    )
    assert resp.status == 400
    assert field in resp.field_errors


def test_deciding_a_booking_that_is_not_awaiting_approval_is_a_409(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    booking_id = api.book(hotel, someone(), paymentToken="tok_chargeDeclined")["bookingId"]
    api.saga.wait_status(booking_id, BookingStatus.FAILED)
    resp = api.bookings(
        "POST", f"/bookings/{booking_id}/decision", body={"decision": "approve"}, claims=ADMIN
    )
    assert resp.status == 409
    assert "not awaiting approval" in resp.body["message"]


def test_deciding_after_the_approval_expired_is_a_410(
    api: ApiClient, hotel: dict[str, Any]
) -> None:
    booking_id = awaiting(api, hotel, someone())
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    api.cloud.client("dynamodb").update_item(
        TableName=api.stack.ref("ApprovalsTable"),
        Key={"approvalId": {"S": approval_id_for(booking_id)}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"S": past}},
    )
    resp = api.bookings(
        "POST", f"/bookings/{booking_id}/decision", body={"decision": "approve"}, claims=ADMIN
    )
    assert resp.status == 410
    assert "has passed" in resp.body["message"]


def test_a_route_the_function_does_not_serve_is_a_json_404(api: ApiClient) -> None:
    resp = api.invoke("BookingsApiFunction", rest_event("GET", "/nowhere", claims=ADMIN))
    assert resp.status == 404
    assert resp.body == {"message": "Not found"}


def test_a_booking_id_that_cannot_exist_is_a_404(api: ApiClient) -> None:
    for booking_id in ("b" * 3000, "not an id"):
        assert api.bookings("GET", f"/bookings/{booking_id}", claims=ADMIN).status == 404
        resp = api.bookings(
            "POST", f"/bookings/{booking_id}/decision", body={"decision": "approve"}, claims=ADMIN
        )
        assert resp.status == 404
