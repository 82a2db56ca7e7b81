"""Every cancellation path on local Step Functions, through the API as a guest would cancel:
the booking's final status and reason, the money, the rooms, the messages, the states visited.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest

from hotel_booking.logic.ids import approval_id_for, cancellation_id_for
from hotel_booking.models import ApprovalState, BookingStatus, Decision, PaymentStatus
from tests.fixtures.api_client import ApiClient
from tests.fixtures.events import ADMIN, guest
from tests.fixtures.saga_driver import SagaTimeout

_n = iter(range(1, 10**6))


@pytest.fixture(scope="module")
def api(saga: Any) -> ApiClient:
    return ApiClient(saga.cloud, saga.stack)


def someone() -> dict[str, Any]:
    return guest(f"canceller{next(_n)}")


def manager_of(api: ApiClient, hotel: dict[str, Any]) -> dict[str, Any]:
    """The hotel's manager, with their real sub (a manager is a user, not an email)."""
    return api.manager(hotel["managerEmail"])


def cancel(api: ApiClient, booking_id: str, who: dict[str, Any]) -> Any:
    return api.bookings("POST", f"/bookings/{booking_id}/cancel", claims=who)


def read(api: ApiClient, booking_id: str, who: dict[str, Any]) -> dict[str, Any]:
    resp = api.bookings("GET", f"/bookings/{booking_id}", claims=who)
    assert resp.status == 200, resp.body
    return dict(resp.body)


def confirmed(api: ApiClient, hotel: dict[str, Any], who: dict[str, Any], **kw: Any) -> str:
    booking_id = str(api.book(hotel, who, **kw)["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    api.saga.decide(booking_id, Decision.APPROVE)
    api.saga.wait_status(booking_id, BookingStatus.CONFIRMED)
    api.saga.wait_done(booking_id)
    return booking_id


def listed(api: ApiClient, who: dict[str, Any], status: str) -> list[str]:
    resp = api.bookings("GET", "/bookings", claims=who, query={"status": status})
    assert resp.status == 200, resp.body
    return [b["bookingId"] for b in resp.body["items"]]


def cancellation_arn(api: ApiClient, booking_id: str) -> str:
    machine = api.stack.ref("CancellationStateMachine")
    return machine.replace(":stateMachine:", ":execution:") + f":{cancellation_id_for(booking_id)}"


def wait_cancellation(api: ApiClient, booking_id: str, timeout: float = 20) -> dict[str, Any]:
    sfn = api.cloud.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = sfn.describe_execution(executionArn=cancellation_arn(api, booking_id))
        if desc["status"] != "RUNNING":
            return dict(desc)
        time.sleep(0.01)
    raise SagaTimeout(f"cancellation of {booking_id} still running after {timeout}s")


def cancellation_visited(api: ApiClient, booking_id: str) -> list[str]:
    sfn = api.cloud.client("stepfunctions")
    history = sfn.get_execution_history(
        executionArn=cancellation_arn(api, booking_id), maxResults=1000
    )["events"]
    return [
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    ]


def rooms(api: ApiClient, hotel: dict[str, Any], booking_id: str) -> list[int]:
    booking = api.saga.booking(booking_id)
    request = {"checkIn": booking.checkIn.isoformat(), "checkOut": booking.checkOut.isoformat()}
    stored = api.store.hotels.get(hotel["hotelId"])
    assert stored is not None
    return api.saga.inventory(stored, request)


def version(api: ApiClient, booking_id: str) -> int:
    item = api.cloud.client("dynamodb").get_item(
        TableName=api.stack.ref("BookingsTable"),
        Key={"bookingId": {"S": booking_id}},
        ConsistentRead=True,
    )["Item"]
    return int(item.get("version", {"N": "0"})["N"])


# -- awaiting approval ---------------------------------------------------------------------
def test_cancel_while_awaiting_approval_ends_the_saga_cancelled(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    booking_id = str(api.book(hotel, who)["bookingId"])
    api.saga.wait_status(booking_id, BookingStatus.AWAITING_APPROVAL)
    assert rooms(api, hotel, booking_id) == [2, 2]
    terms = read(api, booking_id, who)["cancellation"]
    assert terms["refundCents"] == 24000

    resp = cancel(api, booking_id, who)

    assert resp.status == 202, resp.body
    assert resp.body["status"] == "CANCELLING" and resp.body["refundCents"] == 24000
    done = api.saga.wait_done(booking_id)
    assert done["status"] == "FAILED" and done["error"] == "BookingCancelled"
    booking = api.saga.booking(booking_id)
    assert booking.status is BookingStatus.CANCELLED
    assert booking.reason == "GUEST_CANCELLED"
    assert version(api, booking_id) >= 1
    assert api.saga.visited(booking_id)[-5:] == [
        "RefundPayment",
        "ReleaseRoom",
        "RecordFailure",
        "HowDidItEnd",
        "BookingCancelled",
    ]
    payment = api.saga.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert rooms(api, hotel, booking_id) == [3, 3]
    approval = api.store.approvals.get(approval_id_for(booking_id))
    assert approval is not None and approval.state is ApprovalState.CANCELLED

    (to_guest,) = api.saga.guest_emails(booking_id)
    assert "cancelled" in to_guest["Subject"] and "you cancelled it" in to_guest["Body"]
    to_manager = api.manager_messages(hotel, booking_id)
    assert len(to_manager) == 2  # the approval request, then "nothing to decide"
    assert "No decision is needed" in to_manager[1]["Message"]

    # The manager's click now finds it decided; the page shows no terms any more
    late = api.bookings(
        "POST", f"/bookings/{booking_id}/decision", body={"decision": "approve"}, claims=ADMIN
    )
    assert late.status == 409 and "cancelled" in late.body["message"]
    view = read(api, booking_id, who)
    assert view["status"] == "CANCELLED" and view["cancellation"] is None
    assert view["reason"] == "GUEST_CANCELLED"


# -- confirmed -----------------------------------------------------------------------------
def test_cancel_a_confirmed_booking_before_the_deadline_refunds_in_full(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    booking_id = confirmed(api, hotel, who)
    before = version(api, booking_id)
    terms = read(api, booking_id, who)["cancellation"]
    assert terms["refundCents"] == 24000 and terms["fullRefundDays"] == 2

    resp = cancel(api, booking_id, who)

    assert resp.status == 202, resp.body
    assert resp.body["refundCents"] == 24000
    done = wait_cancellation(api, booking_id)
    assert done["status"] == "SUCCEEDED"
    assert cancellation_visited(api, booking_id) == [
        "RefundDue",
        "RefundPayment",
        "ReleaseRoom",
        "FinishCancellation",
        "BookingCancelled",
    ]
    booking = api.saga.booking(booking_id)
    assert booking.status is BookingStatus.CANCELLED
    assert booking.reason == "GUEST_CANCELLED"
    assert booking.refundCents == 24000
    # CANCELLING, the release of its rooms, then CANCELLED: every bookings write bumps it (cqrs)
    assert version(api, booking_id) == before + 3
    payment = api.saga.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert rooms(api, hotel, booking_id) == [3, 3]

    guest_mail = api.saga.guest_emails(booking_id)
    assert [m["Subject"] for m in guest_mail][-1].endswith("is cancelled")
    assert "We refund €240.00 to your card." in guest_mail[-1]["Body"]
    manager_mail = api.manager_messages(hotel, booking_id)
    assert manager_mail[-1]["Subject"].startswith("Cancelled:")
    assert api.saga.messages("OperationsAlertsTopic", booking_id) == []
    # The manager's list by status (the byHotelStatus index) has it under CANCELLED only
    assert booking_id in listed(api, manager_of(api, hotel), "CANCELLED")
    assert booking_id not in listed(api, manager_of(api, hotel), "CONFIRMED")
    assert booking_id not in listed(api, manager_of(api, hotel), "CANCELLING")


def test_cancel_after_the_deadline_refunds_nothing_but_frees_the_rooms(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    booking_id = confirmed(api, hotel, who, check_in=tomorrow)
    assert read(api, booking_id, who)["cancellation"]["refundCents"] == 0

    resp = cancel(api, booking_id, who)

    assert resp.status == 202 and resp.body["refundCents"] == 0
    assert wait_cancellation(api, booking_id)["status"] == "SUCCEEDED"
    assert "RefundPayment" not in cancellation_visited(api, booking_id)
    booking = api.saga.booking(booking_id)
    assert booking.status is BookingStatus.CANCELLED
    payment = api.saga.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.RECORDED
    assert rooms(api, hotel, booking_id) == [3, 3]
    last = api.saga.guest_emails(booking_id)[-1]
    assert "not refunded" in last["Body"]
    view = read(api, booking_id, who)
    assert (view["status"], view["refundCents"], view["cancellation"]) == ("CANCELLED", 0, None)


def test_cancelling_twice_changes_nothing_twice(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    booking_id = confirmed(api, hotel, who)

    first = cancel(api, booking_id, who)
    again_at_once = cancel(api, booking_id, ADMIN)
    wait_cancellation(api, booking_id)
    after = cancel(api, booking_id, who)

    assert first.status == 202
    assert again_at_once.status in (202, 409)  # still cancelling, or already done
    assert after.status == 409
    assert after.body["message"] == f"booking {booking_id} is already cancelled"
    sfn = api.cloud.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=api.stack.ref("CancellationStateMachine"))
    assert [e["name"] for e in runs["executions"]].count(cancellation_id_for(booking_id)) == 1
    assert len(api.saga.guest_emails(booking_id)) == 2  # confirmed, cancelled
    assert rooms(api, hotel, booking_id) == [3, 3]  # given back once, not twice


def test_an_admin_may_cancel_the_hotel_manager_and_strangers_may_not(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    booking_id = confirmed(api, hotel, who)

    assert cancel(api, booking_id, someone()).status == 404
    assert cancel(api, booking_id, manager_of(api, hotel)).status == 403
    assert api.saga.booking(booking_id).status is BookingStatus.CONFIRMED

    assert cancel(api, booking_id, ADMIN).status == 202
    assert wait_cancellation(api, booking_id)["status"] == "SUCCEEDED"
    assert api.saga.booking(booking_id).status is BookingStatus.CANCELLED


def test_failed_and_rejected_bookings_cannot_be_cancelled(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    declined = str(api.book(hotel, who, paymentToken="tok_chargeDeclined")["bookingId"])
    api.saga.wait_done(declined)
    rejected = str(api.book(hotel, who)["bookingId"])
    api.saga.wait_status(rejected, BookingStatus.AWAITING_APPROVAL)
    api.saga.decide(rejected, Decision.REJECT)
    api.saga.wait_done(rejected)

    for booking_id, word in ((declined, "failed"), (rejected, "rejected")):
        resp = cancel(api, booking_id, who)
        assert resp.status == 409
        assert resp.body["message"] == f"booking {booking_id} is {word}: there is nothing to cancel"
        assert read(api, booking_id, who)["cancellation"] is None


# -- when the cancellation itself fails ----------------------------------------------------
def test_a_refund_that_keeps_failing_alerts_operations(api: ApiClient) -> None:
    hotel = api.create_hotel(rooms=3)
    who = someone()
    booking_id = confirmed(api, hotel, who)
    api.cloud.runtime.inject_fault(
        api.stack.ref("RefundPaymentFunction"), "TransientError", "payments table down", times=7
    )

    assert cancel(api, booking_id, who).status == 202
    done = wait_cancellation(api, booking_id)

    assert done["status"] == "FAILED" and done["error"] == "CancellationFailed"
    assert cancellation_visited(api, booking_id) == [
        "RefundDue",
        "RefundPayment",
        "ReadRefund",  # the payment record says it is not refunded: a person must act
        "WasItRefunded",
        "SummariseRefundPaymentFailure",
        "AlertOperations",
        "CancellationFailed",
    ]
    booking = api.saga.booking(booking_id)
    assert booking.status is BookingStatus.CANCELLING  # support finishes it (runbook)
    payment = api.saga.payment(booking_id)
    assert payment is not None and payment.status is PaymentStatus.RECORDED
    assert rooms(api, hotel, booking_id) == [2, 2]
    (alert,) = api.saga.messages("OperationsAlertsTopic", booking_id)
    assert alert["Subject"] == f"CancellationFailed: booking {booking_id}"
    # with what support staff need...
    body = json.loads(alert["Message"])
    arn = cancellation_arn(api, booking_id)
    assert body["bookingId"] == booking_id
    assert (body["executionName"], body["executionArn"]) == (cancellation_id_for(booking_id), arn)
    assert body["console"].endswith(f"#/v2/executions/details/{arn}")
    assert (body["failedState"], body["error"]) == ("RefundPayment", "TransientError")
    assert "payments table down" in body["cause"]
    assert body["runbook"] == "docs/operations.md#cancellationfailed"
    # ...and nothing about the guest (who asked to cancel is the guest's email)
    for secret in (who["email"], "Gus Guest"):
        assert secret not in alert["Message"]

    # Asking again is answered (it is being cancelled) and starts nothing new
    again = cancel(api, booking_id, who)
    assert again.status == 202
